"""One JSON error shape for every failure: {"error": "<code>", "message": "<text>"} plus details."""
from __future__ import annotations

import logging

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
    ReadTimeoutError,
)
from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from models import THROTTLING_CODES, Conflict, NotFound, PreconditionFailed, error_code
from validation import ValidationError

log = logging.getLogger(__name__)

CREATE_TABLES_HINT = (
    "Create them with `make create-tables`, or from backend/: "
    "python -c \"from models import DynamoDBDatabase; DynamoDBDatabase().create_tables()\""
)
UNREACHABLE = (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError, ConnectionClosedError)


def error_response(status: int, code: str, message: str, **details):
    response = jsonify({"error": code, "message": message, **details})
    response.status_code = status
    return response


def _storage_error(exc: Exception):
    """503 with what the operator should do, for the failures that are not the user's fault."""
    if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
        log.error("AWS credentials missing: %s", exc)
        return error_response(
            503, "aws_credentials_missing",
            "No AWS credentials were found. On AWS attach an IAM role to the instance or task; "
            "locally set DYNAMODB_ENDPOINT_URL to DynamoDB Local (make run does this), or set "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.",
        )
    if isinstance(exc, UNREACHABLE):
        log.error("DynamoDB unreachable: %s", exc)
        return error_response(
            503, "dynamodb_unreachable",
            f"DynamoDB could not be reached ({exc}). Check DYNAMODB_ENDPOINT_URL and that the "
            "server is running (make run starts DynamoDB Local), or the network path to AWS.",
        )
    code = error_code(exc)
    if code == "ResourceNotFoundException":
        log.error("DynamoDB table missing: %s", exc)
        return error_response(
            503, "tables_missing",
            f"The DynamoDB tables do not exist (TABLE_PREFIX={_prefix()!r}). {CREATE_TABLES_HINT}",
        )
    if code in THROTTLING_CODES:
        log.warning("DynamoDB throttled after retries: %s", exc)
        response = error_response(
            503, "dynamodb_throttled",
            "DynamoDB is throttling requests (ProvisionedThroughputExceededException after "
            "retries). Try again shortly; on provisioned tables raise capacity or switch to "
            "on-demand.",
        )
        response.headers["Retry-After"] = "1"
        return response
    if code in ("UnrecognizedClientException", "InvalidSignatureException", "AccessDeniedException",
                "ExpiredTokenException"):
        log.error("DynamoDB refused the credentials: %s", exc)
        return error_response(
            503, "aws_access_denied",
            f"DynamoDB refused the request ({code}). Check the IAM role or keys and their "
            "dynamodb:* permissions on the tables.",
        )
    log.exception("unexpected DynamoDB error")
    return error_response(500, "internal_error", "The server failed to complete the request.")


def _prefix() -> str:
    from flask import current_app

    return current_app.config["SETTINGS"].table_prefix


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
        return error_response(412, "precondition_failed", str(exc), current_version=exc.current_version)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        code = {413: "payload_too_large"}.get(exc.code, (exc.name or "error").lower().replace(" ", "_"))
        return error_response(exc.code or 500, code, exc.description or exc.name)

    for storage_exc in (NoCredentialsError, PartialCredentialsError, ClientError, *UNREACHABLE):
        app.register_error_handler(storage_exc, _storage_error)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error")
        return error_response(500, "internal_error", "The server failed to complete the request.")
