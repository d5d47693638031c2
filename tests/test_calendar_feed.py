"""GET /api/departments/<id>/calendar.ics: the feed parsed back with icalendar, event by event."""
from __future__ import annotations

import socket
import uuid
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest
import requests

from auth import TokenStore
from auth.tokens import TOKEN_PREFIX
from support.live_helpers import SERVER_COMMANDS, WAIT, read_until_closed, start_shell_server
from support.servers import api_client

SEOUL = ZoneInfo("Asia/Seoul")


def _feed(client, department_id, **headers):
    return client.get(f"/api/departments/{department_id}/calendar.ics", headers=headers)


def _vevents(response) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(response.data)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_feed_holds_each_event_timed_or_all_day(client, make_department, make_event):
    department = make_department("영업부", "Sales")
    cases = {
        "오후 2:00": (datetime(2024, 1, 20, 14, 0, tzinfo=SEOUL), datetime(2024, 1, 20, 15, 0, tzinfo=SEOUL)),
        "오전 9:30": (datetime(2024, 1, 20, 9, 30, tzinfo=SEOUL), datetime(2024, 1, 20, 10, 30, tzinfo=SEOUL)),
        "14:00": (datetime(2024, 1, 20, 14, 0, tzinfo=SEOUL), datetime(2024, 1, 20, 15, 0, tzinfo=SEOUL)),
        "2:00 PM": (datetime(2024, 1, 20, 14, 0, tzinfo=SEOUL), datetime(2024, 1, 20, 15, 0, tzinfo=SEOUL)),
        "14:00-15:30": (datetime(2024, 1, 20, 14, 0, tzinfo=SEOUL), datetime(2024, 1, 20, 15, 30, tzinfo=SEOUL)),
        "23:00-01:00": (datetime(2024, 1, 20, 23, 0, tzinfo=SEOUL), datetime(2024, 1, 21, 1, 0, tzinfo=SEOUL)),
        "종일": (date(2024, 1, 20), date(2024, 1, 21)),
        "": (date(2024, 1, 20), date(2024, 1, 21)),
    }
    made = {text: make_event(department["id"], time=text, title=f"회의 {text}") for text in cases}
    response = _feed(client, department["id"])
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    vevents = _vevents(response)
    assert set(vevents) == {event["id"] for event in made.values()}
    for text, (start, end) in cases.items():
        vevent = vevents[made[text]["id"]]
        assert (vevent.DTSTART, vevent.DTEND) == (start, end), text
        assert type(vevent.DTSTART) is type(start), text  # all-day events are dates, not midnights
        assert str(vevent["SUMMARY"]) == f"회의 {text}"
        if isinstance(start, datetime):
            assert vevent["DTSTART"].params["TZID"] == "Asia/Seoul"


def test_feed_keeps_description_and_url_and_declares_its_timezone(client, make_department, make_event):
    department = make_department("개발부")
    event = make_event(department["id"], time="오후 2:00", description="첫 줄\n둘째 줄, 쉼표; 세미콜론",
                       url="https://intranet.example.com/meetings/1?a=b")
    response = _feed(client, department["id"])
    calendar = icalendar.Calendar.from_ical(response.data)
    vevent = _vevents(response)[event["id"]]
    # The description, then who made the event, as the page says it.
    assert str(vevent["DESCRIPTION"]) == "첫 줄\n둘째 줄, 쉼표; 세미콜론\n\n작성 system"
    assert str(vevent["URL"]) == "https://intranet.example.com/meetings/1?a=b"
    assert vevent.DTSTAMP == datetime.fromisoformat(event["last_modified"]).replace(microsecond=0)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Seoul"]
    assert str(calendar["X-WR-CALNAME"]) == "개발부"
    assert b"\r\n" in response.data and response.data.decode("utf-8")


def test_feed_answers_304_while_unchanged_and_a_new_etag_after_a_change(client, make_department, make_event):
    department = make_department()
    event = make_event(department["id"], time="14:00")
    first = _feed(client, department["id"])
    etag = first.headers["ETag"]
    assert _feed(client, department["id"]).headers["ETag"] == etag  # same events, same bytes
    unchanged = _feed(client, department["id"], **{"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.data == b""
    assert client.put(f"/api/events/{event['id']}", json={"time": "15:00"}).status_code == 200
    changed = _feed(client, department["id"], **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert _vevents(changed)[event["id"]].DTSTART.hour == 15


def test_calendar_timezone_setting_places_the_times(settings, db, make_department, make_event):
    client = api_client(settings.with_overrides(calendar_timezone="Europe/Berlin"), db)
    department = make_department()
    event = make_event(department["id"], time="오전 9:30")
    vevent = _vevents(_feed(client, department["id"]))[event["id"]]
    assert vevent.DTSTART == datetime(2024, 1, 20, 9, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    assert vevent.DTEND - vevent.DTSTART == timedelta(hours=1)


def test_unknown_department_is_a_json_404(client):
    response = _feed(client, "00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_an_unknown_timezone_setting_is_refused_by_name(monkeypatch):
    from config import Settings

    monkeypatch.setenv("CALENDAR_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ValueError, match="CALENDAR_TIMEZONE"):
        Settings.from_env()


# -- the feed under auth: ?token= (viewer only), the Authorization header, department scope --------


@pytest.fixture
def viewer_client(app):
    """A test client that sends no token unless a test puts one in the URL or a header."""
    return app.test_client()


def _token(db, role: str, departments: list[str] | None = None) -> str:
    return TokenStore(db).create(f"{role}-{uuid.uuid4().hex[:6]}", role, departments)


def test_a_viewer_token_in_the_url_or_the_header_reads_the_feed(viewer_client, db, make_department, make_event):
    department = make_department("영업부")
    event = make_event(department["id"], time="오후 2:00")
    token = _token(db, "viewer", [department["id"]])
    in_url = viewer_client.get(f"/api/departments/{department['id']}/calendar.ics?token={token}")
    assert in_url.status_code == 200 and in_url.mimetype == "text/calendar"
    assert set(_vevents(in_url)) == {event["id"]}
    in_header = _feed(viewer_client, department["id"], Authorization=f"Bearer {token}")
    assert in_header.status_code == 200 and in_header.data == in_url.data
    unchanged = viewer_client.get(f"/api/departments/{department['id']}/calendar.ics?token={token}",
                                  headers={"If-None-Match": in_url.headers["ETag"]})
    assert unchanged.status_code == 304


@pytest.mark.parametrize("token", [None, "", "cal_not-a-token"])
def test_no_token_or_an_unknown_one_is_a_json_401(viewer_client, make_department, token):
    department = make_department()
    query = "" if token is None else f"?token={token}"
    response = viewer_client.get(f"/api/departments/{department['id']}/calendar.ics{query}")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["error"] == "unauthorized"
    assert b"BEGIN:VCALENDAR" not in response.data


def test_a_token_scoped_to_another_department_is_a_403(viewer_client, db, make_department, make_event):
    mine, other = make_department("A"), make_department("B")
    make_event(other["id"], title="비밀 회의")
    token = _token(db, "viewer", [mine["id"]])
    for response in (viewer_client.get(f"/api/departments/{other['id']}/calendar.ics?token={token}"),
                     _feed(viewer_client, other["id"], Authorization=f"Bearer {token}")):
        assert response.status_code == 403
        assert response.get_json()["error"] == "forbidden"
        assert "비밀 회의".encode() not in response.data


@pytest.mark.parametrize("role", ["editor", "admin"])
def test_a_token_with_more_than_read_rights_is_refused_in_the_url_but_not_in_the_header(
        viewer_client, db, make_department, role):
    """A URL ends up in calendar servers, proxies and bookmarks: only a read-only token may go there."""
    department = make_department()
    token = _token(db, role)
    in_url = viewer_client.get(f"/api/departments/{department['id']}/calendar.ics?token={token}")
    assert in_url.status_code == 403
    assert in_url.get_json()["error"] == "forbidden" and "viewer" in in_url.get_json()["message"]
    assert _feed(viewer_client, department["id"], Authorization=f"Bearer {token}").status_code == 200


def test_no_other_route_takes_a_token_in_the_url(viewer_client, db, make_department):
    department = make_department()
    token = _token(db, "viewer")
    for path in (f"/api/departments/{department['id']}", f"/api/events/{department['id']}", "/api/departments"):
        assert viewer_client.get(f"{path}?token={token}").status_code == 401, path


@pytest.mark.live
@pytest.mark.parametrize("dynamodb_server", ["dynamodb-local"], indirect=True)
@pytest.mark.parametrize("server", ["gunicorn", "werkzeug"])
def test_a_token_in_the_feed_url_never_reaches_the_server_log(server, settings, db, make_department, make_event,
                                                               tmp_path):
    department = make_department()
    make_event(department["id"], time="14:00")
    viewer, editor = _token(db, "viewer"), _token(db, "editor")
    log_path = tmp_path / "server.log"
    # Every log line the server writes, Werkzeug's and gunicorn's request lines included.
    command = SERVER_COMMANDS["threading"] if server == "gunicorn" else "python backend/wsgi.py"
    live = start_shell_server(command, settings, log_path, SOCKETIO_ASYNC_MODE="threading", LOG_LEVEL="DEBUG",
                              LOG_FORMAT="text")
    try:
        feed = f"{live.url}/api/departments/{department['id']}/calendar.ics"
        assert requests.get(f"{feed}?token={viewer}", timeout=WAIT).status_code == 200
        assert requests.get(f"{feed}?token={editor}", timeout=WAIT).status_code == 403
        assert requests.get(f"{feed}?token={viewer}x", timeout=WAIT).status_code == 401
        # Request lines a server refuses (or reads as HTTP/0.9) itself: servers log such lines whole.
        for garbage in (f"GET {urlsplit(feed).path}?token={viewer}", f"GET {urlsplit(feed).path}?token={viewer} HTTP/1.1 x"):
            with socket.create_connection(urlsplit(live.url).netloc.split(":"), timeout=WAIT) as conn:
                conn.sendall(f"{garbage}\r\nHost: 127.0.0.1\r\n\r\n".encode())
                assert read_until_closed(conn)
    finally:
        live.stop()
    log = log_path.read_text()
    assert "calendar.ics" in log  # the requests were logged...
    assert "--- Logging error ---" not in log  # ...every line as its format says
    for secret in (viewer, editor, viewer.removeprefix(TOKEN_PREFIX)[:20]):
        assert secret not in log  # ...without the token


def test_feed_says_who_made_each_event_and_who_changed_it_last(client, db, make_department):
    department = make_department("기획부")
    made = client.post(f"/api/events/{department['id']}", json={"event_date": "2024-03-05", "title": "회의"}).get_json()
    bare = client.post(f"/api/events/{department['id']}", json={"event_date": "2024-03-06", "title": "점검",
                                                                "description": "3층"}).get_json()
    client.put(f"/api/events/{bare['id']}", json={"title": "정기 점검"}, headers={"Authorization": f"Bearer {_token(db, 'editor')}"})
    vevents = _vevents(_feed(client, department["id"]))
    assert str(vevents[made["id"]]["DESCRIPTION"]) == f"작성 {made['created_by']}"
    changed = client.get(f"/api/events/{department['id']}/{bare['id']}").get_json()
    assert changed["updated_by"] != changed["created_by"]
    assert str(vevents[bare["id"]]["DESCRIPTION"]) == f"3층\n\n작성 {changed['created_by']} · 수정 {changed['updated_by']}"
