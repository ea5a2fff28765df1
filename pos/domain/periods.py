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


def schedule(
    start: date,
    end: date | None,
    kinds: list[tuple[date, str]],
    today: date,
    *,
    running: bool = False,
    limit: int = 10_000,
) -> list[tuple[date, date]]:
    """The settlement periods of an agreement that ended before ``today`` (with ``running``, also the one under
    way), oldest first.

    ``kinds`` are (effective from, period kind) of its versions. A period follows the calendar of the kind in
    force on its first day, but never starts before the agreement, never runs past its end, and ends the day
    before a version that changes the kind takes effect: the new kind starts there, and no period is ever cut
    twice."""
    changes = sorted(kinds)
    if not changes:
        return []
    out: list[tuple[date, date]] = []
    cursor = start
    while (end is None or cursor <= end) and len(out) < limit:
        kind = changes[0][1]
        for effective, version_kind in changes:
            if effective <= cursor:
                kind = version_kind
        last = period_of(cursor, kind)[1]
        for effective, version_kind in changes:
            if cursor < effective <= last and version_kind != kind:
                last = effective - timedelta(days=1)
                break
        if end is not None and last > end:
            last = end
        if last >= today:
            if running and cursor <= today:
                out.append((cursor, last))
            break
        out.append((cursor, last))
        cursor = last + timedelta(days=1)
    return out


SHORT_MONTH_DAYS = 7  # before this day of the month a report opens on last month as well


def report_default(today: date) -> tuple[date, date]:
    """The period a report opens on: this month so far, and from the start of last month while this one is
    younger than a week, so that it never opens on a day or two."""
    first = today.replace(day=1)
    if today.day < SHORT_MONTH_DAYS:
        first = (first - timedelta(days=1)).replace(day=1)
    return first, today


def report_presets(today: date) -> dict[str, tuple[date, date]]:
    """The periods a report offers at one tap: today, this week (from Monday), this month, last month, this year."""
    month = today.replace(day=1)
    last_month_end = month - timedelta(days=1)
    return {
        "today": (today, today),
        "week": (today - timedelta(days=today.weekday()), today),
        "month": (month, today),
        "last_month": (last_month_end.replace(day=1), last_month_end),
        "year": (today.replace(month=1, day=1), today),
    }


def book_year_of(day: date, start_month: int = 1) -> int:
    """The cooperative's book year (tahun buku) a day falls in, named by the year it starts in."""
    if not 1 <= start_month <= 12:
        raise ValueError("a book year starts in month 1 to 12")
    return day.year if day.month >= start_month else day.year - 1


def book_year_bounds(year: int, start_month: int = 1) -> tuple[date, date]:
    """The first and last day of book year ``year``."""
    first = date(year, start_month, 1)
    following = date(year + 1, start_month, 1)
    return first, following - timedelta(days=1)
