"""Hypothesis strategies for recurrence lines: hostile ones (any part, any number, out-of-range
dates) and plausible ones derived from the series' first day (mostly accepted)."""
from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

NUMBERS = st.integers(-500, 5000).map(str) | st.sampled_from(["", "x", "+1", "1.5", "99999999999999999999"])
PARTS = {
    "FREQ": st.sampled_from(["YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY", "SECONDLY", "daily", "X"]),
    "INTERVAL": NUMBERS, "COUNT": NUMBERS,
    "UNTIL": st.dates(date(1800, 1, 1), date(9999, 12, 31)).map(lambda d: f"{d:%Y%m%d}") | st.sampled_from(["2024", "x"]),
    "BYMONTH": st.lists(st.integers(-14, 14), min_size=1, max_size=4).map(lambda v: ",".join(map(str, v))),
    "BYMONTHDAY": st.lists(st.integers(-40, 40), min_size=1, max_size=4).map(lambda v: ",".join(map(str, v))),
    "BYYEARDAY": st.lists(st.integers(-400, 400), min_size=1, max_size=3).map(lambda v: ",".join(map(str, v))),
    "BYWEEKNO": st.lists(st.integers(-60, 60), min_size=1, max_size=3).map(lambda v: ",".join(map(str, v))),
    "BYSETPOS": st.lists(st.integers(-500, 500), min_size=1, max_size=3).map(lambda v: ",".join(map(str, v))),
    "BYDAY": st.lists(st.tuples(st.sampled_from(["", "+", "-"]), st.sampled_from(["", "1", "5", "53", "99"]),
                                st.sampled_from(["MO", "TU", "SU", "XX"])).map("".join),
                      min_size=1, max_size=3).map(",".join),
    "BYEASTER": NUMBERS, "BYHOUR": NUMBERS, "WKST": st.sampled_from(["MO", "SU", "XX"]),
}
RULES = st.dictionaries(st.sampled_from(sorted(PARTS)), st.just(None), max_size=5).flatmap(
    lambda names: st.fixed_dictionaries({"FREQ": PARTS["FREQ"], **{name: PARTS[name] for name in names}})
).map(lambda parts: "RRULE:" + ";".join(f"{k}={v}" for k, v in parts.items()))
DAYS = st.dates(date(1850, 1, 1), date(2250, 12, 31))
DATE_LINES = st.tuples(st.sampled_from(["EXDATE;VALUE=DATE", "RDATE;VALUE=DATE", "RDATE"]),
                       st.lists(DAYS | st.dates(), min_size=1, max_size=4)).map(
    lambda line: f"{line[0]}:{','.join(f'{d:%Y%m%d}' for d in line[1])}")
LINES = st.lists(RULES, min_size=1, max_size=3).flatmap(
    lambda rules: st.lists(DATE_LINES, max_size=2).map(lambda dates: rules + dates))
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def _plausible(first: date):
    """Rules a person might write for a series starting on `first` (mostly valid)."""
    ordinal = (first.day - 1) // 7 + 1
    return st.fixed_dictionaries({"FREQ": st.sampled_from(["YEARLY", "MONTHLY", "WEEKLY", "DAILY"])}, optional={
        "INTERVAL": st.integers(1, 1000).map(str),
        "COUNT": st.integers(1, 6000).map(str),
        "UNTIL": st.dates(first, date(2300, 1, 1)).map(lambda d: f"{d:%Y%m%d}"),
        "BYMONTH": st.just(str(first.month)),
        "BYMONTHDAY": st.sampled_from([str(first.day), "29,30,31"]),
        "BYDAY": st.sampled_from([WEEKDAYS[first.weekday()], f"{ordinal}{WEEKDAYS[first.weekday()]}", "MO,TU,WE,TH,FR"]),
        "BYSETPOS": st.sampled_from(["1", "-1"]),
    }).map(lambda parts: ["RRULE:" + ";".join(f"{k}={v}" for k, v in parts.items())])


CASES = DAYS.flatmap(lambda first: st.tuples(st.just(first), LINES | _plausible(first)))
PLAUSIBLE_CASES = DAYS.flatmap(lambda first: st.tuples(st.just(first), _plausible(first)))
