"""Paging of list routes: `limit` and `cursor` in, `X-Next-Cursor` and `Link: rel="next"` out.

A cursor is opaque and tamper-proof: DynamoDB's LastEvaluatedKey and the listing it continues
(the scope: which department, which date range), signed with SECRET_KEY. Every instance of one
deployment must share SECRET_KEY for a cursor made by one to work on another.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import Response, current_app, jsonify, request, url_for
from itsdangerous import BadData, URLSafeSerializer

from errors import ValidationError

LIMIT_MAX = 1000
LIMIT_PATTERN = re.compile(r"[0-9]{1,4}")
CURSOR_MAX_LENGTH = 2048
CURSOR_SALT = "calendar.page-cursor.v1"


@dataclass(frozen=True)
class Page:
    """What a request asks for: at most `limit` items after `start_key` of the listing `scope`."""

    limit: int
    start_key: dict[str, Any] | None
    scope: str


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=CURSOR_SALT)


def requested_page(scope: str, default_limit: int | None = None) -> Page | None:
    """The page `limit` and `cursor` ask for, None without `limit` (everything; with default_limit,
    a page of that many); raises ValidationError for a bad limit, or a cursor that is garbage,
    altered or of another listing."""
    raw_limit, cursor = request.args.get("limit", None if default_limit is None else str(default_limit)), \
        request.args.get("cursor")
    if raw_limit is None:
        if cursor is not None:
            raise ValidationError("`cursor` goes with `limit`", {"cursor": "needs limit"})
        return None
    if not LIMIT_PATTERN.fullmatch(raw_limit) or not 1 <= int(raw_limit) <= LIMIT_MAX:
        raise ValidationError(f"`limit` must be an integer from 1 to {LIMIT_MAX}",
                              {"limit": f"must be an integer from 1 to {LIMIT_MAX}"})
    start_key = None if cursor is None else _start_key(cursor, scope)
    return Page(int(raw_limit), start_key, scope)


def _start_key(cursor: str, scope: str) -> dict[str, Any]:
    try:
        if len(cursor) > CURSOR_MAX_LENGTH:
            raise BadData("too long")
        data = _serializer().loads(cursor)
    except BadData as exc:
        raise ValidationError("`cursor` is not one this service gave out (or it was altered)",
                              {"cursor": "is not valid"}) from exc
    if not isinstance(data, dict) or data.get("scope") != scope or not isinstance(data.get("key"), dict):
        raise ValidationError("`cursor` continues another listing (other department or date range)",
                              {"cursor": "belongs to another listing"})
    return data["key"]


def page_response(page: Page, items: list[dict[str, Any]], next_key: dict[str, Any] | None) -> Response:
    """The page as a JSON array; when more follow, with `X-Next-Cursor` and a `Link` to the next page
    (a relative URL: behind a TLS-terminating load balancer the app does not know the outer scheme)."""
    response = jsonify(items)
    if next_key is not None:
        cursor = _serializer().dumps({"scope": page.scope, "key": next_key})
        args = {**request.args.to_dict(), "cursor": cursor}
        url = url_for(request.endpoint, **request.view_args, **args)
        response.headers["X-Next-Cursor"] = cursor
        response.headers["Link"] = f'<{url}>; rel="next"'
    return response


def after_key(page: Page) -> tuple[str, ...] | None:
    """The sort key a page of a listing computed by the app continues after (None on the first
    page). Raises ValidationError for a cursor of a DynamoDB-paged listing."""
    if page.start_key is None:
        return None
    after = page.start_key.get("after")
    if not isinstance(after, list) or not all(isinstance(part, str) for part in after):
        raise ValidationError("`cursor` continues another listing (other department or date range)",
                              {"cursor": "belongs to another listing"})
    return tuple(after)


def next_after(sort_key: tuple[str, ...]) -> dict[str, Any]:
    """The start key of the page after the item with this sort key (as after_key reads it)."""
    return {"after": list(sort_key)}
