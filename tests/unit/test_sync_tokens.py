"""Sync tokens (backend/rules/sync_tokens.py): what a token holds, the window a sync reads from (the
token's moment minus the overlap), and every token refused: not ours, another department's, from
the future, or older than the tombstones are kept."""
from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from config import Settings
from rules import sync_tokens
from rules.timestamps import format_timestamp
from validation import ValidationError

SETTINGS = Settings(sync_overlap_seconds=10.0, sync_tombstone_days=30)
NOW = datetime(2024, 6, 1, 12, 0, 0, 123000, tzinfo=UTC)


def _window(token, department_id="d1", settings=SETTINGS, now=NOW):
    return sync_tokens.window_start(token, department_id, settings, now)


def test_a_token_reads_back_as_its_moment_minus_the_overlap():
    token = sync_tokens.new_token("d1", NOW)
    assert token.isascii() and "=" not in token and len(token) < sync_tokens.TOKEN_MAX_LENGTH
    assert _window(token) == "2024-06-01T11:59:50.123Z"
    assert _window(token, settings=Settings(sync_overlap_seconds=1.0)) == "2024-06-01T11:59:59.123Z"


def test_a_token_is_good_until_its_window_starts_before_the_retention():
    oldest = NOW - timedelta(days=30) + timedelta(seconds=10)  # its window starts exactly 30 days ago
    assert _window(sync_tokens.new_token("d1", oldest)) == format_timestamp(NOW - timedelta(days=30))
    with pytest.raises(sync_tokens.SyncTokenExpired, match="30 days"):
        _window(sync_tokens.new_token("d1", oldest - timedelta(milliseconds=1)))
    with pytest.raises(sync_tokens.SyncTokenExpired, match="1 days"):
        _window(sync_tokens.new_token("d1", NOW - timedelta(days=2)), settings=Settings(sync_tombstone_days=1))


def test_a_token_from_the_future_is_refused_beyond_the_overlap_only():
    """A clock a few seconds ahead (another instance's) is within the overlap; more is no token of ours."""
    assert _window(sync_tokens.new_token("d1", NOW + timedelta(seconds=10))) == format_timestamp(NOW)
    with pytest.raises(ValidationError, match="from the future"):
        _window(sync_tokens.new_token("d1", NOW + timedelta(seconds=11)))


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


BAD_TOKENS = {
    "empty": ("", "empty, too long or not ASCII"),
    "garbage": ("garbage!!", "does not decode"),
    "not json": (_b64(b"\xff\xfe not json"), "does not decode"),
    "json array": (_b64(b"[1, 2]"), "does not decode"),
    "wrong version": (_b64(b'{"v": 2, "d": "d1", "t": 1}'), "does not decode"),
    "extra key": (_b64(b'{"v": 1, "d": "d1", "t": 1, "x": 0}'), "does not decode"),
    "moment not a number": (_b64(b'{"v": 1, "d": "d1", "t": "yesterday"}'), "no valid moment"),
    "moment a bool": (_b64(b'{"v": 1, "d": "d1", "t": true}'), "no valid moment"),
    "moment a float": (_b64(b'{"v": 1, "d": "d1", "t": 1.5}'), "no valid moment"),
    "negative moment": (_b64(b'{"v": 1, "d": "d1", "t": -5}'), "no valid moment"),
    "huge moment": (_b64(b'{"v": 1, "d": "d1", "t": 1e400}'), "no valid moment"),
    "too long": ("A" * 5000, "empty, too long or not ASCII"),
    "not ascii": ("토큰", "empty, too long or not ASCII"),
    "another department": (sync_tokens.new_token("d2", NOW), "another department"),
}


@pytest.mark.parametrize(("token", "why"), list(BAD_TOKENS.values()), ids=list(BAD_TOKENS))
def test_a_token_not_issued_for_this_department_is_refused_naming_changed_since(token, why):
    with pytest.raises(ValidationError) as refused:
        _window(token)
    assert refused.value.fields == {"changed_since": "is not a valid sync token"}
    assert why in refused.value.message


def test_timestamps_sort_as_strings_in_the_order_of_their_moments():
    moments = [datetime(2024, 1, 1, tzinfo=UTC) + timedelta(milliseconds=n) for n in (0, 1, 999, 1000, 86_400_000)]
    stamps = [format_timestamp(moment) for moment in moments]
    assert stamps[:2] == ["2024-01-01T00:00:00.000Z", "2024-01-01T00:00:00.001Z"]
    assert sorted(stamps) == stamps and len(set(stamps)) == len(stamps)
    assert format_timestamp(datetime(999, 1, 2, 3, 4, 5, 678999, tzinfo=UTC)) == "0999-01-02T03:04:05.678Z"
