"""Operator commands of `flask --app app` (run from backend/): create-tables, and tokens (auth/)."""
from __future__ import annotations

import click
from flask import Flask

from auth.commands import tokens
from database import get_db


@click.command("create-tables")
def create_tables() -> None:
    """Create the missing tables (departments, events, tokens) and wait until they are ACTIVE."""
    created = get_db().create_tables()
    click.echo(f"created: {', '.join(created)}" if created else "all tables exist already")


def init_app(app: Flask) -> None:
    app.cli.add_command(create_tables)
    app.cli.add_command(tokens)
