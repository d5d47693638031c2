"""The fast tier starts no server: a test here that asks (even indirectly) for a fixture that
starts one fails before anything is set up, so `make test-fast` stays a matter of seconds."""
from __future__ import annotations

import pytest

SERVER_FIXTURES = {"dynamodb_server", "live_server", "module_settings"}


def pytest_runtest_setup(item: pytest.Item) -> None:
    started = SERVER_FIXTURES & set(getattr(item, "fixturenames", ()))
    if started:
        pytest.fail(f"{item.nodeid} needs {sorted(started)}: it belongs with the live tests in tests/", pytrace=False)
