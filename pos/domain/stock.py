"""Stock rules that need no database: what a sale takes out and what runs short, count differences, expiring
lots. (The ledger itself — a movement and its balance in one transaction — is ``pos.stock.ledger``.)"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


class StockRuleError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Lot:
    """Units received with one expiry date, newest first when estimating what is left."""

    received_on: date
    expiry: date
    quantity: int


@dataclass(frozen=True, slots=True)
class LotLeft:
    expiry: date
    quantity: int


def lots_left(on_hand: int, lots: Sequence[Lot]) -> list[LotLeft]:
    """Which lots the units on hand most likely come from, oldest sold first (FIFO).

    The newest receipts are assumed to still be on the shelf; whatever is on hand beyond the
    lots known (opening stock, adjustments) has no expiry date and is not reported.
    """
    left: list[LotLeft] = []
    remaining = max(0, on_hand)
    for lot in sorted(lots, key=lambda lot: lot.received_on, reverse=True):
        if remaining <= 0:
            break
        take = min(remaining, lot.quantity)
        if take > 0:
            left.append(LotLeft(lot.expiry, take))
        remaining -= take
    return sorted(left, key=lambda lot: lot.expiry)


def expiring(on_hand: int, lots: Sequence[Lot], today: date, warn_days: int) -> list[LotLeft]:
    """Lots still on hand that expire within ``warn_days`` of today (or already have)."""
    return [lot for lot in lots_left(on_hand, lots) if (lot.expiry - today).days <= warn_days]


def count_adjustment(counted: int, on_hand: int) -> int:
    """The movement that makes the ledger say what was counted."""
    if counted < 0:
        raise StockRuleError("a counted quantity cannot be negative")
    return counted - on_hand


def taken_out(lines: Sequence[tuple[int, int]]) -> dict[int, int]:
    """The units a sale takes out of stock per product, from its (product, quantity) lines; a refund's negative
    quantities put them back."""
    out: dict[int, int] = {}
    for product_id, quantity in lines:
        out[product_id] = out.get(product_id, 0) + quantity
    return out


def short(wanted: dict[int, int], on_hand: dict[int, int]) -> frozenset[int]:
    """The products a sale wants more of than the stock recorded: refused, or sold and flagged for a count when
    the outlet allows selling below the recorded stock."""
    return frozenset(pid for pid, quantity in wanted.items() if quantity > on_hand.get(pid, 0))
