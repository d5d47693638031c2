"""What search matches: an event's text and a query, both folded the way people type Korean.

Folding (NFKC, then casefold) makes full-width and half-width forms, and upper and lower case, one;
then only letters and digits count, so spacing and punctuation never decide a match ("주간 회의"
finds "주간회의", and "주간회의" finds "주간 회의"). A query word matches where it occurs inside the
folded text: a word finds itself with particles attached and inside compounds ("회의" finds
"회의는" and "주간회의"; "영업" finds "영업부 회의"; "3분기" finds "2024년 3분기 실적"). Every
word of a query must match. Pure: no Flask, no boto3.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable

# The event fields searched, in the order their folded texts are joined.
SEARCHED_FIELDS = ("title", "description", "time")
# Joins the folded fields: folding keeps no spaces, so no query word spans two fields.
FIELD_SEPARATOR = " "
MAX_QUERY_WORDS = 8
MAX_QUERY_CHARACTERS = 100


def folded(text: str) -> str:
    """`text` in NFKC, casefolded, with only its letters and digits."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


def searchable_text(texts: Iterable[object]) -> str:
    """The folded text of an event's SEARCHED_FIELDS, given in that order (missing or empty ones
    skipped)."""
    return FIELD_SEPARATOR.join(text for given in texts if (text := folded(str(given or ""))))


def query_words(query: str) -> list[str]:
    """The distinct folded words of a query, in order; raises ValueError when it has none, or
    more than MAX_QUERY_WORDS or MAX_QUERY_CHARACTERS."""
    if len(query) > MAX_QUERY_CHARACTERS:
        raise ValueError(f"must have at most {MAX_QUERY_CHARACTERS} characters")
    words = list(dict.fromkeys(word for part in unicodedata.normalize("NFKC", query).split()
                               if (word := folded(part))))
    if not words:
        raise ValueError("must have a letter or a digit")
    if len(words) > MAX_QUERY_WORDS:
        raise ValueError(f"must have at most {MAX_QUERY_WORDS} words")
    return words
