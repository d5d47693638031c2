"""Routes only the tests enable (TEST_HOOKS=1), to prove that a request running past the hard
limit is stopped (serving.hard_limit) without leaving a bug in the service for it:

    GET /_test/spin?seconds=N   spins pure Python on the CPU for N seconds (never yields)
    GET /_test/wait?seconds=N   waits N seconds (sleeps: a greenlet waiting, a thread blocked)
    GET /_test/worker           {"pid": the worker's process id}

Off by default; config refuses TEST_HOOKS=1 without DYNAMODB_ENDPOINT_URL (so never against
AWS), the routes need a token like every other route, and enabling them logs a warning.
"""
from __future__ import annotations

import logging
import os
import time

from flask import Blueprint, Flask, jsonify, request

log = logging.getLogger(__name__)
hooks = Blueprint("test_hooks", __name__, url_prefix="/_test")


def _seconds() -> float:
    return min(float(request.args.get("seconds", "1")), 600.0)


@hooks.get("/spin")
def spin():
    end = time.monotonic() + _seconds()
    turns = 0
    while time.monotonic() < end:
        turns += 1
    return jsonify(turns=turns)


@hooks.get("/wait")
def wait():
    time.sleep(_seconds())
    return jsonify(waited=True)


@hooks.get("/worker")
def worker():
    return jsonify(pid=os.getpid())


def register(app: Flask) -> None:
    """Serve the test-only routes under /_test, saying so loudly."""
    log.warning("TEST_HOOKS=1: test-only routes /_test/spin, /_test/wait and /_test/worker are served; "
                "never set TEST_HOOKS in production")
    app.register_blueprint(hooks)
