"""The form of one RRULE value, checked before python-dateutil reads it: the parts a department
calendar uses, each within its RFC 5545 range, so that no rule asks dateutil for endless or
out-of-range work. Pure: no Flask, no boto3.
"""
from __future__ import annotations

import re
from datetime import date

FREQUENCIES = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY")
SUB_DAILY = ("HOURLY", "MINUTELY", "SECONDLY")
MAX_INTERVAL = 1000
MAX_COUNT = 5000
# The numbers each BY part takes (RFC 5545 3.3.10): the largest magnitude, and whether it may be negative.
_NUMBER_PARTS = {"BYMONTH": (12, False), "BYMONTHDAY": (31, True), "BYYEARDAY": (366, True),
                 "BYWEEKNO": (53, True), "BYSETPOS": (366, True)}
# Which frequencies a BY part may go with (RFC 5545 3.3.10's table).
_ONLY_WITH = {"BYWEEKNO": ("YEARLY",), "BYYEARDAY": ("YEARLY",), "BYMONTHDAY": ("YEARLY", "MONTHLY", "DAILY")}
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_WEEKDAY = re.compile(r"^([+-]?)([0-9]{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_INTEGER = re.compile(r"^[+-]?[0-9]{1,4}$")
_UNTIL_VALUE = re.compile(r"^([0-9]{8})(T[0-9]{6}Z?)?$")
KNOWN = ("FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "WKST", *_NUMBER_PARTS)


class RuleError(ValueError):
    """The rule is not one this service keeps; the message says why."""


def parts(value: str) -> dict[str, str]:
    """The rule's NAME=value parts (names upper-cased), checked; raises RuleError."""
    found: dict[str, str] = {}
    for part in (p.strip() for p in value.split(";") if p.strip()):
        name, equals, text = part.partition("=")
        name, text = name.strip().upper(), text.strip().upper()
        if not equals or not text:
            raise RuleError(f"{part!r} is no NAME=value part of a rule")
        if name in found:
            raise RuleError(f"{name} appears twice in the rule")
        found[name] = text
    _check(found)
    return found


def _check(found: dict[str, str]) -> None:
    freq = found.get("FREQ")
    if freq in SUB_DAILY or any(name in found for name in ("BYHOUR", "BYMINUTE", "BYSECOND")):
        raise RuleError("a rule may repeat at most daily (not HOURLY, MINUTELY or SECONDLY, "
                        "nor BYHOUR, BYMINUTE or BYSECOND)")
    if freq not in FREQUENCIES:
        raise RuleError("FREQ must be YEARLY, MONTHLY, WEEKLY or DAILY")
    if "BYEASTER" in found:
        raise RuleError("BYEASTER is not supported")
    unknown = sorted(name for name in found if name not in KNOWN)
    if unknown:
        raise RuleError(f"unknown rule part(s): {', '.join(unknown)}")
    if "COUNT" in found and "UNTIL" in found:
        raise RuleError("a rule has COUNT or UNTIL, not both")
    _whole(found, "INTERVAL", 1, MAX_INTERVAL)
    _whole(found, "COUNT", 1, 99_999)
    if "COUNT" in found and int(found["COUNT"]) > MAX_COUNT:
        raise RuleError(f"a series with an end has at most {MAX_COUNT} occurrences")
    for name, (largest, negative) in _NUMBER_PARTS.items():
        _numbers(found, name, largest, negative)
    for name, frequencies in _ONLY_WITH.items():
        if name in found and freq not in frequencies:
            raise RuleError(f"{name} goes with FREQ={' or '.join(frequencies)} only")
    _weekdays(found, freq)
    if found.get("WKST", "MO") not in _WEEKDAYS:
        raise RuleError("WKST must be a weekday: MO, TU, WE, TH, FR, SA or SU")


def _whole(found: dict[str, str], name: str, low: int, high: int) -> None:
    text = found.get(name)
    if text is not None and not (text.isascii() and text.isdigit() and len(text) <= 5 and low <= int(text) <= high):
        raise RuleError(f"{name} must be a whole number from {low} to {high:,}")


def _numbers(found: dict[str, str], name: str, largest: int, negative: bool) -> None:
    if name not in found:
        return
    values = found[name].split(",")
    low = -largest if negative else 1
    for text in values:
        if not _INTEGER.match(text) or int(text) == 0 or not low <= int(text) <= largest:
            span = f"from -{largest} to {largest} (not 0)" if negative else f"from 1 to {largest}"
            raise RuleError(f"{name} values must be whole numbers {span}")


def _weekdays(found: dict[str, str], freq: str | None) -> None:
    """BYDAY: weekdays, with an ordinal (+2MO, -1FR) only in a MONTHLY rule (1-5) or a YEARLY one
    (1-53, or 1-5 with BYMONTH), and without BYWEEKNO (RFC 5545)."""
    if "BYDAY" not in found:
        return
    for text in found["BYDAY"].split(","):
        day = _WEEKDAY.match(text)
        if not day:
            raise RuleError(f"BYDAY value {text!r} is no weekday such as MO, 2TU or -1FR")
        if day[2] is None:
            if day[1]:
                raise RuleError(f"BYDAY value {text!r} is no weekday such as MO, 2TU or -1FR")
            continue
        largest = 53 if freq == "YEARLY" and "BYMONTH" not in found else 5
        if freq not in ("MONTHLY", "YEARLY") or "BYWEEKNO" in found:
            raise RuleError("a BYDAY ordinal (2TU, -1FR) goes with FREQ=MONTHLY or YEARLY only (without BYWEEKNO)")
        if not 1 <= int(day[2]) <= largest:
            raise RuleError(f"a BYDAY ordinal must be from -{largest} to {largest} (not 0) here")


def until_day(found: dict[str, str]) -> date | None:
    """The day of the rule's UNTIL (its time, if any, ignored), None without one; raises RuleError."""
    if "UNTIL" not in found:
        return None
    value = _UNTIL_VALUE.match(found["UNTIL"])
    try:
        return date(int(value[1][:4]), int(value[1][4:6]), int(value[1][6:8])) if value else _bad_until()
    except ValueError:
        return _bad_until()


def _bad_until() -> date:
    raise RuleError("UNTIL must be a real date as YYYYMMDD (a time after it is read as that day)")


def pinned(found: dict[str, str], first: date) -> dict[str, str]:
    """The parts with the days dateutil would take from the first occurrence written out, so that
    the same rule started from a later period gives the same days (dateutil's defaults: a YEARLY rule
    without day parts repeats first's month and day, a MONTHLY one first's day, a WEEKLY one first's
    weekday)."""
    if any(name in found for name in ("BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYDAY")):
        return found
    freq = found["FREQ"]
    if freq == "YEARLY":
        return {"BYMONTH": str(first.month), **found, "BYMONTHDAY": str(first.day)}
    if freq == "MONTHLY":
        return {**found, "BYMONTHDAY": str(first.day)}
    if freq == "WEEKLY":
        return {**found, "BYDAY": _WEEKDAYS[first.weekday()]}
    return found


def weekday(code: str) -> int:
    """0 for MO .. 6 for SU."""
    return _WEEKDAYS.index(code)


def text(found: dict[str, str]) -> str:
    return ";".join(f"{name}={value}" for name, value in found.items())
