"""The domain errors the storage layer raises and the HTTP layer maps to answers; no boto3, no Flask."""
from __future__ import annotations

from typing import Any


class DatabaseError(Exception):
    """Base of the domain errors raised by the storage layer (DynamoDBDatabase)."""


class NotFound(DatabaseError):
    pass


class Conflict(DatabaseError):
    pass


class PreconditionFailed(DatabaseError):
    """The stored item is not at the version the request expected; `current` is the item as it is."""

    def __init__(self, message: str, current_version: int | None = None, current: dict[str, Any] | None = None):
        super().__init__(message)
        self.current_version = current_version
        self.current = current


class Throttled(DatabaseError):
    """DynamoDB kept shedding a bulk write (throttling or UnprocessedItems) past every retry."""
