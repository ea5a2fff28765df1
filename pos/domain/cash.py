"""Cash: quick amounts, denominations, change and tender validation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pos.domain.money import MoneyError, rupiah

DENOMINATIONS = (100_000, 50_000, 20_000, 10_000, 5_000, 2_000, 1_000, 500, 200, 100)
QUICK_STEPS = (5_000, 10_000, 20_000, 50_000, 100_000)


def quick_amounts(total: int) -> list[int]:
    """Exact, then the next multiple of each step above the total, without repeats."""
    amounts = [total]
    for step in QUICK_STEPS:
        above = -(-total // step) * step
        if above == total:
            above += step
        if above not in amounts:
            amounts.append(above)
    return sorted(amounts)


def count_cash(counts: Mapping[int, int]) -> int:
    total = 0
    for denomination, pieces in counts.items():
        if denomination not in DENOMINATIONS:
            raise MoneyError(f"unknown denomination {denomination}")
        if isinstance(pieces, bool) or not isinstance(pieces, int) or pieces < 0:
            raise MoneyError("a count of notes or coins is a whole number, not negative")
        total += denomination * pieces
    return rupiah(total)


class TenderError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Tender:
    cash: int
    qris: int
    transfer: int
    change: int

    @property
    def paid(self) -> int:
        return self.cash + self.qris + self.transfer


def tender(total: int, cash: int, qris: int, transfer: int) -> Tender:
    """Check a (split) payment against ``total``. Change comes only out of cash."""
    for amount in (total, cash, qris, transfer):
        rupiah(amount)
    if qris + transfer > total:
        raise TenderError("QRIS and transfer together cannot be more than the total")
    paid = cash + qris + transfer
    if paid < total:
        raise TenderError("the payment is less than the total")
    return Tender(cash=cash, qris=qris, transfer=transfer, change=paid - total)
