"""Catch-up sync tokens: what `X-Sync-Token` holds and how `changed_since` is read back.

A token is opaque to clients: base64url of `{"v": 1, "d": <department id>, "t": <ms since epoch>}`,
the moment the list request that issued it started. It is validated, not signed: it only names a
moment, and a forged one returns nothing a client of the department could not list anyway (and a
per-process key would void every client's token on each restart).

The rule that no change is ever missed: a sync answers every item of the department whose
`last_modified` is at or after `t - SYNC_OVERLAP_SECONDS`. A write stamps `last_modified` before it
commits, so writes that commit out of timestamp order (several instances, a slow write, clock skew,
an index that lags) still fall in the next window; clients drop what they already have by
`id` + `version`. Tombstones live SYNC_TOMBSTONE_DAYS, so a window starting earlier than that is
answered 410 (sync_token_expired): the client lists everything again.

No Flask and no boto3 here.
"""
from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime, timedelta

from config import Settings
from errors import SyncTokenExpired, ValidationError
from rules.timestamps import format_timestamp

TOKEN_VERSION = 1
TOKEN_MAX_LENGTH = 200
PARAMETER = "changed_since"
HEADER = "X-Sync-Token"


def new_token(department_id: str, moment: datetime) -> str:
    """The token for a list of the department read at (or after) `moment`."""
    payload = {"v": TOKEN_VERSION, "d": department_id, "t": int(moment.timestamp() * 1000)}
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def window_start(token: str, department_id: str, settings: Settings, now: datetime) -> str:
    """The `last_modified` (ISO-8601, as stored) from which the sync reads: the token's moment
    minus the overlap. Raises ValidationError for a token that is not one of ours, is from another
    department or from the future; SyncTokenExpired when it is older than the retention."""
    moment = _token_moment(token, department_id)
    overlap = timedelta(seconds=settings.sync_overlap_seconds)
    if moment > now + overlap:
        raise _bad_token("it is from the future")
    start = moment - overlap
    if start < now - timedelta(days=settings.sync_tombstone_days):
        raise SyncTokenExpired(
            f"the sync token is older than the {settings.sync_tombstone_days} days deleted events are kept: "
            "list the department's events again without changed_since (a full resync) and sync from "
            "that answer's X-Sync-Token"
        )
    return format_timestamp(start)


def _token_moment(token: str, department_id: str) -> datetime:
    if not token or len(token) > TOKEN_MAX_LENGTH or not token.isascii():
        raise _bad_token("it is empty, too long or not ASCII")
    try:
        payload = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError):
        raise _bad_token("it does not decode") from None
    if not isinstance(payload, dict) or set(payload) != {"v", "d", "t"} or payload["v"] != TOKEN_VERSION:
        raise _bad_token("it does not decode")
    millis = payload["t"]
    if isinstance(millis, bool) or not isinstance(millis, int) or not 0 <= millis < 10**14:
        raise _bad_token("it holds no valid moment")
    if payload["d"] != department_id:
        raise _bad_token("it belongs to another department")
    return datetime.fromtimestamp(millis / 1000, UTC)


def _bad_token(why: str) -> ValidationError:
    return ValidationError(
        f"{PARAMETER} must be an X-Sync-Token this service issued for this department: {why}",
        {PARAMETER: "is not a valid sync token"},
    )
