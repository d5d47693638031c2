"""The domain errors: what went wrong, in the service's terms, whoever raises it.

Storage, the rules and authentication raise them; `api.errors` maps each to one status and the
JSON error shape. Standard library only, so every layer may import it.
"""
from __future__ import annotations

from typing import Any


class DatabaseError(Exception):
    """Base of the domain errors raised by DynamoDBDatabase."""


class NotFound(DatabaseError):
    """No such department or event (404)."""


class Conflict(DatabaseError):
    """The write contradicts what is stored: a taken name, an existing id (409)."""


class PreconditionFailed(DatabaseError):
    """The stored item is not at the version the request expected; `current` is the item as it is."""

    def __init__(self, message: str, current_version: int | None = None, current: dict[str, Any] | None = None):
        super().__init__(message)
        self.current_version = current_version
        self.current = current


class Throttled(DatabaseError):
    """DynamoDB kept shedding a bulk write (throttling or UnprocessedItems) past every retry."""


class DynamoDBStalled(Exception):
    """DynamoDB has not answered within the request's budget."""


class ValidationError(Exception):
    """Bad input; `fields` maps each offending field to what is wrong with it."""

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class SyncTokenExpired(Exception):
    """The token is older than the tombstone retention: only a full list is complete."""


class Unauthorized(Exception):
    """No token, or one that is unknown or revoked: 401."""


class Forbidden(Exception):
    """A valid token without the role or the department the request needs: 403."""
