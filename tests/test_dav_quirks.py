"""What calendar apps send, as raw WebDAV requests against a live server on DynamoDB Local: DAVx5's
`If-None-Match: *` creates and empty-token sync, a stale `If-Match` (412), a sync token we never
issued (403 DAV:valid-sync-token), Thunderbird's calendar-query, multiget of a missing resource, and
calendar data our validation refuses (403 with the CalDAV precondition and the reason)."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

import icalendar
import pytest

from rules import sync_tokens
from support.dav_helpers import CALDAV, DAV, dav, department, new_token, responses, vcalendar
from support.live_helpers import WAIT, http, token_for
from support.servers import start_live_server

pytestmark = [pytest.mark.live, pytest.mark.xdist_group("dav"),
              pytest.mark.parametrize("dynamodb_server", ["dynamodb-local"], indirect=True)]

SYNC = ('<d:sync-collection xmlns:d="DAV:"><d:sync-token>{token}</d:sync-token><d:sync-level>1</d:sync-level>'
        "<d:prop><d:getetag/></d:prop></d:sync-collection>")
# Thunderbird's query for a month of events (its own shape: getetag only, comp-filters nested).
THUNDERBIRD_QUERY = f"""<?xml version="1.0" encoding="UTF-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="{CALDAV}">
  <D:prop><D:getetag/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
    <C:time-range start="20240401T000000Z" end="20240501T000000Z"/>
  </C:comp-filter></C:comp-filter></C:filter>
</C:calendar-query>"""


@pytest.fixture(scope="module")
def url(module_settings, tmp_path_factory):
    served = start_live_server(module_settings, tmp_path_factory.mktemp("dav-quirks") / "app.log")
    yield served.url
    served.stop()


@pytest.fixture
def calendar(url, module_settings):
    """(calendar URL, editor credentials) of a new department."""
    sales = department(url)
    return f"{url}/dav/calendars/{sales['id']}/", new_token(module_settings, "editor", [sales["id"]]), sales["id"]


def _token_of(answer) -> str:
    return ET.fromstring(answer.content).findtext(f"{{{DAV}}}sync-token")


def test_davx5_creates_with_if_none_match_and_a_second_create_is_412(calendar):
    home, editor, _ = calendar
    uid = str(uuid.uuid4())
    first = dav("PUT", f"{home}{uid}.ics", editor, vcalendar(uid, "첫 번째"), **{"If-None-Match": "*",
                                                                               "Content-Type": "text/calendar"})
    assert first.status_code == 201
    again = dav("PUT", f"{home}{uid}.ics", editor, vcalendar(uid, "덮어쓰기"), **{"If-None-Match": "*"})
    assert again.status_code == 412
    got = dav("GET", f"{home}{uid}.ics", editor)
    assert "SUMMARY:첫 번째" in got.text and got.headers["ETag"] == '"1"'


def test_a_stale_if_match_is_412_and_changes_nothing(calendar, url):
    home, editor, _ = calendar
    uid = str(uuid.uuid4())
    assert dav("PUT", f"{home}{uid}.ics", editor, vcalendar(uid, "원래")).status_code == 201
    assert http.put(f"{url}/api/events/{uid}", json={"title": "다른 사람이 바꿈"}, timeout=WAIT).status_code == 200
    stale = dav("PUT", f"{home}{uid}.ics", editor, vcalendar(uid, "늦은 변경"), **{"If-Match": '"1"'})
    assert stale.status_code == 412
    assert dav("DELETE", f"{home}{uid}.ics", editor, **{"If-Match": '"1"'}).status_code == 412
    current = dav("GET", f"{home}{uid}.ics", editor)
    assert "SUMMARY:다른 사람이 바꿈" in current.text and current.headers["ETag"] == '"2"'
    fresh = dav("PUT", f"{home}{uid}.ics", editor, vcalendar(uid, "최신 변경"), **{"If-Match": '"2"'})
    assert fresh.status_code == 204
    assert dav("DELETE", f"{home}{uid}.ics", editor, **{"If-Match": '"3"'}).status_code == 204


def test_sync_with_an_empty_token_then_deletions_come_back_as_404(calendar, url):
    home, editor, department_id = calendar
    made = [http.post(f"{url}/api/events/{department_id}", json={"event_date": "2024-04-02", "title": f"일정 {n}"},
                      timeout=WAIT).json() for n in range(3)]
    everything = dav("REPORT", home, editor, SYNC.format(token=""))
    assert set(responses(everything)) == {f"/dav/calendars/{department_id}/{e['id']}.ics" for e in made}
    assert http.delete(f"{url}/api/events/{made[0]['id']}", timeout=WAIT).status_code == 204
    later = responses(dav("REPORT", home, editor, SYNC.format(token=_token_of(everything))))
    gone = later[f"/dav/calendars/{department_id}/{made[0]['id']}.ics"]
    assert gone.findtext(f"{{{DAV}}}status") == "HTTP/1.1 404 Not Found"


def test_a_sync_token_we_never_issued_or_expired_is_403_valid_sync_token(calendar, url, module_settings):
    home, editor, department_id = calendar
    other = department(url)
    issued_elsewhere = _token_of(dav("REPORT", f"{url}/dav/calendars/{other['id']}/", None,
                                     SYNC.format(token=""), Authorization=f"Bearer {token_for(url)}"))
    expired = "urn:x-department-calendar:sync:" + sync_tokens.new_token(department_id, datetime.now(UTC) - timedelta(
        days=module_settings.sync_tombstone_days + 1))  # older than the tombstones: a full resync is needed
    for token in ("http://example.com/ns/sync/1234", "urn:x-department-calendar:sync:bm90LWEtdG9rZW4",
                  issued_elsewhere, expired):
        refused = dav("REPORT", home, editor, SYNC.format(token=token))
        assert refused.status_code == 403, token
        assert ET.fromstring(refused.content).find(f"{{{DAV}}}valid-sync-token") is not None


def test_thunderbird_calendar_query_and_multiget_of_a_missing_resource(calendar, url):
    home, editor, department_id = calendar
    april, _june = (http.post(f"{url}/api/events/{department_id}", json={"event_date": day, "title": "조회"},
                              timeout=WAIT).json() for day in ("2024-04-15", "2024-06-15"))
    found = responses(dav("REPORT", home, editor, THUNDERBIRD_QUERY, Depth="1"))
    assert list(found) == [f"/dav/calendars/{department_id}/{april['id']}.ics"]
    missing = f"/dav/calendars/{department_id}/{uuid.uuid4()}.ics"
    multiget = (f'<c:calendar-multiget xmlns:d="DAV:" xmlns:c="{CALDAV}"><d:prop><d:getetag/><c:calendar-data/>'
                f"</d:prop><d:href>{home.split(url)[1]}{april['id']}.ics</d:href><d:href>{missing}</d:href>"
                "</c:calendar-multiget>")
    answered = responses(dav("REPORT", home, editor, multiget, Depth="1"))
    assert "SUMMARY:조회" in answered[f"/dav/calendars/{department_id}/{april['id']}.ics"].findtext(
        f".//{{{CALDAV}}}calendar-data")
    assert answered[missing].findtext(f"{{{DAV}}}status") == "HTTP/1.1 404 Not Found"


@pytest.mark.parametrize(("body", "precondition", "reason"), [
    (lambda uid: vcalendar(uid, "x").replace(b"DTSTART;TZID=Asia/Seoul:20240120T140000\r\n", b""),
     "valid-calendar-object-resource", "DTSTART"),
    (lambda uid: vcalendar(uid, "가" * 201), "valid-calendar-object-resource", "title"),
    (lambda uid: vcalendar(uid, "매시간", extra="RRULE:FREQ=HOURLY"), "valid-calendar-object-resource", "recurrence"),
    (lambda uid: vcalendar("u" * 256, "너무 긴 UID"), "valid-calendar-object-resource", "UID"),
    (lambda uid: b"not a calendar", "valid-calendar-data", "iCalendar"),
])
def test_calendar_data_we_refuse_is_403_with_the_precondition_and_why(calendar, url, body, precondition, reason):
    home, editor, department_id = calendar
    uid = str(uuid.uuid4())
    refused = dav("PUT", f"{home}{uid}.ics", editor, body(uid), **{"Content-Type": "text/calendar"})
    assert refused.status_code == 403
    error = ET.fromstring(refused.content)
    assert error.find(f"{{{CALDAV}}}{precondition}") is not None
    assert reason in error.findtext(f"{{{DAV}}}responsedescription")
    assert http.get(f"{url}/api/events/{department_id}?expand=false", timeout=WAIT).json() == []


def test_a_series_with_an_occurrence_changed_over_rest_is_one_resource_whose_etag_follows_it(calendar, url):
    home, editor, department_id = calendar
    series = http.post(f"{url}/api/events/{department_id}", timeout=WAIT, json={
        "event_date": "2024-01-01", "title": "주간 회의", "start_time": "10:00",
        "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=3"]}).json()
    before = dav("GET", f"{home}{series['id']}.ics", editor)
    changed = http.put(f"{url}/api/events/{series['id']}_20240108", json={"title": "옮긴 회의"}, timeout=WAIT)
    assert changed.status_code == 200, changed.text
    after = dav("GET", f"{home}{series['id']}.ics", editor)
    assert after.headers["ETag"] != before.headers["ETag"]
    vevents = icalendar.Calendar.from_ical(after.content).walk("VEVENT")
    assert {str(v["UID"]) for v in vevents} == {series["id"]}
    assert [(str(v["SUMMARY"]), "RECURRENCE-ID" in v) for v in vevents] == [("주간 회의", False), ("옮긴 회의", True)]
    listed = responses(dav("PROPFIND", home, editor, '<propfind xmlns="DAV:"><prop><getetag/></prop></propfind>',
                           Depth="1"))
    assert set(listed) == {home.removeprefix(url), f"{home.removeprefix(url)}{series['id']}.ics"}
    assert listed[f"{home.removeprefix(url)}{series['id']}.ics"].findtext(f".//{{{DAV}}}getetag") == after.headers["ETag"]
    assert dav("DELETE", f"{home}{series['id']}.ics", editor, **{"If-Match": after.headers["ETag"]}).status_code == 204
    assert http.get(f"{url}/api/events/{department_id}?expand=false", timeout=WAIT).json() == []  # exception too


def test_ios_upper_case_uuids_come_back_as_written(calendar, url):
    home, editor, department_id = calendar
    uid = str(uuid.uuid4()).upper()  # iOS names resources and UIDs with upper-case UUIDs
    path = f"{home.removeprefix(url)}{uid}.ics"
    assert dav("PUT", f"{url}{path}", editor, vcalendar(uid, "아이폰 일정")).status_code == 201
    listed = responses(dav("PROPFIND", home, editor, '<propfind xmlns="DAV:"><prop><getetag/></prop></propfind>',
                           Depth="1"))
    assert path in listed
    assert f"UID:{uid}\r\n" in dav("GET", f"{url}{path}", editor).text
    assert http.get(f"{url}/api/events/{department_id}/{uid.lower()}", timeout=WAIT).status_code == 200
    synced = dav("REPORT", home, editor, SYNC.format(token=""))
    assert set(responses(synced)) == {path}
    assert http.delete(f"{url}/api/events/{uid.lower()}", timeout=WAIT).status_code == 204
    later = responses(dav("REPORT", home, editor, SYNC.format(token=_token_of(synced))))
    assert later[path].findtext(f"{{{DAV}}}status") == "HTTP/1.1 404 Not Found"


def test_davx5_keeps_an_invitations_uid_under_a_name_of_its_own(calendar, url):
    home, editor, department_id = calendar
    name, uid = str(uuid.uuid4()), "040000008200E00074C5B7101A82E008@example.com"  # not a UUID
    assert dav("PUT", f"{home}{name}.ics", editor, vcalendar(uid, "초대받은 회의"), **{"If-None-Match": "*"}).status_code == 201
    assert f"UID:{uid}\r\n" in dav("GET", f"{home}{name}.ics", editor).text
    assert set(responses(dav("REPORT", home, editor, SYNC.format(token="")))) == {f"{home.removeprefix(url)}{name}.ics"}
    assert http.get(f"{url}/api/events/{department_id}/{name}", timeout=WAIT).json()["title"] == "초대받은 회의"


def test_an_open_ended_calendar_query_answers_at_once_with_every_resource(calendar, url):
    """A range without an end would be thousands of month-list Queries: it is answered with every
    resource instead (a superset the client filters), in one Query."""
    home, editor, department_id = calendar
    made = [http.post(f"{url}/api/events/{department_id}", json={"event_date": day, "title": "열린 범위"},
                      timeout=WAIT).json() for day in ("2023-12-31", "2031-03-01")]
    open_ended = THUNDERBIRD_QUERY.replace(' end="20240501T000000Z"', "")
    found = responses(dav("REPORT", home, editor, open_ended, Depth="1"))
    assert set(found) == {f"/dav/calendars/{department_id}/{event['id']}.ics" for event in made}


def test_a_resource_is_the_same_bytes_under_the_same_etag_when_its_department_is_renamed(calendar, url):
    home, editor, department_id = calendar
    uid = str(uuid.uuid4())
    assert dav("PUT", f"{home}{uid}.ics", editor, vcalendar(uid, "이름 바뀌는 부서")).status_code == 201
    before = dav("GET", f"{home}{uid}.ics", editor)
    renamed = http.patch(f"{url}/api/departments/{department_id}", json={"name": f"새 이름 {uuid.uuid4().hex[:6]}"},
                         timeout=WAIT)
    assert renamed.status_code == 200, renamed.text
    after = dav("GET", f"{home}{uid}.ics", editor)
    assert (after.headers["ETag"], after.content) == (before.headers["ETag"], before.content)
    assert b"X-WR-CALNAME" not in after.content and b"BEGIN:VTIMEZONE" in after.content


def test_evolution_names_a_resource_by_a_uid_that_is_no_uuid(calendar, url):
    home, editor, department_id = calendar
    uid = f"20240120T050000Z-{uuid.uuid4().hex[:6]}-1000-1-0@laptop.example.com"
    path = f"{home.removeprefix(url)}{uid}.ics"
    assert dav("PUT", f"{url}{path}", editor, vcalendar(uid, "에볼루션 일정"), **{"If-None-Match": "*"}).status_code == 201
    assert f"UID:{uid}\r\n" in dav("GET", f"{url}{path}", editor).text
    listed = responses(dav("PROPFIND", home, editor, '<propfind xmlns="DAV:"><prop><getetag/></prop></propfind>',
                           Depth="1"))
    assert path in listed
    [event] = http.get(f"{url}/api/events/{department_id}?expand=false", timeout=WAIT).json()
    assert event["title"] == "에볼루션 일정"
    assert dav("PUT", f"{url}{path}", editor, vcalendar(uid, "에볼루션 일정 (변경)"),
               **{"If-Match": listed[path].findtext(f".//{{{DAV}}}getetag")}).status_code == 204
    assert dav("DELETE", f"{url}{path}", editor).status_code == 204
    assert http.get(f"{url}/api/events/{department_id}/{event['id']}", timeout=WAIT).status_code == 404
    assert dav("PUT", f"{home}bad%20name.ics", editor, vcalendar("x", "이름")).status_code == 403
