"""Which fee rate applies: agreement versions that take effect from a date."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class Terms:
    effective_from: date
    fee_bp: int
    category_bp: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date | None  # inclusive; None = open-ended

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def overlaps(self, other: Period) -> bool:
        starts_before_other_ends = other.end is None or self.start <= other.end
        other_starts_before_this_ends = self.end is None or other.start <= self.end
        return starts_before_other_ends and other_starts_before_this_ends


def terms_on(versions: Sequence[Terms], day: date) -> Terms | None:
    """The version in force on ``day``: the latest that took effect on or before it."""
    best = None
    for version in versions:
        if version.effective_from <= day and (best is None or version.effective_from > best.effective_from):
            best = version
    return best


def rate_for(terms: Terms, category_id: int) -> int:
    return terms.category_bp.get(category_id, terms.fee_bp)
