"""The DynamoDB calls every store makes the same way: reading a Query/Scan to its end or a page of
it, TransactWriteItems with each cancellation mapped to a domain error, and the batch calls with
their retries of what DynamoDB left unprocessed."""
from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeVar

from botocore.exceptions import ClientError

from errors import DatabaseError, Throttled
from storage.client import THROTTLING_CODES, cancellation_codes, error_code
from storage.items import to_item
from storage.wire import KeysToGet, PlainItem, QueryInput, TransactAction, WireItem, WriteRequest

log = logging.getLogger(__name__)

BATCH_WRITE_LIMIT = 25
BATCH_WRITE_ATTEMPTS = 8  # and BatchGetItem's, for its UnprocessedKeys
BATCH_GET_LIMIT = 100  # keys per BatchGetItem
TRANSACTION_RETRIES = 6
# Most items one Query/Scan of a page asks for (a page holds at most 1,000).
PAGE_READ_MAX = 2002

Item = TypeVar("Item")


def paginate(client, operation: str, kwargs: QueryInput, convert: Callable[[WireItem], Item]) -> Iterator[Item]:
    """Every item of a Query or Scan (converted), following LastEvaluatedKey to the end."""
    call = getattr(client, operation)
    while True:
        response = call(**kwargs)
        for item in response.get("Items", []):
            yield convert(item)
        last_key = response.get("LastEvaluatedKey")
        if not last_key:
            return
        kwargs = {**kwargs, "ExclusiveStartKey": last_key}


def count(client, kwargs: QueryInput) -> int:
    """How many items a Query matches: Select=COUNT, every page."""
    kwargs = {**kwargs, "Select": "COUNT"}
    total = 0
    while True:
        response = client.query(**kwargs)
        total += response["Count"]
        if not response.get("LastEvaluatedKey"):
            return total
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def page(
    client, operation: str, kwargs: QueryInput, limit: int, start_key: WireItem | None,
    key_names: tuple[str, ...], overread: int = 1,
) -> tuple[list[WireItem], WireItem | None]:
    """Up to `limit` raw items of a Query or Scan after start_key, and the key of the last one
    when more follow (else None).

    Reads on while a filter (applied after Limit counted the items) or the 1 MB cap made an
    answer short, and one item past the page, so a key is only given when an item follows it.
    """
    call = getattr(client, operation)
    if start_key:
        kwargs = {**kwargs, "ExclusiveStartKey": start_key}
    items: list[WireItem] = []
    while True:
        wanted = (limit + 1 - len(items)) * overread
        response = call(**kwargs, Limit=min(wanted, PAGE_READ_MAX))
        items.extend(response.get("Items", []))
        if len(items) > limit:
            first = items[:limit]
            return first, {name: first[-1][name] for name in key_names}
        if not response.get("LastEvaluatedKey"):
            return items, None
        kwargs = {**kwargs, "ExclusiveStartKey": response["LastEvaluatedKey"]}


def transact(client, items: list[TransactAction], if_condition_fails: list[DatabaseError] | None = None) -> None:
    """TransactWriteItems, retried while it only collides with another transaction.

    When the condition of item i fails, raises if_condition_fails[i] (if given).
    """
    for attempt in range(TRANSACTION_RETRIES):
        try:
            client.transact_write_items(TransactItems=items)
            return
        except ClientError as exc:
            codes = cancellation_codes(exc)
            for code, error in zip(codes, if_condition_fails or [], strict=False):
                if code == "ConditionalCheckFailed":
                    raise error from exc
            retryable = error_code(exc) == "TransactionConflictException" or (
                "TransactionConflict" in codes and "ConditionalCheckFailed" not in codes
            )
            if not retryable or attempt == TRANSACTION_RETRIES - 1:
                raise
            time.sleep(random.uniform(0, 0.02 * 2**attempt))


def batch_get(client, table: str, keys: Sequence[PlainItem], convert: Callable[[WireItem], Item]) -> list[Item]:
    """BatchGetItem of up to BATCH_GET_LIMIT keys (strongly consistent), following UnprocessedKeys;
    the items converted."""
    pending: dict[str, KeysToGet] = {table: {"Keys": [to_item(key) for key in keys], "ConsistentRead": True}}
    items: list[Item] = []
    for attempt in range(BATCH_WRITE_ATTEMPTS):
        if attempt:
            time.sleep(_backoff(attempt))
        response = client.batch_get_item(RequestItems=pending)
        items += [convert(item) for item in response.get("Responses", {}).get(table, [])]
        pending = response.get("UnprocessedKeys") or {}
        if not pending:
            return items
    raise Throttled(f"{len(pending[table]['Keys'])} keys still unprocessed after {BATCH_WRITE_ATTEMPTS} "
                    "BatchGetItem attempts")


def batch_get_all(client, table: str, keys: Sequence[PlainItem],
                  convert: Callable[[WireItem], Item]) -> Iterator[list[Item]]:
    """batch_get of any number of keys, BATCH_GET_LIMIT at a time: the items of each call in turn."""
    for start in range(0, len(keys), BATCH_GET_LIMIT):
        yield batch_get(client, table, keys[start : start + BATCH_GET_LIMIT], convert)


def batch_write(client, table: str, requests: Iterable[WriteRequest]) -> None:
    """BatchWriteItem in chunks of 25. Raises Throttled when a chunk is still shed after
    BATCH_WRITE_ATTEMPTS attempts (throttling errors and UnprocessedItems alike)."""
    requests = list(requests)
    for start in range(0, len(requests), BATCH_WRITE_LIMIT):
        _write_chunk(client, table, requests[start : start + BATCH_WRITE_LIMIT])


def _write_chunk(client, table: str, chunk: list[WriteRequest]) -> None:
    pending = {table: chunk}
    for attempt in range(1, BATCH_WRITE_ATTEMPTS + 1):
        # DynamoDB sheds load two ways: a throttling error (after botocore's own retries) or
        # UnprocessedItems in a successful answer. Both are retried here, with backoff.
        try:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            reason = "UnprocessedItems"
        except ClientError as exc:
            if error_code(exc) not in THROTTLING_CODES:
                raise
            reason = error_code(exc)
        if not pending:
            return
        if attempt < BATCH_WRITE_ATTEMPTS:
            delay = _backoff(attempt)
            log.warning("throttled (%s); retrying %d items in %.2fs", reason, len(pending[table]), delay)
            time.sleep(delay)
    raise Throttled(
        f"{len(pending[table])} items still unprocessed after {BATCH_WRITE_ATTEMPTS} BatchWriteItem attempts"
    )


def _backoff(attempt: int) -> float:
    return min(2.0, 0.05 * 2**attempt) * random.uniform(0.5, 1.0)
