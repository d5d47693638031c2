"""CalDAV discovery and PROPFIND against a live server on DynamoDB Local, with raw WebDAV requests:
the well-known redirect, HTTP Basic with a token as the password, one calendar per department the
token may read, read-only privileges for viewers, and the properties clients ask for that we lack
(iOS's Apple properties) answered as 404 inside the multistatus."""
from __future__ import annotations

import uuid
from xml.etree import ElementTree as ET

import pytest
import requests

from support.dav_helpers import CALDAV, DAV, dav, department, new_token, propstat, responses
from support.live_helpers import WAIT
from support.servers import start_live_server

pytestmark = [pytest.mark.live, pytest.mark.xdist_group("dav"),
              pytest.mark.parametrize("dynamodb_server", ["dynamodb-local"], indirect=True)]

APPLE = "http://apple.com/ns/ical/"
CALENDARSERVER = "http://calendarserver.org/ns/"
# What iOS's Calendar asks of each calendar of the home (trimmed to the properties that matter here).
IOS_PROPFIND = f"""<?xml version="1.0" encoding="UTF-8"?>
<A:propfind xmlns:A="DAV:" xmlns:B="{CALDAV}" xmlns:C="{APPLE}" xmlns:D="{CALENDARSERVER}">
  <A:prop>
    <A:displayname/><A:resourcetype/><A:sync-token/><D:getctag/><B:supported-calendar-component-set/>
    <A:current-user-privilege-set/><C:calendar-color/><C:calendar-order/><D:source/><B:schedule-calendar-transp/>
  </A:prop>
</A:propfind>"""


@pytest.fixture(scope="module")
def url(module_settings, tmp_path_factory):
    served = start_live_server(module_settings, tmp_path_factory.mktemp("dav-discovery") / "app.log")
    yield served.url
    served.stop()


def test_well_known_and_the_site_address_lead_to_the_dav_root(url):
    for method, path in (("PROPFIND", "/.well-known/caldav"), ("GET", "/.well-known/caldav"), ("PROPFIND", "/")):
        answer = dav(method, f"{url}{path}", None)
        assert answer.status_code == 301, (method, path)
        assert answer.headers["Location"].endswith("/dav/")


def test_without_credentials_the_answer_asks_for_basic(url, module_settings):
    answer = dav("PROPFIND", f"{url}/dav/", None, Depth="0")
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith('Basic realm="')
    assert dav("PROPFIND", f"{url}/dav/", ("someone", "cal_not-a-token"), Depth="0").status_code == 401


def test_options_declares_caldav_and_basic_or_bearer_both_work(url, module_settings):
    name, token = new_token(module_settings, "viewer")
    options = dav("OPTIONS", f"{url}/dav/", (name, token))
    assert options.status_code == 200
    assert options.headers["DAV"] == "1, 3, calendar-access"
    bearer = dav("PROPFIND", f"{url}/dav/", None, Depth="0", Authorization=f"Bearer {token}")
    principal = responses(bearer)["/dav/"].find(f".//{{{DAV}}}current-user-principal/{{{DAV}}}href")
    assert principal.text == "/dav/principal/"
    assert requests.get(f"{url}/api/departments", auth=(name, token), timeout=WAIT).status_code == 200  # REST too


def test_the_principal_names_the_calendar_home(url, module_settings):
    name, token = new_token(module_settings, "editor")
    body = f'<propfind xmlns="DAV:" xmlns:c="{CALDAV}"><prop><c:calendar-home-set/><displayname/></prop></propfind>'
    found = responses(dav("PROPFIND", f"{url}/dav/principal/", (name, token), body, Depth="0"))["/dav/principal/"]
    assert found.findtext(f".//{{{CALDAV}}}calendar-home-set/{{{DAV}}}href") == "/dav/calendars/"
    assert found.findtext(f".//{{{DAV}}}displayname") == name


def test_a_scoped_viewer_sees_only_its_departments_read_only(url, module_settings):
    sales, other = department(url, "영업부 DAV"), department(url)
    name, token = new_token(module_settings, "viewer", [sales["id"]])
    home = responses(dav("PROPFIND", f"{url}/dav/calendars/", (name, token), IOS_PROPFIND, Depth="1"))
    assert set(home) == {"/dav/calendars/", f"/dav/calendars/{sales['id']}/"}
    calendar = home[f"/dav/calendars/{sales['id']}/"]
    assert calendar.findtext(f".//{{{DAV}}}displayname") == "영업부 DAV"
    assert calendar.find(f".//{{{DAV}}}resourcetype/{{{CALDAV}}}calendar") is not None
    assert calendar.find(f".//{{{CALDAV}}}supported-calendar-component-set/{{{CALDAV}}}comp").get("name") == "VEVENT"
    privileges = {p.tag for p in calendar.findall(f".//{{{DAV}}}current-user-privilege-set/{{{DAV}}}privilege/*")}
    assert f"{{{DAV}}}read" in privileges and f"{{{DAV}}}write" not in privileges
    # iOS's Apple and calendarserver properties we do not hold: 404 inside the 207, the rest 200.
    assert set(propstat(calendar, 404)) == {f"{{{APPLE}}}calendar-color", f"{{{APPLE}}}calendar-order",
                                            f"{{{CALENDARSERVER}}}source", f"{{{CALDAV}}}schedule-calendar-transp"}
    assert f"{{{CALENDARSERVER}}}getctag" in propstat(calendar, 200)
    refused = dav("PROPFIND", f"{url}/dav/calendars/{other['id']}/", (name, token), IOS_PROPFIND, Depth="0")
    assert refused.status_code == 403


def test_an_editor_may_write(url, module_settings):
    sales = department(url)
    name, token = new_token(module_settings, "editor", [sales["id"]])
    body = '<propfind xmlns="DAV:"><prop><current-user-privilege-set/></prop></propfind>'
    found = responses(dav("PROPFIND", f"{url}/dav/calendars/{sales['id']}/", (name, token), body, Depth="0"))
    privileges = {p.tag for p in found[f"/dav/calendars/{sales['id']}/"].findall(f".//{{{DAV}}}privilege/*")}
    assert {f"{{{DAV}}}write", f"{{{DAV}}}bind", f"{{{DAV}}}unbind"} <= privileges


def test_a_body_with_an_entity_declaration_is_refused(url, module_settings):
    name, token = new_token(module_settings, "viewer")
    body = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><propfind xmlns="DAV:"><prop>&a;</prop></propfind>'
    assert dav("PROPFIND", f"{url}/dav/", (name, token), body, Depth="0").status_code == 400


def test_ios_setting_a_calendar_colour_is_refused_inside_the_multistatus(url, module_settings):
    sales = department(url)
    name, token = new_token(module_settings, "editor", [sales["id"]])
    body = (f'<A:propertyupdate xmlns:A="DAV:"><A:set><A:prop><C:calendar-color xmlns:C="{APPLE}">#FF2968FF'
            f'</C:calendar-color><C:calendar-order xmlns:C="{APPLE}">2</C:calendar-order></A:prop></A:set>'
            "</A:propertyupdate>")
    answered = responses(dav("PROPPATCH", f"{url}/dav/calendars/{sales['id']}/", (name, token), body))
    assert set(propstat(answered[f"/dav/calendars/{sales['id']}/"], 403)) == {
        f"{{{APPLE}}}calendar-color", f"{{{APPLE}}}calendar-order"}


MKCALENDAR = f"""<?xml version="1.0" encoding="UTF-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="{CALDAV}"><D:set><D:prop><D:displayname>새 캘린더</D:displayname></D:prop></D:set>
</C:mkcalendar>"""


def test_a_client_creating_a_calendar_is_told_calendars_are_departments(url, module_settings):
    """RFC 4791 5.3.1: 403 CALDAV:calendar-collection-location-ok where no calendar can be created,
    405 DAV:resource-must-be-null on one that exists; creation is never offered, nothing is created."""
    sales = department(url)
    editor = new_token(module_settings, "editor", [sales["id"]])
    listed = set(responses(dav("PROPFIND", f"{url}/dav/calendars/", editor, Depth="1")))
    for method, path in (("MKCALENDAR", f"/dav/calendars/{uuid.uuid4()}/"), ("MKCALENDAR", "/dav/calendars/work/"),
                         ("MKCOL", "/dav/calendars/personal/")):
        refused = dav(method, f"{url}{path}", editor, MKCALENDAR)
        assert refused.status_code == 403, (method, path, refused.text)
        error = ET.fromstring(refused.content)
        assert error.find(f"{{{CALDAV}}}calendar-collection-location-ok") is not None
        assert "POST /api/departments" in error.findtext(f"{{{DAV}}}responsedescription")
    existing = dav("MKCALENDAR", f"{url}/dav/calendars/{sales['id']}/", editor, MKCALENDAR)
    assert existing.status_code == 405
    assert ET.fromstring(existing.content).find(f"{{{DAV}}}resource-must-be-null") is not None
    assert "MKCALENDAR" not in existing.headers["Allow"]
    assert "MKCALENDAR" not in dav("OPTIONS", f"{url}/dav/calendars/", editor).headers.get("Allow", "")
    assert set(responses(dav("PROPFIND", f"{url}/dav/calendars/", editor, Depth="1"))) == listed
    assert dav("MKCALENDAR", f"{url}/dav/calendars/work/", None).status_code == 401
