"""One JSON error shape for every failure: {"error": "<code>", "message": "<text>"} plus details."""
from __future__ import annotations

import logging

from flask import Flask, current_app, jsonify
from werkzeug.exceptions import HTTPException

from errors import (
    Conflict,
    DynamoDBStalled,
    Forbidden,
    NotFound,
    PreconditionFailed,
    SyncTokenExpired,
    Throttled,
    Unauthorized,
    ValidationError,
)
from storage.aws_failures import CREDENTIALS_MISSING, REFUSED, UNREACHABLE, describe

log = logging.getLogger(__name__)


def error_response(status: int, code: str, message: str, **details):
    response = jsonify({"error": code, "message": message, **details})
    response.status_code = status
    return response


def _internal_error():
    return error_response(500, "internal_error", "The server failed to complete the request.")


def _storage_error(exc: Exception):
    """503 with what the operator should do, for the AWS failures that are not the user's fault."""
    described = describe(exc, prefix=current_app.config["SETTINGS"].table_prefix)
    if described is None:
        log.exception("unexpected DynamoDB error")
        return _internal_error()
    failure, message = described
    log.log(failure.log_level, "%s: %s", failure.error, exc)
    response = error_response(503, failure.error, message)
    if failure.retry_soon:
        response.headers["Retry-After"] = "1"
    return response


# The domain errors whose answer is their message under one status and code.
_PLAIN_ANSWERS: dict[type[Exception], tuple[int, str]] = {
    Forbidden: (403, "forbidden"),
    NotFound: (404, "not_found"),
    Conflict: (409, "conflict"),
    SyncTokenExpired: (410, "sync_token_expired"),
}


def _plain(exc: Exception):
    status, code = next(answer for kind, answer in _PLAIN_ANSWERS.items() if isinstance(exc, kind))
    return error_response(status, code, str(exc))


def _validation(exc: ValidationError):
    details = {"fields": exc.fields} if exc.fields else {}
    return error_response(400, "validation_error", exc.message, **details)


def _unauthorized(exc: Unauthorized):
    # With sign-in (auth.http's session check is set), where a browser goes to get a session.
    sign_in = {"sign_in": "/auth/login"} if current_app.extensions.get("calendar_sessions") else {}
    response = error_response(401, "unauthorized", str(exc), **sign_in)
    response.headers["WWW-Authenticate"] = 'Bearer realm="calendar"'
    return response


def _precondition(exc: PreconditionFailed):
    return error_response(412, "precondition_failed", str(exc), current_version=exc.current_version,
                          current=exc.current)


def _http(exc: HTTPException):
    code = {413: "payload_too_large"}.get(exc.code, (exc.name or "error").lower().replace(" ", "_"))
    return error_response(exc.code or 500, code, exc.description or exc.name)


def _unexpected(exc: Exception):
    log.exception("unhandled error")
    return _internal_error()


def register_error_handlers(app: Flask) -> None:
    """One handler per error type; anything else is logged and answers 500."""
    for kind in _PLAIN_ANSWERS:
        app.register_error_handler(kind, _plain)
    app.register_error_handler(ValidationError, _validation)
    app.register_error_handler(Unauthorized, _unauthorized)
    app.register_error_handler(PreconditionFailed, _precondition)
    app.register_error_handler(HTTPException, _http)
    for storage_exc in (*CREDENTIALS_MISSING, *UNREACHABLE, REFUSED, Throttled, DynamoDBStalled):
        app.register_error_handler(storage_exc, _storage_error)
    app.register_error_handler(Exception, _unexpected)
