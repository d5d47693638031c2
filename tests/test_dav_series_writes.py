"""A series PUT over CalDAV against a live server on DynamoDB Local: the series and its changed
occurrences written together or not at all, an occurrence the client no longer overrides made the
series' own again, a series' alarm kept through an edit of the whole series over REST, and a UID
another resource of the calendar holds refused (RFC 4791 CALDAV:no-uid-conflict)."""
from __future__ import annotations

import uuid
from xml.etree import ElementTree as ET

import icalendar
import pytest

from support.dav_helpers import CALDAV, DAV, dav, department, new_token, vcalendar
from support.live_helpers import WAIT, http
from support.servers import start_live_server

pytestmark = [pytest.mark.live, pytest.mark.xdist_group("dav"),
              pytest.mark.parametrize("dynamodb_server", ["dynamodb-local"], indirect=True)]

WEEKLY = "RRULE:FREQ=WEEKLY;COUNT=4"
ALARM = "BEGIN:VALARM\nACTION:DISPLAY\nDESCRIPTION:알림\nTRIGGER:-PT10M\nEND:VALARM"


@pytest.fixture(scope="module")
def url(module_settings, tmp_path_factory):
    served = start_live_server(module_settings, tmp_path_factory.mktemp("dav-series") / "app.log")
    yield served.url
    served.stop()


@pytest.fixture
def calendar(url, module_settings):
    """(calendar URL, editor credentials, department id) of a new department."""
    sales = department(url)
    return f"{url}/dav/calendars/{sales['id']}/", new_token(module_settings, "editor", [sales["id"]]), sales["id"]


def _series(uid: str, title: str = "주간 점검", extra: str = "", overrides: tuple[tuple[str, str], ...] = ()) -> bytes:
    """A weekly series from Wednesday 2024-01-03 09:00 (Seoul), with changed occurrences given as
    (original day YYYYMMDD, title), each moved to 11:00."""
    body = vcalendar(uid, title, "20240103T090000", "20240103T100000", extra=f"{WEEKLY}\n{extra}").decode()
    for day, changed in overrides:
        vevent = vcalendar(uid, changed, f"{day}T110000", f"{day}T120000",
                           extra=f"RECURRENCE-ID;TZID=Asia/Seoul:{day}T090000").decode()
        body = body.replace("END:VCALENDAR\r\n", vevent[vevent.index("BEGIN:VEVENT"):])
    return body.encode()


def _listed(url: str, department_id: str) -> list[tuple[str, str, str]]:
    answer = http.get(f"{url}/api/events/{department_id}?from=2024-01-01&to=2024-01-31", timeout=WAIT)
    assert answer.status_code == 200, answer.text
    return [(e["event_date"], e.get("start_time", ""), e["title"]) for e in answer.json()]


def test_a_series_with_an_occurrence_it_does_not_give_is_refused_and_nothing_is_written(calendar, url):
    home, editor, department_id = calendar
    uid = str(uuid.uuid4())
    body = _series(uid, overrides=(("20240110", "옮김"), ("20240111", "목요일은 없음")))
    refused = dav("PUT", f"{home}{uid}.ics", editor, body, **{"If-None-Match": "*"})
    assert refused.status_code == 403
    assert "20240111" in ET.fromstring(refused.content).findtext(f"{{{DAV}}}responsedescription")
    assert http.get(f"{url}/api/events/{department_id}?expand=false", timeout=WAIT).json() == []
    assert dav("GET", f"{home}{uid}.ics", editor).status_code == 404


def test_series_and_changed_occurrences_then_one_dropped_by_the_client(calendar, url):
    home, editor, department_id = calendar
    uid = str(uuid.uuid4())
    put = dav("PUT", f"{home}{uid}.ics", editor, _series(uid, overrides=(("20240110", "옮김"), ("20240117", "또 옮김"))))
    assert put.status_code == 201, put.text
    assert _listed(url, department_id) == [("2024-01-03", "09:00", "주간 점검"), ("2024-01-10", "11:00", "옮김"),
                                           ("2024-01-17", "11:00", "또 옮김"), ("2024-01-24", "09:00", "주간 점검")]
    version = http.get(f"{url}/api/events/{department_id}/{uid}", timeout=WAIT).json()["version"]

    # The phone dropped the change of the 10th: that occurrence is the series' own again.
    assert dav("PUT", f"{home}{uid}.ics", editor, _series(uid, overrides=(("20240117", "또 옮김"),))).status_code == 204
    assert _listed(url, department_id) == [("2024-01-03", "09:00", "주간 점검"), ("2024-01-10", "09:00", "주간 점검"),
                                           ("2024-01-17", "11:00", "또 옮김"), ("2024-01-24", "09:00", "주간 점검")]
    vevents = icalendar.Calendar.from_ical(dav("GET", f"{home}{uid}.ics", editor).content).walk("VEVENT")
    assert [(str(v["SUMMARY"]), v.get("RECURRENCE-ID") is not None) for v in vevents] == [
        ("주간 점검", False), ("또 옮김", True)]
    # As the API's scope `this`: the series' own fields did not change, so neither did its version.
    assert http.get(f"{url}/api/events/{department_id}/{uid}", timeout=WAIT).json()["version"] == version


def test_an_occurrence_cancelled_on_its_own_is_no_longer_listed(calendar, url):
    home, editor, department_id = calendar
    uid = str(uuid.uuid4())
    body = _series(uid, overrides=(("20240110", "취소됨"),)).replace(
        "SUMMARY:취소됨\r\n".encode(), "SUMMARY:취소됨\r\nSTATUS:CANCELLED\r\n".encode())
    assert b"STATUS:CANCELLED" in body
    assert dav("PUT", f"{home}{uid}.ics", editor, body).status_code == 201
    assert _listed(url, department_id) == [("2024-01-03", "09:00", "주간 점검"), ("2024-01-17", "09:00", "주간 점검"),
                                           ("2024-01-24", "09:00", "주간 점검")]


def test_a_series_keeps_its_alarm_when_the_whole_series_is_changed_over_rest(calendar, url):
    home, editor, department_id = calendar
    uid = str(uuid.uuid4())
    assert dav("PUT", f"{home}{uid}.ics", editor, _series(uid, extra=ALARM, overrides=(("20240110", "옮김"),))
               ).status_code == 201
    changed = http.put(f"{url}/api/events/{uid}?scope=all", json={"title": "주간 점검 (새 이름)"}, timeout=WAIT)
    assert changed.status_code == 200, changed.text
    got = icalendar.Calendar.from_ical(dav("GET", f"{home}{uid}.ics", editor).content)
    main = next(v for v in got.walk("VEVENT") if "RECURRENCE-ID" not in v)
    assert (str(main["UID"]), str(main["SUMMARY"])) == (uid, "주간 점검 (새 이름)")
    [alarm] = main.walk("VALARM")
    assert str(alarm["DESCRIPTION"]) == "알림"

    # "This and following" from the 24th: the new series is a resource of its own, with the alarm too.
    split = http.put(f"{url}/api/events/{uid}_20240124?scope=following", json={"title": "새 점검"}, timeout=WAIT)
    assert split.status_code == 200, split.text
    tail = icalendar.Calendar.from_ical(dav("GET", f"{home}{split.json()['id']}.ics", editor).content)
    [vevent] = tail.walk("VEVENT")
    assert (str(vevent["SUMMARY"]), str(vevent["UID"])) == ("새 점검", split.json()["id"])
    assert [str(a["DESCRIPTION"]) for a in vevent.walk("VALARM")] == ["알림"]


def test_a_uid_another_resource_holds_is_a_409_naming_it(calendar, url):
    home, editor, department_id = calendar
    uid = f"{uuid.uuid4()}@phone.example.com"
    first = f"{uuid.uuid4()}.ics"
    assert dav("PUT", f"{home}{first}", editor, vcalendar(uid, "원래 일정")).status_code == 201
    for name in (f"{uuid.uuid4()}.ics", f"{uid}.ics"):
        refused = dav("PUT", f"{home}{name}", editor, vcalendar(uid, "같은 UID"), **{"If-None-Match": "*"})
        assert refused.status_code == 409, refused.text
        conflict = ET.fromstring(refused.content).find(f"{{{CALDAV}}}no-uid-conflict")
        assert conflict.findtext(f"{{{DAV}}}href") == f"{home.removeprefix(url)}{first}"
    rest = http.post(f"{url}/api/events/{department_id}", json={"event_date": "2024-02-01", "title": "REST 일정"},
                     timeout=WAIT).json()
    refused = dav("PUT", f"{home}{uuid.uuid4()}.ics", editor, vcalendar(rest["id"].upper(), "REST의 UID"))
    assert refused.status_code == 409
    listed = http.get(f"{url}/api/events/{department_id}?expand=false", timeout=WAIT).json()
    assert sorted(e["title"] for e in listed) == sorted(["원래 일정", "REST 일정"])
