"""The peer of bench_api.py: the minimal Flask app a user would otherwise write, in the seed's style.

Plain boto3 resource, no validation, plain jsonify, and the same DynamoDB calls as the service:
month GET = GetItem (ConsistentRead) + Query on department-date-index; POST = TransactWriteItems
(department ConditionCheck + conditional Put). Served like the service, from the project root:

    gunicorn -c backend/gunicorn.conf.py --chdir bench peer_app:app
"""
from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime

import boto3
from boto3.dynamodb.conditions import Key
from flask import Flask, jsonify, request

# The seed's habits on purpose (a resource at import time, shared by every thread): this is the
# app the service is compared with, not an example to follow.
dynamodb = boto3.resource(
    "dynamodb",
    endpoint_url=os.environ.get("DYNAMODB_ENDPOINT_URL") or None,
    region_name=os.environ.get("AWS_REGION", "us-east-1"),
)
departments = dynamodb.Table(os.environ.get("TABLE_PREFIX", "") + "departments")
events = dynamodb.Table(os.environ.get("TABLE_PREFIX", "") + "events")

app = Flask(__name__)
app.json.ensure_ascii = False  # as the service does, so both send the same bytes


@app.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


@app.get("/api/events/<department_id>")
def list_events(department_id: str):
    """The department's events between ?from and ?to, as the service lists them."""
    department = departments.get_item(Key={"id": department_id}, ConsistentRead=True).get("Item")
    if department is None or "deleting" in department:
        return jsonify({"error": "not_found", "message": f"department {department_id} not found"}), 404
    condition = Key("department_id").eq(department_id) & Key("event_date").between(
        request.args["from"], request.args["to"]
    )
    query = {"IndexName": "department-date-index", "KeyConditionExpression": condition}
    items = []
    while True:
        page = events.query(**query)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            break
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    items.sort(key=lambda e: (e["event_date"], e["created_at"], e["id"]))
    for item in items:
        item.pop("search_text", None)  # the service's folded text for search, which no answer shows
    return jsonify([{**e, "version": int(e["version"])} for e in items])


@app.post("/api/events/<department_id>")
def create_event(department_id: str):
    """Store the posted event if the department exists; 201 with the stored event."""
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    event = {
        "description": "", "time": "", "url": "", **request.get_json(),
        "id": str(uuid.uuid4()), "department_id": department_id,
        "created_at": now, "last_modified": now, "version": 1,
        "created_by": "peer", "updated_by": "peer",  # the service's audit fields (it has no tokens)
    }
    # The resource's client takes plain Python values (boto3 serializes them).
    dynamodb.meta.client.transact_write_items(TransactItems=[
        {"ConditionCheck": {
            "TableName": departments.name, "Key": {"id": department_id},
            "ConditionExpression": "attribute_exists(#n) AND attribute_not_exists(#d)",
            "ExpressionAttributeNames": {"#n": "name", "#d": "deleting"},
        }},
        {"Put": {
            "TableName": events.name, "Item": event,
            "ConditionExpression": "attribute_not_exists(#id)", "ExpressionAttributeNames": {"#id": "id"},
        }},
    ])
    return jsonify(event), 201
