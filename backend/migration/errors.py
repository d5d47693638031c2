"""The one error that stops a migration or export run: MigrationFailed (exit status 2)."""
from __future__ import annotations


class MigrationFailed(Exception):
    """The migration cannot run or cannot finish; the message says what to do (exit status 2)."""
