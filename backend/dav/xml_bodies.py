"""WebDAV XML: reading request bodies safely and writing multistatus answers (xml.etree only).

A body with a DOCTYPE is refused before parsing, so no entity (internal or external) is ever
expanded. Element names are Clark notation (`{DAV:}href`); answers use the usual prefixes.
No Flask and no storage here.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from xml.etree import ElementTree as ET

DAV = "DAV:"
CALDAV = "urn:ietf:params:xml:ns:caldav"
CALENDARSERVER = "http://calendarserver.org/ns/"
APPLE = "http://apple.com/ns/ical/"
PREFIXES = {"d": DAV, "c": CALDAV, "cs": CALENDARSERVER, "ical": APPLE}
for _prefix, _uri in PREFIXES.items():
    ET.register_namespace(_prefix, _uri)

_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
XML_CONTENT_TYPE = "application/xml; charset=utf-8"


class BadXml(ValueError):
    """The body is not XML this service reads (malformed, or with a DOCTYPE)."""


def qname(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def parse(body: bytes) -> ET.Element | None:
    """The body's root element, None for an empty body; raises BadXml."""
    if not body.strip():
        return None
    if _DOCTYPE.search(body):
        raise BadXml("a DOCTYPE or entity declaration is not accepted")
    try:
        return ET.fromstring(body)
    except ET.ParseError as exc:
        raise BadXml(f"the body is not well-formed XML: {exc}") from None


def requested_properties(root: ET.Element | None) -> list[str] | None:
    """The property names a PROPFIND or REPORT asks for in its `prop`; None for allprop (or no body)."""
    if root is None:
        return None
    prop = root.find(qname(DAV, "prop"))
    if prop is None:
        return None
    return [child.tag for child in prop]


def updated_properties(root: ET.Element | None) -> list[str]:
    """The property names a PROPPATCH sets or removes."""
    return [] if root is None else [child.tag for found in root.iter(qname(DAV, "prop")) for child in found]


def element(tag: str, text: str | None = None, children: Iterable[ET.Element] = ()) -> ET.Element:
    made = ET.Element(tag)
    if text is not None:
        made.text = text
    made.extend(children)
    return made


def href(path: str) -> ET.Element:
    return element(qname(DAV, "href"), path)


def _propstat(props: list[ET.Element], status: str) -> ET.Element:
    return element(qname(DAV, "propstat"), children=[
        element(qname(DAV, "prop"), children=props), element(qname(DAV, "status"), f"HTTP/1.1 {status}")])


def _value(tag: str, value: Any) -> ET.Element:
    """A property element: text for a string, children for elements (a list or one element)."""
    if isinstance(value, str):
        return element(tag, value)
    if isinstance(value, ET.Element):
        return element(tag, children=[value])
    return element(tag, children=value)


def response(path: str, found: dict[str, Any], missing: Iterable[str] = ()) -> ET.Element:
    """One `response` of a multistatus: the found properties under 200, the missing under 404."""
    children = [href(path)]
    if found:
        children.append(_propstat([_value(tag, value) for tag, value in found.items()], "200 OK"))
    absent = [ET.Element(tag) for tag in missing]
    if absent:
        children.append(_propstat(absent, "404 Not Found"))
    return element(qname(DAV, "response"), children=children)


def status_props(path: str, names: Iterable[str], status: str) -> ET.Element:
    """A `response` answering every named property with one status (PROPPATCH's 403s)."""
    return element(qname(DAV, "response"), children=[href(path), _propstat([ET.Element(n) for n in names], status)])


def status_response(path: str, status: str) -> ET.Element:
    """A `response` naming a resource by its status alone (a deleted one: "404 Not Found")."""
    return element(qname(DAV, "response"), children=[href(path), element(qname(DAV, "status"), f"HTTP/1.1 {status}")])


def multistatus(responses: Iterable[ET.Element], sync_token: str | None = None) -> bytes:
    root = element(qname(DAV, "multistatus"), children=responses)
    if sync_token is not None:
        root.append(element(qname(DAV, "sync-token"), sync_token))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def error_body(namespace: str, precondition: str, reason: str, path: str | None = None) -> bytes:
    """A `DAV:error` naming the precondition that failed (with the `href` of the resource it names,
    when given), with the reason for people."""
    named = [href(path)] if path is not None else []
    root = element(qname(DAV, "error"), children=[element(qname(namespace, precondition), children=named)])
    root.append(element(qname(DAV, "responsedescription"), reason))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
