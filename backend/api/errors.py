"""One JSON error shape for every failure: {"error": "<code>", "message": "<text>"} plus details."""
from __future__ import annotations

import logging

from botocore.exceptions import ClientError
from flask import Flask, current_app, jsonify
from werkzeug.exceptions import HTTPException

from aws_failures import CREDENTIALS_MISSING, UNREACHABLE, describe
from errors import Conflict, DynamoDBStalled, NotFound, PreconditionFailed, SyncTokenExpired, Throttled, ValidationError

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


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ValidationError)
    def _validation(exc: ValidationError):
        details = {"fields": exc.fields} if exc.fields else {}
        return error_response(400, "validation_error", exc.message, **details)

    @app.errorhandler(NotFound)
    def _not_found(exc: NotFound):
        return error_response(404, "not_found", str(exc))

    @app.errorhandler(Conflict)
    def _conflict(exc: Conflict):
        return error_response(409, "conflict", str(exc))

    @app.errorhandler(PreconditionFailed)
    def _precondition(exc: PreconditionFailed):
        return error_response(412, "precondition_failed", str(exc), current_version=exc.current_version,
                              current=exc.current)

    @app.errorhandler(SyncTokenExpired)
    def _sync_token_expired(exc: SyncTokenExpired):
        return error_response(410, "sync_token_expired", str(exc))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        code = {413: "payload_too_large"}.get(exc.code, (exc.name or "error").lower().replace(" ", "_"))
        return error_response(exc.code or 500, code, exc.description or exc.name)

    for storage_exc in (*CREDENTIALS_MISSING, *UNREACHABLE, ClientError, Throttled, DynamoDBStalled):
        app.register_error_handler(storage_exc, _storage_error)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error")
        return _internal_error()
