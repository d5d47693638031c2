"""The AWS failures that are not the user's fault, each with its cause and what to do about it.

One table, read by the HTTP layer (a 503 JSON answer) and by the command-line tools (their last words:
the migration's, and `flask --app app create-tables` / `tokens ...`).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    NoCredentialsError,
    PartialCredentialsError,
    ReadTimeoutError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError

from errors import DynamoDBStalled, Throttled
from storage.client import THROTTLING_CODES, error_code

if TYPE_CHECKING:
    from config import Settings

CREATE_TABLES_HINT = (
    "Create them with `make create-tables`, or from backend/: "
    "python -c \"from models import DynamoDBDatabase; DynamoDBDatabase().create_tables()\""
)
ACCESS_DENIED_CODES = frozenset({
    "UnrecognizedClientException", "InvalidSignatureException", "AccessDeniedException", "ExpiredTokenException",
})
# What a DynamoDB call raises when it fails for a reason of AWS's: code outside storage/ catches these.
AWS_ERRORS = (BotoCoreError, ClientError)
# What it raises when DynamoDB answered with an error code (see refusal).
REFUSED = ClientError
CREDENTIALS_MISSING = (NoCredentialsError, PartialCredentialsError)
# Connection errors include endpoint, connect-timeout, proxy and TLS failures.
UNREACHABLE = (BotoConnectionError, ReadTimeoutError, ConnectionClosedError)


@dataclass(frozen=True)
class AwsFailure:
    """One kind of failure: `error` is the JSON error code; `cause` may name {detail}, {code}, {prefix}."""

    error: str
    cause: str
    action: str
    log_level: int = logging.ERROR
    retry_soon: bool = False  # worth retrying in a moment: the HTTP answer carries Retry-After

    def message(self, detail: str = "", code: str = "", prefix: str = "") -> str:
        return f"{self.cause.format(detail=detail, code=code, prefix=prefix)}. {self.action}"


CREDENTIALS = AwsFailure(
    "aws_credentials_missing", "No AWS credentials were found",
    "On AWS attach an IAM role to the instance or task; locally set DYNAMODB_ENDPOINT_URL to DynamoDB Local "
    "(make run does this), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.",
)
ENDPOINT_UNREACHABLE = AwsFailure(
    "dynamodb_unreachable", "DynamoDB could not be reached ({detail})",
    "Check DYNAMODB_ENDPOINT_URL and that the server is running (make run starts DynamoDB Local), or the "
    "network path to AWS.",
    retry_soon=True,
)
STALLED = AwsFailure(
    "dynamodb_stalled", "DynamoDB did not answer in time ({detail})",
    "Try again shortly; if it persists, check DynamoDB's health and the network path to it "
    "(DYNAMODB_STALL_SECONDS bounds the wait).",
    retry_soon=True,
)
TABLES_MISSING = AwsFailure(
    "tables_missing", "The DynamoDB tables do not exist (TABLE_PREFIX={prefix!r})", CREATE_TABLES_HINT,
)
THROTTLED = AwsFailure(
    "dynamodb_throttled", "DynamoDB is throttling requests (ProvisionedThroughputExceededException after retries)",
    "Try again shortly; on provisioned tables raise capacity or switch to on-demand.",
    logging.WARNING,
    retry_soon=True,
)
INDEX_NOT_READY = AwsFailure(
    "index_not_ready", "A DynamoDB index this request reads is missing or still being built ({detail})",
    "Tables made by an older version lack the catch-up sync index: run `make create-tables`, which adds it "
    "and waits until it is ACTIVE (GET /readyz answers 200 then).",
    retry_soon=True,
)
# How DynamoDB and DynamoDB Local (ValidationException) and moto (ResourceNotFoundException, "Invalid
# index") answer a Query of an index the table lacks or is still backfilling.
INDEX_NOT_READY_CODES = ("ValidationException", "ResourceNotFoundException")
INDEX_NOT_READY_MESSAGES = ("does not have the specified index", "backfilling global secondary index", "invalid index")
SERVER_ERROR = AwsFailure(
    "dynamodb_unavailable", "DynamoDB answered with a server error after the retries ({code})",
    "Try again shortly; if it persists, check DynamoDB's health in this region (AWS Health Dashboard).",
    retry_soon=True,
)
ACCESS_DENIED = AwsFailure(
    "aws_access_denied", "DynamoDB refused the request ({code})",
    "Check the IAM role or keys and their dynamodb:* permissions on the tables.",
)


def classify(exc: BaseException) -> AwsFailure | None:
    """The failure `exc` is an instance of, or None for anything else (a bug, or an unexpected code)."""
    if isinstance(exc, CREDENTIALS_MISSING):
        return CREDENTIALS
    if isinstance(exc, UNREACHABLE):
        return ENDPOINT_UNREACHABLE
    if isinstance(exc, Throttled):
        return THROTTLED
    if isinstance(exc, DynamoDBStalled):
        return STALLED
    if isinstance(exc, ClientError):
        code = error_code(exc)
        message = exc.response.get("Error", {}).get("Message", "").lower()
        if code in INDEX_NOT_READY_CODES and any(m in message for m in INDEX_NOT_READY_MESSAGES):
            return INDEX_NOT_READY
        if code == "ResourceNotFoundException":
            return TABLES_MISSING
        if code in THROTTLING_CODES:
            return THROTTLED
        if code in ACCESS_DENIED_CODES:
            return ACCESS_DENIED
        if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500:
            return SERVER_ERROR  # InternalServerError, ServiceUnavailable: DynamoDB's fault, not ours
    return None


def describe(exc: BaseException, prefix: str) -> tuple[AwsFailure, str] | None:
    """(failure, message) for a known failure, None otherwise; `prefix` is the settings' TABLE_PREFIX."""
    failure = classify(exc)
    if failure is None:
        return None
    code = error_code(exc) if isinstance(exc, ClientError) else ""
    return failure, failure.message(detail=str(exc), code=code, prefix=prefix)


def operator_message(exc: Exception, settings: Settings, then: str = "Then run again.") -> str:
    """One line for a command-line tool that met an AWS failure: where, why, what to do, `then`."""
    where = settings.dynamodb_endpoint_url or f"AWS in {settings.aws_region}"
    described = describe(exc, prefix=settings.table_prefix)
    if described is not None:
        return f"DynamoDB at {where}: {described[1]} {then}"
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return (f"DynamoDB at {where} refused the request ({error.get('Code')}: {error.get('Message')}): "
                f"check the credentials and the IAM permissions. {then}")
    return f"DynamoDB client error ({exc}): check the settings. {then}"
