"""One pushed event's values, checked: whole numbers in range, UUIDs, times and dates, text; and the answer
for each event (``Outcome``), or why it is refused (``Refused``)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any


class Refused(Exception):
    """This one event cannot be accepted; the rest of the batch goes on."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Outcome:
    id: str | None
    seq: int | None
    status: str  # accepted | duplicate | conflict | rejected
    code: str | None = None
    message: str | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "seq": self.seq, "status": self.status}
        if self.code:
            out["code"] = self.code
            out["message"] = self.message
        return out


_UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")


def uuid_of(value: Any, what: str) -> str:
    """A UUID in its canonical text (lower case with hyphens), whatever form the outlet sent."""
    if type(value) is str and _UUID_TEXT.match(value):
        return value
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise Refused("invalid", f"{what} must be a UUID") from None


def ref_of(known: dict[str, int], value: Any, what: str) -> int | None:
    """The id of a referenced record: the text as sent is tried first, then its canonical form."""
    found = known.get(value) if type(value) is str else None
    return found if found is not None else known.get(uuid_of(value, what))


def whole_number(value: Any, what: str, *, low: int = -(10**15), high: int = 10**15) -> int:
    if type(value) is not int or not low <= value <= high:
        raise Refused("invalid", f"{what} must be a whole number")
    return value


EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def instant(value: Any, what: str) -> datetime:
    if type(value) is not str:
        raise Refused("invalid", f"{what} must be an ISO 8601 time")
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise Refused("invalid", f"{what} must carry a time zone")
        in_utc = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise Refused("invalid", f"{what} must be an ISO 8601 time") from None
    if not EARLIEST <= in_utc.date() <= LATEST:
        raise Refused("invalid", f"{what} must lie between 2000 and 2100")
    return in_utc


def day_from(value: Any, what: str) -> date:
    try:
        day = date.fromisoformat(value) if type(value) is str else None
    except ValueError:
        day = None
    if day is None:
        raise Refused("invalid", f"{what} must be a date")
    if not EARLIEST <= day <= LATEST:
        raise Refused("invalid", f"{what} must lie between 2000 and 2100")
    return day


def without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    return value


def text_of(value: Any, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""
