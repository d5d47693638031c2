"""CalDAV (RFC 4791) with WebDAV sync (RFC 6578) and discovery (RFC 6764), served by the same app:
departments are calendars, events are `<id>.ics` resources, versions are ETags.

Requests pass the app's whole pipeline (authentication, where HTTP Basic's password is a token,
rate limits, metrics, request log); writes go through the storage calls, validation, audit and
broadcasts of /api/events. Answers are WebDAV XML; failures keep the app's statuses, with a
CalDAV precondition in XML where RFC 4791 names one.
"""
from __future__ import annotations

from flask import Flask, Response

from dav import reports, views
from dav.ical_events import VALID_OBJECT, InvalidResource, UidConflict
from dav.xml_bodies import CALDAV, XML_CONTENT_TYPE, BadXml, error_body
from errors import Unauthorized, ValidationError

REALM = "Department calendar"


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)


def _unauthorized(exc: Unauthorized) -> Response:
    """401 asking for HTTP Basic (user name: the token's name; password: the token)."""
    answer = Response(f"{exc}, or HTTP Basic with the token as the password\n", status=401,
                      content_type="text/plain; charset=utf-8")
    answer.headers["WWW-Authenticate"] = f'Basic realm="{REALM}", charset="UTF-8"'
    return answer


def _invalid_resource(exc: InvalidResource) -> Response:
    return Response(error_body(CALDAV, exc.precondition, exc.reason), status=403, content_type=XML_CONTENT_TYPE)


def _refused_by_validation(exc: ValidationError) -> Response:
    """What the API's validation refuses in a calendar object: 403 with the reason (RFC 4791 5.3.2)."""
    return _invalid_resource(InvalidResource(VALID_OBJECT, exc.message))


def _uid_conflict(exc: UidConflict) -> Response:
    """409 (RFC 4791 5.3.2.1, RFC 4918 16): the client can fetch the resource named and merge."""
    return Response(error_body(CALDAV, "no-uid-conflict", str(exc), exc.path), status=409,
                    content_type=XML_CONTENT_TYPE)


def _bad_xml(exc: BadXml) -> Response:
    return Response(f"{exc}\n", status=400, content_type="text/plain; charset=utf-8")


# The blueprint is set up once, here (Flask refuses changes to a blueprint an app has registered).
reports.register(views.bp)
for _kind, _handler in ((Unauthorized, _unauthorized), (InvalidResource, _invalid_resource),
                        (ValidationError, _refused_by_validation), (BadXml, _bad_xml), (UidConflict, _uid_conflict),
                        (reports.InvalidSyncToken, reports.invalid_sync_token)):
    views.bp.register_error_handler(_kind, _handler)
