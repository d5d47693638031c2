"""The shapes of what storage sends to DynamoDB and reads back, named once: an item in DynamoDB's
wire format (a page's key, LastEvaluatedKey, is one too), and the arguments of the calls storage builds (boto3's names).
storage/items.py converts items between these and the plain shapes of rules/shapes.py."""
# No `from __future__ import annotations` here: TypedDict must see Required evaluated.
from collections.abc import Mapping
from typing import Any, Required, TypedDict

# One attribute in DynamoDB's wire format: {"S": "..."}, {"N": "1"}, {"L": [...]}, {"SS": [...]} ...
# Open on purpose: the type tag names what the value is (a list holds attribute values again).
AttributeValue = dict[str, Any]
# An item (or a key, or an expression's values) in DynamoDB's wire format.
WireItem = dict[str, AttributeValue]
# Plain values by name, as to_item takes them: a stored item or key of rules/shapes.py, a token,
# an expression's values (`{":now": "...", ":one": 1}`). Open on purpose: to_item reads only
# names and values, whatever the shape.
PlainItem = Mapping[str, object]
# An expression's placeholders and their plain values (`{":now": "...", ":one": 1}`), as to_item takes them.
ExpressionValues = dict[str, object]
# An expression (a condition, an UpdateExpression) with its names and its values.
Expression = tuple[str, dict[str, str], ExpressionValues]


class QueryInput(TypedDict, total=False):
    """The arguments of a Query or a Scan."""

    TableName: Required[str]
    IndexName: str
    KeyConditionExpression: str
    FilterExpression: str
    ProjectionExpression: str
    ExpressionAttributeNames: dict[str, str]
    ExpressionAttributeValues: WireItem
    ExclusiveStartKey: WireItem
    Select: str
    Limit: int
    ConsistentRead: bool
    ScanIndexForward: bool


class WriteInput(TypedDict, total=False):
    """The arguments of one write of a TransactWriteItems (a Put, Update, Delete or ConditionCheck)."""

    TableName: Required[str]
    Item: WireItem
    Key: WireItem
    UpdateExpression: str
    ConditionExpression: str
    ExpressionAttributeNames: dict[str, str]
    ExpressionAttributeValues: WireItem


class TransactAction(TypedDict, total=False):
    """One action of a TransactWriteItems: exactly one of these keys."""

    Put: WriteInput
    Update: WriteInput
    Delete: WriteInput
    ConditionCheck: WriteInput


class KeysToGet(TypedDict):
    """What a BatchGetItem asks of one table."""

    Keys: list[WireItem]
    ConsistentRead: bool


class WriteRequest(TypedDict, total=False):
    """One request of a BatchWriteItem: exactly one of these keys."""

    PutRequest: dict[str, WireItem]  # {"Item": ...}
    DeleteRequest: dict[str, WireItem]  # {"Key": ...}


class IndexSpec(TypedDict, total=False):
    """A GSI as CreateTable and UpdateTable take it, and as DescribeTable tells it (with its status)."""

    IndexName: Required[str]
    KeySchema: list[dict[str, str]]
    Projection: dict[str, str | list[str]]
    ProvisionedThroughput: dict[str, int]
    IndexStatus: str


class TableSpec(TypedDict, total=False):
    """The arguments of CreateTable (schema.table_specs); DescribeTable's `Table` holds the same
    names, and its status (storage reads those of its many keys)."""

    TableName: Required[str]
    AttributeDefinitions: list[dict[str, str]]
    KeySchema: list[dict[str, str]]
    GlobalSecondaryIndexes: list[IndexSpec]
    BillingMode: str
    ProvisionedThroughput: dict[str, int]
    TableStatus: str
