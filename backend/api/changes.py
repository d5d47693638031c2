"""HTTP side of catch-up sync: `X-Sync-Token` on every event list, and the `changed_since` answer."""
from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import current_app, make_response, request

from database import get_db
from errors import ValidationError
from rules import sync_tokens


def issues_sync_token(view: Callable[..., Any]) -> Callable[..., Any]:
    """Give a successful list of `department_id`'s events the token of the moment the request
    started (before anything was read, so nothing written meanwhile falls behind it)."""

    @functools.wraps(view)
    def wrapper(department_id, **kwargs):
        started = datetime.now(UTC)
        response = make_response(view(department_id=department_id, **kwargs))
        if response.status_code == 200:
            response.headers[sync_tokens.HEADER] = sync_tokens.new_token(str(department_id), started)
        return response

    return wrapper


def wants_changes() -> bool:
    return sync_tokens.PARAMETER in request.args


def changed_events(department_id: str) -> list[dict[str, Any]]:
    """The events (and tombstones) changed in the token's window; raises ValidationError for a bad
    token or one combined with `from`/`to`, SyncTokenExpired for an expired one."""
    if "from" in request.args or "to" in request.args:
        raise ValidationError(f"{sync_tokens.PARAMETER} cannot be combined with from/to: a sync covers the "
                              "whole department", {sync_tokens.PARAMETER: "cannot be combined with from/to"})
    since = sync_tokens.window_start(request.args[sync_tokens.PARAMETER], department_id,
                                     current_app.config["SETTINGS"], datetime.now(UTC))
    return get_db().event_changes(department_id, since)
