"""Idempotency records: a POST carrying an Idempotency-Key stores at most one item however often
it is retried, and a retry gets the first answer again.

As AWS Lambda Powertools' idempotency utility does: a conditional write claims the key ("in
progress") unless a live record holds it; the answer is stored on the record once the write is
done; records expire after 24 hours through the table's TTL attribute (and count as gone once
past it, before DynamoDB's sweep removes them). A claim whose request died stays in progress only
until its deadline; then a retry of the same request takes it over, keeping the item id the claim
reserved, so an item the dead request stored is found instead of stored twice.
"""
from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import TypedDict

from botocore.exceptions import ClientError

from schema import IDEMPOTENCY_EXPIRES_AT
from storage.client import error_code
from storage.wire import WireItem

KEEP_SECONDS = 24 * 3600
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
CLAIM_ATTEMPTS = 5
_NAMES = {"#id": "id", "#status": "status", "#hash": "request_hash", "#until": "in_progress_until",
          "#expires": IDEMPOTENCY_EXPIRES_AT, "#item": "item_id", "#response": "response"}
# Free: never used, expired, or claimed by another request (other body) that died.
_FREE = ("attribute_not_exists(#id) OR #expires < :now"
         " OR (#status = :in_progress AND #until < :now_ms AND #hash <> :hash)")
# Claimed by a request with this very body that died (or failed) before storing its answer.
_LAPSED_SAME_REQUEST = "#status = :in_progress AND #until = :until AND #hash = :hash"


class StoredAnswer(TypedDict):
    """The answer a completed request gave, kept for its retries (JSON on the record)."""

    status: int
    body: str
    headers: dict[str, str]


@dataclass(frozen=True)
class Record:
    """What holds a key: `status`, the `request_hash` it was claimed with, and the stored answer
    (`{"status", "body", "headers"}`) once completed."""

    status: str
    request_hash: str
    in_progress_until: int
    item_id: str
    response: StoredAnswer | None


class IdempotencyStore:
    """Records in the idempotency table; `record_id` names the key in its scope."""

    def __init__(self, client, table: str, in_progress_seconds: float):
        self.client = client
        self.table = table
        self.in_progress_seconds = in_progress_seconds

    def claim(self, record_id: str, request_hash: str) -> tuple[str | None, Record | None]:
        """(item id reserved for the request, None) when the key is now this request's, else
        (None, the live record holding it)."""
        held = None
        for _attempt in range(CLAIM_ATTEMPTS):
            item_id = str(uuid.uuid4())
            claimed, held = self._claim_free(record_id, request_hash, item_id)
            if claimed:
                return item_id, None
            if held is None:
                continue  # the record went (TTL) between the claim and the read
            lapsed = held.status == IN_PROGRESS and held.in_progress_until < _now_ms()
            if not (lapsed and held.request_hash == request_hash):
                return None, held
            if self._take_over(record_id, held):
                return held.item_id, None
        return None, held

    def complete(self, record_id: str, response: StoredAnswer) -> None:
        """Store the answer (`{"status", "body", "headers"}`) the request gave."""
        self.client.update_item(
            TableName=self.table, Key={"id": {"S": record_id}},
            UpdateExpression="SET #status = :completed, #response = :response",
            ExpressionAttributeNames={"#status": "status", "#response": "response"},
            ExpressionAttributeValues={":completed": {"S": COMPLETED},
                                       ":response": {"S": json.dumps(response, ensure_ascii=False)}},
        )

    def release(self, record_id: str) -> None:
        """End the claim of a request that failed: a retry with the same body runs again (with the
        same item id), one with another body may take the key."""
        try:
            self.client.update_item(
                TableName=self.table, Key={"id": {"S": record_id}},
                UpdateExpression="SET #until = :zero",
                ConditionExpression="#status = :in_progress",
                ExpressionAttributeNames={"#status": "status", "#until": "in_progress_until"},
                ExpressionAttributeValues={":zero": {"N": "0"}, ":in_progress": {"S": IN_PROGRESS}},
            )
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise  # else a retry has completed it meanwhile: nothing to release

    def _claim_free(self, record_id: str, request_hash: str, item_id: str) -> tuple[bool, Record | None]:
        """(True, None) when the key was free and is now claimed, else (False, the record holding it)."""
        now = int(time.time())
        values = {":now": {"N": str(now)}, ":now_ms": {"N": str(_now_ms())}, ":hash": {"S": request_hash},
                  ":in_progress": {"S": IN_PROGRESS}, ":until": {"N": str(self._deadline_ms())},
                  ":expires": {"N": str(now + KEEP_SECONDS)}, ":item": {"S": item_id}}
        try:
            self.client.update_item(
                TableName=self.table, Key={"id": {"S": record_id}},
                UpdateExpression="SET #status = :in_progress, #hash = :hash, #until = :until, "
                                 "#expires = :expires, #item = :item REMOVE #response",
                ConditionExpression=_FREE, ExpressionAttributeNames=_NAMES, ExpressionAttributeValues=values,
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
            return True, None
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            item = exc.response.get("Item") or self._get_item(record_id)
            return False, _record(item) if item else None

    def _take_over(self, record_id: str, lapsed: Record) -> bool:
        """Renew a lapsed claim of the same request; False when another retry renewed it first."""
        try:
            self.client.update_item(
                TableName=self.table, Key={"id": {"S": record_id}},
                UpdateExpression="SET #until = :deadline", ConditionExpression=_LAPSED_SAME_REQUEST,
                ExpressionAttributeNames={k: _NAMES[k] for k in ("#status", "#until", "#hash")},
                ExpressionAttributeValues={":in_progress": {"S": IN_PROGRESS},
                                           ":until": {"N": str(lapsed.in_progress_until)},
                                           ":hash": {"S": lapsed.request_hash},
                                           ":deadline": {"N": str(self._deadline_ms())}},
            )
            return True
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            return False

    def _get_item(self, record_id: str) -> WireItem | None:
        return self.client.get_item(TableName=self.table, Key={"id": {"S": record_id}},
                                    ConsistentRead=True).get("Item")

    def _deadline_ms(self) -> int:
        return _now_ms() + int(self.in_progress_seconds * 1000)


def _now_ms() -> int:
    return int(time.time() * 1000)


def _record(item: WireItem) -> Record:
    response = item.get("response", {}).get("S")
    return Record(
        status=item["status"]["S"], request_hash=item["request_hash"]["S"],
        in_progress_until=int(item["in_progress_until"]["N"]), item_id=item["item_id"]["S"],
        response=json.loads(response) if response else None,
    )
