"""HTTP: GET /api/search?q=&department=&from=&to=&limit=&cursor=, the events of every department
the caller may read (or of one) whose title, description or time holds every word of `q`, nearest
to today first, a series once (as its occurrence nearest today). One Query of department-date-index per
department (storage/event_search.py; several departments' at once), then the page's events read by key."""
from __future__ import annotations

import contextvars
import hashlib
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, request

import auth
from api.paging import Page, after_key, next_after, page_response, requested_page
from database import get_db
from errors import ValidationError
from rules.search_order import Match, Result, after, ranked, shown_event
from rules.search_text import query_words
from rules.shapes import PublicEvent, StoredEvent
from validation import validate_date_bounds

bp = Blueprint("search", __name__, url_prefix="/api")

DEFAULT_LIMIT = 20
LIMIT_MAX = 100  # contract/routes.py's SEARCH_LIMIT_MAX
SEARCH_THREADS = 8  # departments one search Queries at once


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
    searched = hashlib.sha256(",".join(departments).encode()).hexdigest()[:32]  # the cursor holds it: kept short
    page = _page(f"search|{' '.join(words)}|{searched}|{start}|{end}|{today}")
    remaining = after(ranked(_matches(departments, words, bounds[1]), today, start, end), after_key(page))
    chosen = remaining[:page.limit]
    items = _items(chosen)
    shown = [event for result in chosen if (event := _shown(result, items, today, start, end)) is not None]
    more = len(remaining) > page.limit
    return page_response(page, shown, next_after(chosen[-1].sort_key) if more else None)


def _matches(departments: list[str], words: list[str], starting_by: str | None) -> list[Match]:
    """The matches of every department, their Queries SEARCH_THREADS at a time (each in a copy of
    this request's context: its DynamoDB stall budget, its request for the IAM recorder)."""
    db = get_db()

    def of(department: str) -> list[Match]:
        return list(db.search.matching(department, words, starting_by))
    if len(departments) <= 1:
        return of(departments[0]) if departments else []
    with ThreadPoolExecutor(min(SEARCH_THREADS, len(departments))) as pool:
        found = [pool.submit(contextvars.copy_context().run, of, d) for d in departments]
        return [match for future in found for match in future.result()]


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
    page = requested_page(scope, DEFAULT_LIMIT)
    assert page is not None  # a default limit gives a page
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
