"""The department calendar through the python `caldav` client, against a live server on DynamoDB
Local: discovery from the site's address, the calendars a token may read, create/read/update/delete
with Korean text (seen by the REST API, live on a socket, with the token as `updated_by`), viewers
refused, and sync-collection after writes made over REST."""
from __future__ import annotations

import uuid
from datetime import date, datetime

import caldav
import pytest
from caldav.lib.error import AuthorizationError

from support.dav_helpers import department, new_token, vcalendar
from support.live_helpers import WAIT, http
from support.servers import start_live_server

pytestmark = [pytest.mark.live, pytest.mark.xdist_group("dav"),
              pytest.mark.parametrize("dynamodb_server", ["dynamodb-local"], indirect=True)]


@pytest.fixture(scope="module")
def url(module_settings, tmp_path_factory):
    served = start_live_server(module_settings, tmp_path_factory.mktemp("dav-client") / "app.log")
    yield served.url
    served.stop()


def _calendars(url: str, name: str, token: str) -> dict[str, caldav.Calendar]:
    """The calendars the client finds from the site's address alone, by display name."""
    principal = caldav.DAVClient(url=f"{url}/", username=name, password=token).principal()
    return {calendar.name: calendar for calendar in principal.calendars()}


def _rest_event(url: str, department_id: str, event_id: str) -> dict:
    answer = http.get(f"{url}/api/events/{department_id}/{event_id}", timeout=WAIT)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_each_token_finds_the_calendars_of_its_departments(url, module_settings):
    sales, hr = department(url, f"영업부 {uuid.uuid4().hex[:6]}"), department(url, f"인사부 {uuid.uuid4().hex[:6]}")
    scoped = _calendars(url, *new_token(module_settings, "viewer", [sales["id"]]))
    assert list(scoped) == [sales["name"]]
    everyone = _calendars(url, *new_token(module_settings, "viewer"))
    assert {sales["name"], hr["name"]} <= set(everyone)


def test_create_read_update_delete_in_korean_seen_by_rest_and_live(url, module_settings, sockets):
    sales = department(url)
    name, token = new_token(module_settings, "editor", [sales["id"]])
    calendar = _calendars(url, name, token)[sales["name"]]
    watcher = sockets(url, token)
    watcher.join(sales["id"])
    uid = str(uuid.uuid4())

    created = calendar.save_event(vcalendar(uid, "주간 회의 — 회의실 3층").decode())
    stored = _rest_event(url, sales["id"], uid)
    assert (stored["title"], stored["event_date"], stored["start_time"], stored["end_time"]) == (
        "주간 회의 — 회의실 3층", "2024-01-20", "14:00", "15:30")
    assert stored["created_by"] == stored["updated_by"] == name
    assert watcher.next_event() == ("event_created", stored)

    read = calendar.event_by_uid(uid)
    assert str(read.icalendar_component["SUMMARY"]) == "주간 회의 — 회의실 3층"
    assert read.icalendar_component.DTSTART == datetime.fromisoformat("2024-01-20T14:00:00+09:00")

    read.icalendar_component["SUMMARY"] = "주간 회의 (변경)"
    read.save()
    changed = _rest_event(url, sales["id"], uid)
    assert (changed["title"], changed["version"], changed["start_time"]) == ("주간 회의 (변경)", 2, "14:00")
    assert watcher.next_event() == ("event_updated", changed)

    created.delete()
    assert http.get(f"{url}/api/events/{sales['id']}/{uid}", timeout=WAIT).status_code == 404
    assert watcher.next_event()[0] == "event_deleted"


def test_a_viewer_cannot_write(url, module_settings):
    sales = department(url)
    calendar = _calendars(url, *new_token(module_settings, "viewer", [sales["id"]]))[sales["name"]]
    with pytest.raises(AuthorizationError):
        calendar.save_event(vcalendar(str(uuid.uuid4()), "몰래 만든 일정").decode())
    assert http.get(f"{url}/api/events/{sales['id']}?expand=false", timeout=WAIT).json() == []


def test_sync_collection_follows_rest_creates_updates_and_deletes(url, module_settings):
    sales = department(url)
    calendar = _calendars(url, *new_token(module_settings, "viewer", [sales["id"]]))[sales["name"]]
    kept, changed, removed = (http.post(f"{url}/api/events/{sales['id']}", timeout=WAIT,
                                        json={"event_date": "2024-03-05", "title": title}).json()
                              for title in ("유지", "변경 전", "삭제 예정"))
    synced = calendar.objects_by_sync_token(load_objects=True)
    assert {str(o.icalendar_component["UID"]) for o in synced.objects} == {kept["id"], changed["id"], removed["id"]}

    assert http.put(f"{url}/api/events/{changed['id']}", json={"title": "변경 후"}, timeout=WAIT).status_code == 200
    assert http.delete(f"{url}/api/events/{removed['id']}", timeout=WAIT).status_code == 204
    added = http.post(f"{url}/api/events/{sales['id']}", json={"event_date": "2024-03-06", "title": "새 일정"},
                      timeout=WAIT).json()
    updated, deleted = synced.sync()
    assert {str(o.icalendar_component["UID"]) for o in updated} >= {changed["id"], added["id"]}
    # (the name in both cases: a tombstone does not know whether the client wrote its UUID in upper case)
    assert {str(o.url).rsplit("/", 1)[-1].lower() for o in deleted} == {f"{removed['id']}.ics"}
    titles = {str(o.icalendar_component["UID"]): str(o.icalendar_component["SUMMARY"]) for o in synced.objects}
    assert titles == {kept["id"]: "유지", changed["id"]: "변경 후", added["id"]: "새 일정"}


def test_calendar_query_finds_the_events_of_a_time_range(url, module_settings):
    sales = department(url)
    calendar = _calendars(url, *new_token(module_settings, "viewer", [sales["id"]]))[sales["name"]]
    inside, _outside = (http.post(f"{url}/api/events/{sales['id']}", timeout=WAIT,
                                  json={"event_date": day, "title": "범위"}).json() for day in ("2024-05-10", "2024-07-01"))
    found = calendar.search(start=date(2024, 5, 1), end=date(2024, 6, 1), event=True)
    assert [str(o.icalendar_component["UID"]) for o in found] == [inside["id"]]


def test_a_series_written_over_caldav_is_listed_as_the_page_shows_it(url, module_settings):
    sales = department(url)
    calendar = _calendars(url, *new_token(module_settings, "editor", [sales["id"]]))[sales["name"]]
    uid = str(uuid.uuid4())
    rule = "RRULE:FREQ=WEEKLY;COUNT=4\nEXDATE;TZID=Asia/Seoul:20240110T090000"
    calendar.save_event(vcalendar(uid, "주간 점검", "20240103T090000", "20240103T100000", extra=rule).decode())
    listed = http.get(f"{url}/api/events/{sales['id']}?from=2024-01-01&to=2024-01-31", timeout=WAIT).json()
    assert [(e["event_date"], e["start_time"], e["recurring_event_id"]) for e in listed] == [
        ("2024-01-03", "09:00", uid), ("2024-01-17", "09:00", uid), ("2024-01-24", "09:00", uid)]
    found = calendar.search(start=date(2024, 1, 16), end=date(2024, 1, 18), event=True)
    assert [str(o.icalendar_component["UID"]) for o in found] == [uid]
    assert calendar.search(start=date(2024, 1, 9), end=date(2024, 1, 11), event=True) == []


def test_a_caldav_edit_keeps_the_free_text_time_until_the_time_itself_changes(url, module_settings):
    sales = department(url)
    calendar = _calendars(url, *new_token(module_settings, "editor", [sales["id"]]))[sales["name"]]
    made = http.post(f"{url}/api/events/{sales['id']}", timeout=WAIT,
                     json={"event_date": "2024-02-01", "title": "면담", "time": "오후 2:00"}).json()
    event = calendar.event_by_uid(made["id"])
    assert event.icalendar_component.DTSTART == datetime.fromisoformat("2024-02-01T14:00:00+09:00")
    event.icalendar_component["SUMMARY"] = "면담 (확정)"
    event.save()
    renamed = _rest_event(url, sales["id"], made["id"])
    assert (renamed["title"], renamed["time"], "start_time" in renamed) == ("면담 (확정)", "오후 2:00", False)
    event = calendar.event_by_uid(made["id"])
    event.icalendar_component.DTSTART = datetime.fromisoformat("2024-02-01T15:00:00+09:00")
    event.icalendar_component.DTEND = datetime.fromisoformat("2024-02-01T16:00:00+09:00")
    event.save()
    moved = _rest_event(url, sales["id"], made["id"])
    assert (moved["time"], moved["start_time"], moved["end_time"]) == ("", "15:00", "16:00")


def test_a_phones_alarm_and_categories_survive_the_round_trip(url, module_settings):
    sales = department(url)
    calendar = _calendars(url, *new_token(module_settings, "editor", [sales["id"]]))[sales["name"]]
    uid = str(uuid.uuid4())
    alarm = "CATEGORIES:회의,중요\nX-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC\nBEGIN:VALARM\nACTION:DISPLAY\n" \
            "DESCRIPTION:알림\nTRIGGER:-PT15M\nEND:VALARM"
    calendar.save_event(vcalendar(uid, "알림 있는 회의", extra=alarm).decode())
    assert "caldav_properties" not in _rest_event(url, sales["id"], uid)  # the API shows only its fields

    event = calendar.event_by_uid(uid)
    [valarm] = event.icalendar_component.walk("VALARM")
    assert (str(valarm["TRIGGER"].to_ical().decode()), str(valarm["DESCRIPTION"])) == ("-PT15M", "알림")
    assert event.icalendar_component["CATEGORIES"].cats == ["회의", "중요"]
    assert str(event.icalendar_component["X-APPLE-TRAVEL-ADVISORY-BEHAVIOR"]) == "AUTOMATIC"

    event.icalendar_component["SUMMARY"] = "알림 있는 회의 (변경)"
    event.save()
    synced = calendar.objects_by_sync_token(load_objects=True)
    [again] = [o for o in synced.objects if str(o.icalendar_component["UID"]) == uid]
    assert str(again.icalendar_component["SUMMARY"]) == "알림 있는 회의 (변경)"
    assert len(again.icalendar_component.walk("VALARM")) == 1

    again.icalendar_component.subcomponents.clear()  # the alarm removed on the phone
    again.save()
    assert calendar.event_by_uid(uid).icalendar_component.walk("VALARM") == []
    assert _rest_event(url, sales["id"], uid)["version"] == 3


def test_a_series_with_a_moved_and_a_cancelled_occurrence_written_over_caldav(url, module_settings):
    sales = department(url)
    calendar = _calendars(url, *new_token(module_settings, "editor", [sales["id"]]))[sales["name"]]
    uid = str(uuid.uuid4())
    series = vcalendar(uid, "주간 점검", "20240103T090000", "20240103T100000",
                       extra="RRULE:FREQ=WEEKLY;COUNT=4\nEXDATE;TZID=Asia/Seoul:20240110T090000").decode()
    moved = vcalendar(uid, "주간 점검 (목요일로)", "20240118T110000", "20240118T120000",
                      extra="RECURRENCE-ID;TZID=Asia/Seoul:20240117T090000").decode()
    body = series.replace("END:VCALENDAR\r\n", moved[moved.index("BEGIN:VEVENT"):])
    calendar.save_event(body)

    listed = http.get(f"{url}/api/events/{sales['id']}?from=2024-01-01&to=2024-01-31", timeout=WAIT).json()
    assert [(e["event_date"], e["start_time"], e["title"]) for e in listed] == [
        ("2024-01-03", "09:00", "주간 점검"), ("2024-01-18", "11:00", "주간 점검 (목요일로)"),
        ("2024-01-24", "09:00", "주간 점검")]
    read = calendar.event_by_uid(uid)
    vevents = read.icalendar_instance.walk("VEVENT")
    assert [(str(v["SUMMARY"]), v.get("RECURRENCE-ID") is not None) for v in vevents] == [
        ("주간 점검", False), ("주간 점검 (목요일로)", True)]
    version = _rest_event(url, sales["id"], uid)["version"]
    read.save()  # saved back as read: nothing changes
    assert _rest_event(url, sales["id"], uid)["version"] == version

    vevents[1]["SUMMARY"] = "주간 점검 (목요일, 회의실 변경)"
    vevents[0].add("EXDATE", datetime.fromisoformat("2024-01-24T09:00:00+09:00"))  # cancelled on the phone
    read.save()
    listed = http.get(f"{url}/api/events/{sales['id']}?from=2024-01-01&to=2024-01-31", timeout=WAIT).json()
    assert [(e["event_date"], e["title"]) for e in listed] == [
        ("2024-01-03", "주간 점검"), ("2024-01-18", "주간 점검 (목요일, 회의실 변경)")]
