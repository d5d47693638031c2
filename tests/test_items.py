"""Items to and from DynamoDB's wire format: what the service stores comes back as plain JSON values."""
from __future__ import annotations

import boto3
import pytest

from models import from_item, to_item


@pytest.mark.parametrize("value", [
    "", "오후 2:00", "부서 회의 🎉", 0, 1, -7, 10**30, True, False, None,
    {"nested": {"n": 3, "s": "x"}}, [1, "two", [3]],
])
def test_stored_values_come_back_as_they_were(value):
    assert from_item(to_item({"v": value})) == {"v": value}


@pytest.mark.parametrize(("wire", "plain"), [
    ({"N": "1.5"}, 1.5), ({"N": "1e3"}, 1000), ({"N": "-0"}, 0), ({"N": "2.0"}, 2),
    ({"NS": ["1", "2.5"]}, [1, 2.5]), ({"SS": ["a"]}, ["a"]), ({"L": [{"N": "4"}]}, [4]),
])
def test_numbers_are_int_or_float_never_decimal(wire, plain):
    value = from_item({"v": wire})["v"]
    assert value == plain
    assert type(value) is type(plain) or isinstance(value, list)


def test_query_and_scan_answers_equal_botocores_parse(db, settings):
    """The service's client hands Query/Scan items over unparsed; they must be what botocore makes."""
    item = {"id": "x", "department_id": "d", "event_date": "2024-01-05", "s": "부서 🎉", "n": 42, "f": "1.5",
            "map": {"a": [1, "b", True, None]}, "yes": True, "none": None, "tags": {"a", "b"}, "nums": {1, 2}}
    db.client.put_item(TableName=db.events_table, Item=to_item(item))
    plain = boto3.session.Session().client(
        "dynamodb", endpoint_url=settings.dynamodb_endpoint_url, region_name=settings.aws_region,
        aws_access_key_id="local", aws_secret_access_key="local")
    query = {"TableName": db.events_table, "KeyConditionExpression": "#id = :id",
             "ExpressionAttributeNames": {"#id": "id"}, "ExpressionAttributeValues": {":id": {"S": "x"}}}

    for operation, kwargs in (("query", query), ("scan", {"TableName": db.events_table})):
        ours, theirs = getattr(db.client, operation)(**kwargs), getattr(plain, operation)(**kwargs)
        assert ours["Items"] == theirs["Items"] and ours["Count"] == theirs["Count"] == 1
