"""The servers the page modules share: one DynamoDB table set, one app server (gunicorn, as
`make run` serves it) and one headless Chromium for all of tests/page/, each person a browser
context of their own."""
from __future__ import annotations

import uuid

import pytest

from auth import TokenStore
from models import DynamoDBDatabase
from support.browser import Person, chromium
from support.servers import make_settings, start_live_server


@pytest.fixture(scope="package")
def tables(dynamodb_server):
    settings = make_settings(dynamodb_server.endpoint_url)
    db = DynamoDBDatabase(settings)
    db.create_tables()
    yield settings, db
    for name in settings.table_names:
        db.client.delete_table(TableName=name)


@pytest.fixture(scope="package")
def server(tables, tmp_path_factory):
    """The one app server of the page modules (AUTH_MODE=token, the default)."""
    settings, _ = tables
    # Tokens are re-checked every second, so a revoked one stops working within the test's patience.
    live = start_live_server(settings, tmp_path_factory.mktemp("page") / "app.log", AUTH_CACHE_SECONDS="1")
    yield live
    live.stop()


@pytest.fixture(scope="package")
def browser():
    with chromium() as running:
        yield running


@pytest.fixture(scope="package")
def token(tables):
    """A new token of `role` named `name` in the module's tables."""
    _, db = tables
    store = TokenStore(db)
    return lambda name, role: store.create(f"{name}-{uuid.uuid4().hex[:6]}", role)


@pytest.fixture
def people(browser, server):
    """Opens browsers for people; closes them after the test."""
    opened: list[Person] = []

    def open_for(token: str | None, **options) -> Person:
        person = Person(browser, server.url, token, **options)
        opened.append(person)
        return person

    yield open_for
    for person in opened:
        person.close()
