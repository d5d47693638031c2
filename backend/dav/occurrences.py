"""A series' changed occurrences written over CalDAV (VEVENTs with RECURRENCE-ID): each becomes the
series' exception on its original date through the API's `scope=this` edit (what the page's
"이 일정만" does), after the series itself was written. A cancelled occurrence is an EXDATE of the
series, written with it."""
from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import auth
from api.events import broadcast_edit
from database import get_db
from dav.ical_events import VALID_OBJECT, InvalidResource, changes_from
from errors import NotFound
from rules import recurrence
from validation import validate_event_changes


def write_overrides(department_id: str, series_id: str, overrides: dict[date, dict[str, Any]], zone: ZoneInfo) -> None:
    """Make each occurrence of `overrides` (by original date) what the client sent, broadcasting
    each change; raises InvalidResource for a date the series does not give."""
    db, actor = get_db(), auth.current_principal().actor
    for day, fields in sorted(overrides.items()):
        occurrence_id = recurrence.occurrence_id(series_id, day)
        try:
            current = db.series.get(department_id, occurrence_id)
        except NotFound:
            raise InvalidResource(VALID_OBJECT, f"RECURRENCE-ID {day:%Y%m%d} is not an occurrence of the series "
                                                "(its rule, EXDATE and RDATE do not give that day)") from None
        changes = changes_from(current, fields, zone)
        if changes:
            broadcast_edit(db.series.update(occurrence_id, validate_event_changes(changes), "this", None, actor,
                                            auth.check_department))
