"""A bound on the work python-dateutil does to find a rule's occurrences. Pure: no Flask, no boto3.

dateutil walks a rule period by period (a day of a DAILY rule, a week of a WEEKLY one, ...) and
yields only the days that match, so a rule that rarely or never matches (FREQ=DAILY;BYMONTH=2;
BYMONTHDAY=30) spins through thousands of years between two answers, where no limit on answers
can stop it. `counted(rule)` makes the rule's iteration spend from the active `Budget` on every
period it examines, and raise OutOfBudget when it is spent.

It runs dateutil's own `rrule._iter` with one name swapped: `_iterinfo`, the helper it asks for
each period's candidate days, becomes a subclass that counts. python-dateutil is pinned
(requirements.txt); tests/unit/test_recurrence_bounds.py fails if a new version stops counting.
"""
from __future__ import annotations

import contextlib
import types
from collections.abc import Iterator
from contextvars import ContextVar

import dateutil.rrule as _dateutil
from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule

# What examining one period costs, in budget units (about a microsecond of CPU each here: a YEARLY
# period filters a whole year's days, a DAILY one a single day).
PERIOD_COST = {YEARLY: 26, MONTHLY: 6, WEEKLY: 3, DAILY: 2}
# The budget of one check or one expansion when the caller names none: about 20 ms of CPU.
DEFAULT_UNITS = 20_000


class OutOfBudget(Exception):
    """The rule needed more periods than the budget allows."""


class Budget:
    """Units of dateutil work one operation may spend."""

    def __init__(self, units: int = DEFAULT_UNITS):
        self.left = units

    def spend(self, units: int) -> None:
        self.left -= units
        if self.left < 0:
            raise OutOfBudget


_active: ContextVar[Budget | None] = ContextVar("recurrence_budget", default=None)


@contextlib.contextmanager
def budget(units: int = DEFAULT_UNITS) -> Iterator[Budget]:
    """A fresh budget for the iterations inside the block (nested blocks have their own)."""
    fresh = Budget(units)
    token = _active.set(fresh)
    try:
        yield fresh
    finally:
        _active.reset(token)


@contextlib.contextmanager
def shared(units: int = DEFAULT_UNITS) -> Iterator[Budget]:
    """The budget of the enclosing `budget` block, or a fresh one when there is none."""
    active = _active.get()
    if active is not None:
        yield active
    else:
        with budget(units) as fresh:
            yield fresh


class _CountedInfo(_dateutil._iterinfo):
    """dateutil's per-iteration helper, spending a period's cost each time it gives one's days."""

    # No __slots__ of its own: dateutil's __init__ resets every name in `self.__slots__`.

    def __init__(self, rule: rrule):
        super().__init__(rule)
        self.own = Budget()  # outside any `budget` block, each iteration is bounded on its own

    def _spend(self) -> None:
        (_active.get() or self.own).spend(PERIOD_COST.get(self.rrule._freq, PERIOD_COST[YEARLY]))

    def ydayset(self, year, month, day):
        self._spend()
        return super().ydayset(year, month, day)

    def mdayset(self, year, month, day):
        self._spend()
        return super().mdayset(year, month, day)

    def wdayset(self, year, month, day):
        self._spend()
        return super().wdayset(year, month, day)

    def ddayset(self, year, month, day):
        self._spend()
        return super().ddayset(year, month, day)


_counted_iter = types.FunctionType(rrule._iter.__code__, {**vars(_dateutil), "_iterinfo": _CountedInfo},
                                   "_iter", rrule._iter.__defaults__, rrule._iter.__closure__)


def counted(rule: rrule) -> rrule:
    """The rule, its iterations (iter, between, rruleset's) now spending from the active budget."""
    rule._iter = types.MethodType(_counted_iter, rule)
    return rule
