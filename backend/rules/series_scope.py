"""What an edit of an event or a series changes, in pure code (no boto3, no Flask)."""
from __future__ import annotations

from typing import Any

from validation import check_event_times


def checked_times(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """The event as the changes would leave it (None removes a field); raises ValidationError when
    its times contradict each other."""
    changed = {k: v for k, v in {**current, **changes}.items() if v is not None}
    check_event_times(changed)
    return changed
