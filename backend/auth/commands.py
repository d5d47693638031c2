"""`flask --app app tokens create|list|revoke`: token management for operators."""
from __future__ import annotations

import re
import uuid

import click
from flask import current_app
from flask.cli import AppGroup

from auth.principal import ROLES
from auth.store import TokenStore
from database import get_db
from errors import Conflict, NotFound

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")

tokens = AppGroup("tokens", help="Create, list and revoke API tokens (stored as hashes in the tokens table).")


def _store() -> TokenStore:
    return TokenStore(get_db())


def _department_ids(values: tuple[str, ...]) -> list[str] | None:
    """The canonical ids of existing departments, None when none were given."""
    if not values:
        return None
    ids = []
    for value in values:
        try:
            department_id = str(uuid.UUID(value))
            get_db().get_department(department_id)
        except (ValueError, NotFound) as exc:
            raise click.BadParameter(f"{value!r} is not the id of an existing department",
                                     param_hint="--department") from exc
        ids.append(department_id)
    return ids


@tokens.command("create")
@click.option("--name", required=True, help="unique; shown in logs and in created_by/updated_by")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--department", "departments", multiple=True, help="limit the token to this department (repeatable)")
def create_token(name: str, role: str, departments: tuple[str, ...]) -> None:
    """Create a token and print it once, on its own line (only its hash is stored)."""
    if not NAME.fullmatch(name):
        raise click.BadParameter("1-64 letters, digits, _ . @ -, starting with a letter or digit",
                                 param_hint="--name")
    try:
        secret = _store().create(name, role, _department_ids(departments))
    except Conflict as exc:
        raise click.ClickException(f"{exc}; revoke it first or choose another name") from exc
    scope = ", ".join(departments) if departments else "every department"
    click.echo(f"Created token {name!r} ({role}, {scope}). It is shown only now:", err=True)
    click.echo(secret)


@tokens.command("list")
def list_tokens() -> None:
    """Every token's name, role, departments and creation time (never the secret)."""
    click.echo("NAME\tROLE\tDEPARTMENTS\tCREATED_AT")
    for token in _store().list():
        departments = ",".join(token["departments"]) if token["departments"] is not None else "*"
        click.echo(f"{token['name']}\t{token['role']}\t{departments}\t{token['created_at']}")


@tokens.command("revoke")
@click.argument("name")
def revoke_token(name: str) -> None:
    """Delete the token; every instance stops accepting it within AUTH_CACHE_SECONDS."""
    try:
        _store().revoke(name)
    except NotFound as exc:
        raise click.ClickException(str(exc)) from exc
    seconds = current_app.config["SETTINGS"].auth_cache_seconds
    click.echo(f"Revoked {name!r}: it stops working everywhere within {seconds:g} s.")
