"""The outlet's local day and time."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from pos.models.base import utcnow


def business_date(timezone: str, moment: datetime | None = None) -> date:
    return (moment or utcnow()).astimezone(ZoneInfo(timezone)).date()
