"""Settlement periods: calendar months, Monday-Sunday weeks, and half months."""

from __future__ import annotations

import calendar
from datetime import date, timedelta


def period_of(day: date, kind: str) -> tuple[date, date]:
    """The (first, last) day of the period of ``kind`` that contains ``day``."""
    if kind == "weekly":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    last = calendar.monthrange(day.year, day.month)[1]
    if kind == "fortnightly":
        if day.day <= 15:
            return day.replace(day=1), day.replace(day=15)
        return day.replace(day=16), day.replace(day=last)
    if kind == "monthly":
        return day.replace(day=1), day.replace(day=last)
    raise ValueError(f"unknown settlement period {kind!r}")


def closed_periods(kind: str, start: date, end: date | None, today: date, limit: int = 60) -> list[tuple[date, date]]:
    """Periods that overlap [start, end] and ended before ``today``, newest first (at most ``limit``)."""
    out: list[tuple[date, date]] = []
    first, last = period_of(start, kind)
    while last < today and (end is None or first <= end) and len(out) < 10_000:
        out.append((first, last))
        first, last = period_of(last + timedelta(days=1), kind)
    return list(reversed(out))[:limit]
