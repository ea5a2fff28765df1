"""Selling units. Quantities are whole numbers of the unit's smallest step."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Unit:
    code: str
    step_per_unit: int  # smallest steps in one priced unit: 1000 g in a kg
    step_label: str  # what a quantity is counted in

    @property
    def by_measure(self) -> bool:
        return self.step_per_unit != 1


UNITS: dict[str, Unit] = {
    u.code: u
    for u in (
        Unit("pcs", 1, "pcs"),
        Unit("pack", 1, "pack"),
        Unit("box", 1, "box"),
        Unit("bottle", 1, "bottle"),
        Unit("sachet", 1, "sachet"),
        Unit("kg", 1000, "g"),
        Unit("l", 1000, "ml"),
    )
}


def unit(code: str) -> Unit:
    try:
        return UNITS[code]
    except KeyError:
        raise ValueError(f"unknown unit {code!r}") from None
