"""What the CalDAV tests share: tokens as HTTP Basic credentials, departments made over REST, calendar
objects as clients write them, and WebDAV requests with XML bodies."""
from __future__ import annotations

import uuid
from xml.etree import ElementTree as ET

import requests

from auth import TokenStore
from models import DynamoDBDatabase
from support.live_helpers import WAIT, http

DAV = "DAV:"
CALDAV = "urn:ietf:params:xml:ns:caldav"


def new_token(settings, role: str, departments: list[str] | None = None) -> tuple[str, str]:
    """(name, token) of a new token of `role`, limited to `departments` when given."""
    name = f"{role}-{uuid.uuid4().hex[:8]}"
    return name, TokenStore(DynamoDBDatabase(settings)).create(name, role, departments)


def department(url: str, name: str | None = None) -> dict:
    answer = http.post(f"{url}/api/departments", json={"name": name or f"부서 {uuid.uuid4().hex[:8]}"}, timeout=WAIT)
    assert answer.status_code == 201, answer.text
    return answer.json()


def vcalendar(uid: str, summary: str, start: str = "20240120T140000", end: str = "20240120T153000",
              extra: str = "") -> bytes:
    """A calendar object as phones write one: times in Asia/Seoul, CRLF lines."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//dav//KO", "BEGIN:VEVENT", f"UID:{uid}",
             "DTSTAMP:20240101T000000Z", f"DTSTART;TZID=Asia/Seoul:{start}", f"DTEND;TZID=Asia/Seoul:{end}",
             f"SUMMARY:{summary}", *[line for line in extra.split("\n") if line], "END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(lines) + "\r\n").encode()


def dav(method: str, url: str, auth: tuple[str, str] | None, body: str | bytes | None = None,
        **headers: str) -> requests.Response:
    """One WebDAV request with HTTP Basic credentials (name, token), no redirect followed."""
    return requests.request(method, url, auth=auth, data=body, timeout=WAIT, allow_redirects=False,
                            headers={"Content-Type": "application/xml; charset=utf-8", **headers})


def responses(answer: requests.Response) -> dict[str, ET.Element]:
    """The `response` elements of a multistatus, by href."""
    assert answer.status_code == 207, answer.text
    root = ET.fromstring(answer.content)
    return {found.findtext(f"{{{DAV}}}href"): found for found in root.findall(f"{{{DAV}}}response")}


def propstat(response: ET.Element, status: int) -> list[str]:
    """The names of the properties answered with `status` in one `response`."""
    return [prop.tag for found in response.findall(f"{{{DAV}}}propstat")
            if f" {status} " in (found.findtext(f"{{{DAV}}}status") or "")
            for prop in found.find(f"{{{DAV}}}prop")]
