"""The moment a test runs at. No test reads the wall clock: each runs at a moment it is given.

The whole suite runs as of POS_TEST_TODAY (or `pytest --today`), a date or a WIB date and time such as
`2028-02-29` or `2026-12-31T23:59`; without it, as of the real date in WIB, at 10:00. The tests marked
`dates` also run at each of MOMENTS: month starts and ends, a leap day, a year's last and first minutes in
WIB, and an outlet on WITA (Asia/Makassar) whose new year starts an hour before Jakarta's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WIB = "Asia/Jakarta"


@dataclass(frozen=True)
class Moment:
    id: str
    at: datetime  # aware
    timezone: str = WIB  # the demo outlet's time zone

    @property
    def today(self) -> date:
        return self.at.astimezone(ZoneInfo(self.timezone)).date()


def parse(text: str, id: str = "today") -> Moment:
    """`YYYY-MM-DD` (at 10:00) or `YYYY-MM-DDTHH:MM`, on the WIB wall clock."""
    text = text.strip()
    try:
        moment = datetime.fromisoformat(text) if "T" in text else datetime.combine(date.fromisoformat(text), time(10))
    except ValueError as exc:
        raise ValueError(
            f"POS_TEST_TODAY={text!r}: give a date (2028-02-29) or a WIB date and time (2026-12-31T23:59)"
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(WIB))
    return Moment(id, moment)


def wib(text: str, id: str, timezone: str = WIB) -> Moment:
    return Moment(id, datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(timezone)), timezone)


MOMENTS = [
    wib("2027-03-01T10:00", "month-start"),
    wib("2027-04-30T20:00", "month-end"),
    wib("2028-02-29T10:00", "leap-day"),
    wib("2026-12-31T23:59", "year-end-2359"),
    wib("2027-01-01T00:01", "new-year-0001"),
    wib("2027-01-01T00:30", "makassar-new-year", "Asia/Makassar"),  # 23:30 on 31 Dec in WIB
]


def session_moment(option: str | None = None) -> Moment:
    text = option or os.environ.get("POS_TEST_TODAY")
    if text:
        return parse(text)
    from pos.core import clock  # the one read of the real clock: which day the suite runs as of

    return Moment("today", datetime.combine(clock.today(WIB), time(10), ZoneInfo(WIB)))


def month_start(day: date, months: int = 0) -> date:
    """The first day of the month `months` after (or before) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(day: date, months: int = 0) -> date:
    return month_start(day, months + 1) - timedelta(days=1)


def across_a_month_end(today: date) -> tuple[date, date]:
    """A closed period of 24 days inside the demo's 60-day history that crosses the start of a month."""
    boundary = month_start(today - timedelta(days=15))
    return boundary - timedelta(days=14), boundary + timedelta(days=9)


@dataclass(frozen=True)
class Timeline:
    """The demo's calendar as seeded on `today`: its agreements' start and the months after it."""

    today: date

    @property
    def start(self) -> date:
        from pos import demo

        return demo.agreement_start(self.today)

    def month(self, n: int) -> date:
        """The first day of the n-th month of the partnership (0: the month it started in)."""
        return month_start(self.start, n)

    def month_end(self, n: int) -> date:
        return month_end(self.start, n)

    def agreement(self, investor_code: str) -> str:
        from pos import demo

        return demo.agreement_number(investor_code, self.today)

    def span(self) -> Span:
        return Span(*across_a_month_end(self.today))


@dataclass(frozen=True)
class Span:
    first: date
    last: date

    @property
    def query(self) -> str:
        return f"start={self.first.isoformat()}&end={self.last.isoformat()}"


INDONESIAN_MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip


def month_name(day: date) -> str:
    return f"{INDONESIAN_MONTHS[day.month - 1]} {day.year}"
