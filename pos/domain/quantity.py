"""Quantities typed by a cashier: whole pieces, or kilograms/litres with up to 3 decimals."""

from __future__ import annotations

import re
from decimal import Decimal

from pos.domain.units import Unit

MAX_STEPS = 1_000_000_000
_DECIMAL = re.compile(r"^(\d{1,7})(?:[.,](\d{1,3}))?$")


class QuantityError(ValueError):
    pass


def parse_quantity(text: str, unit: Unit) -> int:
    """Return the quantity in the unit's smallest step (pieces, grams, millilitres)."""
    text = (text or "").strip()
    if unit.by_measure:
        match = _DECIMAL.match(text)
        if not match:
            raise QuantityError("enter the weight or volume as a number, e.g. 1,25")
        whole, fraction = match.group(1), (match.group(2) or "")
        decimals = len(str(unit.step_per_unit)) - 1
        steps = int(whole) * unit.step_per_unit + int((fraction + "000")[:decimals] or 0)
    else:
        if not text.isascii() or not text.isdigit():
            raise QuantityError("this product is sold in whole units")
        steps = int(text)
    if steps <= 0:
        raise QuantityError("the quantity must be more than zero")
    if steps > MAX_STEPS:
        raise QuantityError("the quantity is too large")
    return steps


def format_quantity(steps: int, unit: Unit, decimal_sep: str = ",") -> str:
    if not unit.by_measure:
        return str(steps)
    whole, rest = divmod(abs(steps), unit.step_per_unit)
    sign = "-" if steps < 0 else ""
    if rest == 0:
        return f"{sign}{whole}"
    digits = len(str(unit.step_per_unit)) - 1
    return f"{sign}{whole}{decimal_sep}{rest:0{digits}d}".rstrip("0")


def quantity_number(steps: int, unit: Unit) -> int | Decimal:
    """A quantity as a number a spreadsheet adds up: pieces whole, kilograms and litres exact to 3 decimals."""
    return steps if not unit.by_measure else Decimal(steps) / Decimal(unit.step_per_unit)
