"""Korean public holidays for a range of days, named in Korean, from the `holidays` package
(substitute and temporary holidays included, as the government declares them) (pure)."""
from __future__ import annotations

from datetime import date

import holidays

COUNTRY = "KR"
LANGUAGE = "ko"
PUBLIC = "public"  # the `kind` of a public holiday in GET /api/holidays


def korean_public_holidays(first: date, last: date) -> list[dict[str, str]]:
    """Each public holiday from `first` to `last` (inclusive), by day: {"date": "YYYY-MM-DD",
    "name": "삼일절", "kind": "public"}; a day of two holidays names both ("; " between)."""
    days = holidays.country_holidays(COUNTRY, years=range(first.year, last.year + 1), language=LANGUAGE)
    return [{"date": day.isoformat(), "name": name, "kind": PUBLIC} for day, name in sorted(days.items()) if first <= day <= last]
