"""Driving the calendar page in tests/page/: the marks every page module carries, the people's
patience (LIVE, WAIT), the month the pages show, and small steps (a new department or event over
the API, a day's button, an event's chip, the event dialog, two people watching a month)."""
from __future__ import annotations

import re
import time
import uuid

import pytest
from playwright.sync_api import expect

from support.live_helpers import http

# One worker runs every page module under `make test` (--dist loadgroup): one server, one browser.
PAGE_MARKS = [pytest.mark.live, pytest.mark.xdist_group("page"),
              pytest.mark.parametrize("dynamodb_server", ["dynamodb-local"], indirect=True)]
LIVE = 2_000  # ms: a change made on one page shows on the other within this (the number)
WAIT = 15_000  # ms: anything else (a reconnect with backoff, on a busy machine)
MONTH = "2031-03"  # a fixed month: the screenshot and the grid checks do not move with the clock


def new_department(server, name: str | None = None) -> dict:
    answer = http.post(f"{server.url}/api/departments", json={"name": name or f"부서-{uuid.uuid4().hex[:8]}"})
    assert answer.status_code == 201, answer.text
    return answer.json()


def new_event(server, department: dict, **fields) -> dict:
    answer = http.post(f"{server.url}/api/events/{department['id']}",
                       json={"event_date": f"{MONTH}-12", "title": "주간 회의", **fields})
    assert answer.status_code == 201, answer.text
    return answer.json()


def new_series(server, department: dict, rule: str, **fields) -> dict:
    return new_event(server, department, recurrence=[rule], **fields)


def wait_until_refused(server, revoked: str) -> None:
    """Until the server's token cache (AUTH_CACHE_SECONDS=1) has let go of a revoked token."""
    deadline = time.monotonic() + WAIT / 1000
    while http.get(f"{server.url}/api/departments", headers={"Authorization": f"Bearer {revoked}"}).status_code != 401:
        assert time.monotonic() < deadline, "the revoked token still works"
        time.sleep(0.1)


# A chip starts with its event's start time ("09:30 "), when it has one, on the event's first day.
START = r"(?:\d{2}:\d{2} )?"


def chip(page, title: str):
    return page.locator("#grid-body .chip", has_text=re.compile(f"^{START}{re.escape(title)}$"))


def box(locator) -> dict:
    """Where the element is on the page, read in one go (a live redraw may replace it at any moment)."""
    expect(locator).to_be_visible()
    for _ in range(20):  # found, then drawn anew before it was measured: find it again
        found = locator.evaluate("node => node.isConnected ? node.getBoundingClientRect().toJSON() : null")
        if found:
            return found
    raise AssertionError(f"{locator} keeps being drawn anew")


def day_button(page, iso: str):
    return page.locator(f'#grid-body button[data-date="{iso}"]')


def two_watching(people, token, department: dict, first=("pat", "editor"), second=("quinn", "viewer")):
    """Two people (name, role) with the department's month open, both connected live."""
    both = people(token(*first)), people(token(*second))
    for person in both:
        person.open(department["id"], MONTH)
        expect(person.page.locator("#live")).to_have_text("연결됨", timeout=WAIT)
    return both


def fill_event(page, **fields) -> None:
    for name, value in fields.items():
        page.locator(f'#event-form [name="{name}"]').fill(value)


# Recurring events (issue 12). March 2031: Mondays 3, 10, 17, 24, 31; Wednesdays 5, 12, 19, 26.
MONDAYS = [3, 10, 17, 24, 31]


def day_cell(page, day: int):
    return page.locator(f'#grid-body td:has(button[data-date="{MONTH}-{day:02d}"])')


def series_chip(page, title: str):
    """A chip of an occurrence: its start time if any, the ↻ marker, then the title."""
    return page.locator("#grid-body .chip.recurring", has_text=re.compile(f"^{START}↻{re.escape(title)}$"))


def read_each(locator, read: str) -> list:
    """The JavaScript function `read` applied to each element the locator matches. Playwright finds
    the elements, then reads them, in two steps: when the page redraws them in between (the live
    connection's catch-up draws the grid anew), they are found and read again."""
    for _ in range(50):
        values = locator.evaluate_all(f"nodes => nodes.every(node => node.isConnected) ? nodes.map({read}) : null")
        if values is not None:
            return values
        locator.page.wait_for_timeout(20)
    raise AssertionError(f"{locator} kept being drawn anew")


def days_with(page, chips) -> list[int]:
    """The days of the month whose cells hold one of `chips`."""
    return [int(day) for day in read_each(chips, "node => node.closest('td').querySelector('button').textContent")]


def mondays_watched_by_two(server, people, token, title: str, count: int):
    """A series on `count` Mondays from MONTH-03 in a new department, and two people (pat, quinn)
    watching its month live, the second one already showing every occurrence."""
    department = new_department(server)
    series = new_series(server, department, f"RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT={count}", title=title,
                        event_date=f"{MONTH}-03")
    alice, bob = two_watching(people, token, department)
    expect(series_chip(bob.page, title)).to_have_count(count)
    return series, alice, bob


def editor_on_month(people, token, department: dict, name: str, **context_options):
    """A new editor called `name` (a browser of their own, with `context_options`) showing the
    department's month: (person, page)."""
    person = people(token(name, "editor"), **context_options)
    return person, person.open(department["id"], MONTH)


def save(page) -> None:
    """저장 in the event dialog."""
    page.get_by_role("button", name="저장", exact=True).click()


def edit_event(page, iso: str, title: str) -> None:
    """The editor of the event `title` on day `iso`, opened from the day's list."""
    day_button(page, iso).click()
    page.get_by_role("button", name=f"{title} 편집").click()


def repeat_control(page):
    return page.get_by_role("combobox", name="반복", exact=True)


def open_occurrence(page, day: int, title: str) -> None:
    """The editor of the occurrence on `day`, once its series' rule is read into the repeat controls."""
    edit_event(page, f"{MONTH}-{day:02d}", title)
    expect(page.locator("#repeat-note")).not_to_have_text("반복 규칙을 읽는 중…")


# The text colour of each element and the backgrounds behind it, nearest first, as computed
# styles: found and read in one task of the page, so a grid drawn anew meanwhile (the live
# connection redraws it) cannot leave the query holding detached nodes.
_COLOURS = """selector => [...document.querySelectorAll(selector)].map(node => {
  const backgrounds = [];
  for (let at = node; at; at = at.parentElement) backgrounds.push(getComputedStyle(at).backgroundColor);
  return { html: node.outerHTML, text: getComputedStyle(node).color, backgrounds };
})"""


def _rgba(css: str) -> tuple[float, float, float, float]:
    parts = [float(part) for part in re.findall(r"[\d.]+", css)]
    return (*parts[:3], parts[3] if len(parts) > 3 else 1.0)


def _over(top: tuple, bottom: tuple) -> tuple:
    alpha = top[3]
    return (*(top[i] * alpha + bottom[i] * (1 - alpha) for i in range(3)), 1.0)


def _luminance(rgb: tuple) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
    red, green, blue = (channel(value) for value in rgb[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _ratio(colours: dict) -> float:
    behind = (255.0, 255.0, 255.0, 1.0)
    for background in reversed(colours["backgrounds"]):
        behind = _over(_rgba(background), behind)
    lighter, darker = sorted((_luminance(_over(_rgba(colours["text"]), behind)), _luminance(behind)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def contrasts(page, selector: str) -> dict[str, float]:
    """The WCAG contrast ratio of the text of each element the CSS selector matches against what is
    behind it (its own and its ancestors' background colours over white), from the browser's
    computed styles; keyed by the element's HTML."""
    return {colours["html"]: _ratio(colours) for colours in page.evaluate(_COLOURS, selector)}
