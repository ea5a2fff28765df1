"""The one clock: every "what time is it" and "which business day is it" in the application asks here.

Tests fix the moment with time-machine (see tests/conftest.py); nothing else in the code reads the wall clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Asia/Jakarta"


def now() -> datetime:
    """The current moment, timezone-aware, in UTC."""
    return datetime.now(UTC)


def business_date(timezone: str = DEFAULT_TIMEZONE, moment: datetime | None = None) -> date:
    """The calendar day at `moment` (default: now) on the outlet's wall clock."""
    return (moment or now()).astimezone(ZoneInfo(timezone)).date()


def today(timezone: str = DEFAULT_TIMEZONE) -> date:
    return business_date(timezone)
