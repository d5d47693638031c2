"""How a moment is written wherever the service stores or compares one (`created_at`,
`last_modified`, a sync window's start): ISO-8601 in UTC with milliseconds and `Z`, so that
timestamps sort as strings. Pure.
"""
from __future__ import annotations

from datetime import datetime


def format_timestamp(moment: datetime) -> str:
    """A UTC datetime as ISO-8601 with milliseconds and `Z`, e.g. 2024-01-15T10:30:00.000Z."""
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:"
        f"{moment.minute:02d}:{moment.second:02d}.{moment.microsecond // 1000:03d}Z"
    )
