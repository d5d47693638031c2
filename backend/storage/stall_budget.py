"""A bound on how long one request waits for a DynamoDB that has stopped answering.

A handler runs under a budget of DYNAMODB_STALL_SECONDS. Every DynamoDB attempt made under it
first checks the time left, and every answer renews it: an operation that makes progress (a
department delete removing thousands of events) goes on, a stalled DynamoDB is given up on.
One attempt waits at most DYNAMODB_READ_TIMEOUT, so a request answers within about the budget
plus one read timeout. Outside a budget (the migration CLI, create_tables) nothing is cut short.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any

from errors import DynamoDBStalled

# (budget in seconds, time.monotonic() deadline) of the request running in this context.
_budget: ContextVar[tuple[float, float] | None] = ContextVar("dynamodb_stall_budget", default=None)


def open_budget(seconds: float) -> Token:
    """Start a budget for what runs in this context; pass the token to close_budget."""
    return _budget.set((seconds, time.monotonic() + seconds))


def close_budget(token: Token) -> None:
    _budget.reset(token)


@contextmanager
def stall_budget(seconds: float) -> Iterator[None]:
    token = open_budget(seconds)
    try:
        yield
    finally:
        close_budget(token)


def watch(client: Any) -> None:
    """Make every attempt of this boto3 client respect the budget of the context it runs in."""
    client.meta.events.register("before-send.dynamodb", _check_time_left)
    client.meta.events.register("after-call.dynamodb", renew)


def _check_time_left(**_kwargs: Any) -> None:
    budget = _budget.get()
    if budget is not None and time.monotonic() > budget[1]:
        raise DynamoDBStalled(f"DynamoDB has not answered for {budget[0]:g} s")


def renew(**_kwargs: Any) -> None:
    """Give the request in this context its whole budget again: after each answer of DynamoDB, and
    after a wait of the request's own (department_spans)."""
    budget = _budget.get()
    if budget is not None:
        _budget.set((budget[0], time.monotonic() + budget[0]))
