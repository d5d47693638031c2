"""HTTP: GET /api/search?q=&department=&from=&to=&limit=&cursor=, the events of every department
the caller may read (or of one) whose title, description or time holds every word of `q`, nearest
to today first, a series once (as its occurrence nearest today). One Query of department-date-index per
department (storage/event_search.py), then the page's events read by key."""
from __future__ import annotations

from datetime import date, datetime
from itertools import chain
from uuid import UUID
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, request

import auth
from api.paging import Page, after_key, next_after, page_response, requested_page
from database import get_db
from errors import ValidationError
from rules.search_order import Result, after, ranked, shown_event
from rules.search_text import query_words
from rules.shapes import PublicEvent, StoredEvent
from validation import validate_date_bounds

bp = Blueprint("search", __name__, url_prefix="/api")

DEFAULT_LIMIT = 20
LIMIT_MAX = 100  # contract/routes.py's SEARCH_LIMIT_MAX


@bp.get("/search")
@auth.requires("viewer")
def search():
    """A page of results (`limit`, default DEFAULT_LIMIT), with `X-Next-Cursor` when more follow."""
    try:
        words = query_words(request.args.get("q", ""))
    except ValueError as exc:
        raise ValidationError(f"`q` {exc}", {"q": str(exc)}) from None
    bounds = validate_date_bounds(request.args.get("from"), request.args.get("to"))
    start, end = (None if day is None else date.fromisoformat(day) for day in bounds)
    departments = _departments(request.args.get("department"))
    today = datetime.now(ZoneInfo(current_app.config["SETTINGS"].calendar_timezone)).date()
    page = _page(f"search|{' '.join(words)}|{','.join(departments)}|{start}|{end}|{today}")
    db = get_db()
    matches = chain.from_iterable(db.search.matching(d, words, bounds[1]) for d in departments)
    remaining = after(ranked(matches, today, start, end), after_key(page))
    chosen = remaining[:page.limit]
    items = _items(chosen)
    shown = [event for result in chosen if (event := _shown(result, items, today, start, end)) is not None]
    more = len(remaining) > page.limit
    return page_response(page, list(shown), next_after(chosen[-1].sort_key) if more else None)


def _departments(department: str | None) -> list[str]:
    """The departments searched: the one asked for (if the caller may read it), else every one the
    caller may read."""
    if department is not None:
        try:
            department = str(UUID(department))
        except ValueError:
            raise ValidationError("`department` must be a department id (a UUID)", {"department": "is not a UUID"}) \
                from None
        auth.check_department(department)
        return [department]
    scope = auth.current_principal().departments
    return sorted(scope) if scope is not None else sorted(d["id"] for d in get_db().list_departments())


def _page(scope: str) -> Page:
    page = requested_page(scope) or Page(DEFAULT_LIMIT, None, scope)
    if page.limit > LIMIT_MAX:
        raise ValidationError(f"`limit` must be an integer from 1 to {LIMIT_MAX}",
                              {"limit": f"must be an integer from 1 to {LIMIT_MAX}"})
    return page


def _items(results: list[Result]) -> dict[str, StoredEvent]:
    """The stored items of the results' matches, by id: one BatchGetItem per department (a match
    deleted since its entry was read is absent)."""
    wanted: dict[str, list[str]] = {}
    for result in results:
        for match in result.matches:
            wanted.setdefault(match.department_id, []).append(match.event_id)
    db = get_db()
    return {item["id"]: item for department, ids in wanted.items() for item in db.get_event_items(department, ids)}


def _shown(result: Result, items: dict[str, StoredEvent], today: date, start: date | None,
           end: date | None) -> PublicEvent | None:
    """The result as the month list shows it: its nearest match that still exists."""
    for match in result.matches:
        if (item := items.get(match.event_id)) is not None and (event := shown_event(item, today, start, end)):
            return event
    return None
