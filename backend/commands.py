"""Operator commands of `flask --app app` (run from backend/): create-tables, and tokens (auth/).

An AWS failure (no credentials, DynamoDB unreachable, tables missing, ...) ends a command with one
line saying what to do, as the migration CLI does, instead of a traceback."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click
from flask import Flask

from auth.commands import tokens
from config import Settings
from database import get_db
from errors import DynamoDBStalled, Throttled
from storage.aws_failures import AWS_ERRORS, operator_message

AWS_FAILURES = (*AWS_ERRORS, Throttled, DynamoDBStalled)


@click.command("create-tables")
def create_tables() -> None:
    """Create the missing tables (departments, events, tokens) and wait until they are ACTIVE."""
    created = get_db().create_tables()
    click.echo(f"created: {', '.join(created)}" if created else "all tables exist already")


def _explaining_aws_failures(callback: Callable[..., Any]) -> Callable[..., Any]:
    """The command's callback, its AWS failures turned into click's one-line `Error: ...` (exit 1)."""

    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return callback(*args, **kwargs)
        except AWS_FAILURES as exc:
            raise click.ClickException(operator_message(exc, Settings.from_env())) from None

    return run


# Once, on import: every operator command says what to do when DynamoDB cannot be used.
for _command in (create_tables, *tokens.commands.values()):
    _command.callback = _explaining_aws_failures(_command.callback)


def init_app(app: Flask) -> None:
    app.cli.add_command(create_tables)
    app.cli.add_command(tokens)
