"""Two steps botocore repeats on every DynamoDB call, done once or not at all (bench/README.md: a
POST's transaction costs 1.26 ms of CPU inside botocore instead of 1.47).

- **Serialization.** botocore walks every parameter through the service model to build the JSON
  body; for the data-plane operations the service calls, the parameters are already the DynamoDB
  JSON the service built (`storage.items.to_item`: strings, numbers as strings, maps, lists, no
  binary, no timestamps), so the walk returns them unchanged and `json.dumps` of them is the body.
- **Endpoint resolution.** botocore evaluates the endpoint ruleset on every call, after reading
  the operation's table names out of the parameters (a JMESPath search over every item of a
  transaction). Tables are named, never ARNs, so the ruleset's answer depends only on the client
  (region, endpoint URL, credentials): it is asked once per operation.

Both replace attributes of botocore's client (`_serializer`, `_ruleset_resolver`), so botocore is
pinned (requirements.txt) and tests/test_lean_calls.py checks, on every kind of call the service
makes, that the bytes and endpoints are the ones botocore itself would produce.
"""
from __future__ import annotations

import json
from typing import Any, TypedDict

from botocore.endpoint_provider import RuleSetEndpoint

# The operations whose parameters the service builds as DynamoDB JSON; control-plane calls
# (CreateTable, UpdateTimeToLive, ...) keep botocore's own serializer.
DATA_PLANE = frozenset({
    "GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan",
    "BatchGetItem", "BatchWriteItem", "TransactGetItems", "TransactWriteItems",
})


# The parameters of any operation, as botocore takes them: open on purpose (every operation's shape).
CallParameters = dict[str, Any]


class SerializedRequest(TypedDict):
    """A request as botocore's serializers hand it on."""

    url_path: str
    query_string: str
    method: str
    headers: dict[str, str]
    body: bytes


class SentAsBuilt:
    """A botocore serializer: the JSON protocol's request of a data-plane call, its body the
    parameters as the caller built them; any other call as botocore serializes it."""

    def __init__(self, botocore_serializer: Any, target_prefix: str, json_version: str):
        self._botocore = botocore_serializer
        self._target_prefix = target_prefix
        self._content_type = f"application/x-amz-json-{json_version}"

    def serialize_to_request(self, parameters: CallParameters, operation_model: Any) -> SerializedRequest:
        if operation_model.name not in DATA_PLANE:
            return self._botocore.serialize_to_request(parameters, operation_model)
        return {"url_path": "/", "query_string": "", "method": "POST",
                "headers": {"X-Amz-Target": f"{self._target_prefix}.{operation_model.name}",
                            "Content-Type": self._content_type},
                "body": json.dumps(parameters).encode("utf-8")}


class EndpointPerOperation:
    """botocore's endpoint ruleset resolver, asked once per operation."""

    def __init__(self, resolver: Any):
        self._resolver = resolver
        self._found: dict[str, RuleSetEndpoint] = {}

    def construct_endpoint(self, operation_model: Any, call_args: Any, request_context: Any) -> RuleSetEndpoint:
        found = self._found.get(operation_model.name)
        if found is None:
            found = self._resolver.construct_endpoint(operation_model, call_args, request_context)
            self._found[operation_model.name] = found
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._resolver, name)


def lean_calls(client: Any) -> None:
    """Make `client` (a botocore DynamoDB client) serialize and resolve endpoints as above."""
    metadata = client.meta.service_model.metadata
    client._serializer = SentAsBuilt(client._serializer, metadata["targetPrefix"], metadata["jsonVersion"])
    if client._ruleset_resolver is not None:
        client._ruleset_resolver = EndpointPerOperation(client._ruleset_resolver)
