"""`Idempotency-Key` on POST: a retried create stores at most one item and answers as the first
time did (`Idempotent-Replayed: true`); the same key with another body is a 422.

Keys are scoped per route and department, and per principal once authentication sets
`g.principal` (see _record_id). Storage and expiry: idempotency.IdempotencyStore.
"""
from __future__ import annotations

import functools
import hashlib
import json
import re
import time
from collections.abc import Callable
from typing import Any

from flask import Response, g, make_response, request

from api.errors import error_response
from api.request_body import json_body
from database import get_db
from errors import Conflict, NotFound, ValidationError
from storage.idempotency import COMPLETED, Record

HEADER = "Idempotency-Key"
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII, as HTTP header values carry safely
REPLAYED_HEADERS = ("Location", "ETag")
# A duplicate arriving while the first request runs waits this long for its answer, then gets 409.
WAIT_SECONDS = 2.0
POLL_SECONDS = 0.1


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """Make a create view honour Idempotency-Key (a request without it runs as before)."""

    @functools.wraps(view)
    def wrapper(**view_args: Any) -> Any:
        key = request.headers.get(HEADER)
        if key is None:
            return view(**view_args)
        if not KEY_PATTERN.fullmatch(key):
            raise ValidationError(f"{HEADER} must be 1 to 255 visible ASCII characters", {HEADER: "is not valid"})
        store, record_id, request_hash = get_db().idempotency, _record_id(key, view_args), _request_hash()
        item_id, held = _claim(record_id, request_hash)
        if held is not None:
            return _answer_for(held, request_hash)
        g.idempotent_item_id = item_id
        try:
            response = make_response(view(**view_args))
        except BaseException:
            store.release(record_id)  # nothing stored that a retry could not find again: let it run
            raise
        store.complete(record_id, {"status": response.status_code, "body": response.get_data(as_text=True),
                                   "headers": {h: response.headers[h] for h in REPLAYED_HEADERS if h in response.headers}})
        return response

    return wrapper


def create_once(create: Callable[[str | None], dict[str, Any]], find: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    """`create(item_id)` with the id the request's Idempotency-Key reserved (None without a key:
    a fresh one). When an earlier attempt of the same request stored it already and died before
    answering, returns that item (`find(item_id)`) instead of failing or storing it twice."""
    item_id = g.get("idempotent_item_id")
    try:
        return create(item_id)
    except Conflict as conflict:
        if item_id is None:
            raise
        try:
            return find(item_id)
        except NotFound:
            raise conflict from None


def _record_id(key: str, view_args: dict[str, Any]) -> str:
    # Auth hook: once authentication sets g.principal, each principal has keys of its own.
    principal = g.get("principal")
    scope = [getattr(principal, "name", ""), request.method, request.url_rule.rule]
    scope += [f"{name}={value}" for name, value in sorted(view_args.items())]
    return hashlib.sha256("\n".join([*scope, key]).encode()).hexdigest()


def _request_hash() -> str:
    """The body's hash, the same for JSON that differs only in spacing or key order."""
    canonical = json.dumps(json_body(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _claim(record_id: str, request_hash: str) -> tuple[str | None, Record | None]:
    """Claim the key, waiting up to WAIT_SECONDS while a duplicate of this request is in progress."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        item_id, held = get_db().idempotency.claim(record_id, request_hash)
        in_progress = held is not None and held.status != COMPLETED and held.request_hash == request_hash
        if not in_progress or time.monotonic() > deadline:
            return item_id, held
        time.sleep(POLL_SECONDS)


def _answer_for(held: Record, request_hash: str) -> Response:
    if held.request_hash != request_hash:
        return error_response(422, "idempotency_key_reused",
                              f"this {HEADER} was used with another request body; use a new key for a new request")
    if held.status != COMPLETED or held.response is None:
        response = error_response(409, "conflict", f"a request with this {HEADER} is still in progress; retry shortly")
        response.headers["Retry-After"] = "1"
        return response
    response = Response(held.response["body"], status=held.response["status"], mimetype="application/json")
    response.headers.update(held.response["headers"])
    response.headers["Idempotent-Replayed"] = "true"
    return response
