"""Cash: quick amounts, denominations, cash rounding, change and tender validation.

Cash rounding (an outlet's choice of none, Rp100 or Rp500) makes the cash part of a payment one the drawer can
pay in coins: the amount due in cash goes to the nearest multiple of the step, and an exact half goes the
customer's way (down for a sale, a larger refund for a refund). The difference is the sale's own rounding line,
the cooperative's money: it is never part of a line's net, so the fee and the investor's share never change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pos.domain.money import MoneyError, rupiah

DENOMINATIONS = (100_000, 50_000, 20_000, 10_000, 5_000, 2_000, 1_000, 500, 200, 100)
QUICK_STEPS = (5_000, 10_000, 20_000, 50_000, 100_000)
ROUNDING_STEPS = (0, 100, 500)
MAX_ROUNDING = max(ROUNDING_STEPS) // 2


def rounding_for(due: int, step: int) -> int:
    """What cash rounding adds to ``due`` (negative for a refund): to the nearest multiple of ``step``, an exact
    half toward the customer. Step 0 rounds nothing."""
    if step not in ROUNDING_STEPS:
        raise MoneyError(f"cash rounding is to one of {ROUNDING_STEPS}, not {step}")
    if not step:
        return 0
    over = due % step
    return -over if 2 * over <= step else step - over


def is_cash_rounding(due: int, rounding: int) -> bool:
    """Whether ``rounding`` is what some outlet setting gives for ``due``: at most half a step, to a multiple of
    the step. (An exact half goes either way: toward the customer on a sale or a refund, and back again on the
    void of a sale that was rounded so.)"""
    steps = ROUNDING_STEPS[1:]
    return rounding == 0 or any(2 * abs(rounding) <= step and (due + rounding) % step == 0 for step in steps)


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
    rounding: int = 0

    @property
    def paid(self) -> int:
        return self.cash + self.qris + self.transfer


def cash_due(total: int, qris: int = 0, transfer: int = 0, step: int = 0) -> int:
    """The cash the customer owes once QRIS and transfer are taken off, rounded by the outlet's step."""
    due = total - qris - transfer
    return due + rounding_for(due, step) if due > 0 else due


def tender(total: int, cash: int, qris: int, transfer: int, step: int = 0) -> Tender:
    """Check a (split) payment against ``total``. Change comes only out of cash; the cash part is rounded by
    ``step`` (see the module)."""
    for amount in (total, cash, qris, transfer):
        rupiah(amount)
    if qris + transfer > total:
        raise TenderError("QRIS and transfer together cannot be more than the total")
    due = total - qris - transfer
    rounding = rounding_for(due, step) if due > 0 else 0
    paid = cash + qris + transfer
    if paid < total + rounding:
        raise TenderError("the payment is less than the total")
    return Tender(cash=cash, qris=qris, transfer=transfer, change=paid - total - rounding, rounding=rounding)
