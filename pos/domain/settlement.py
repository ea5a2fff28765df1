"""A settlement statement's arithmetic: the unsettled lines of one investor at one outlet, summed for a period.

Plain Python over plain numbers; ``pos.partnership.settlements`` reads the lines and stores the result.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class Line:
    """One sold or refunded line not settled yet, with the receipt and day of the sale it refunds (if it is a
    refund)."""

    product_id: int
    quantity: int
    net: int
    fee: int
    investor_share: int
    day: date
    original_day: date | None = None
    fee_bp: int | None = None
    receipt: str = ""
    original_receipt: str | None = None


# (day, product, late, rate, the receipt a late line corrects, that sale's day)
Key = tuple[date, int, bool, int | None, str | None, date | None]


@dataclass
class Figures:
    sold_units: int = 0
    refunded_units: int = 0
    gross_sales: int = 0  # nets of this period's sales
    refunds: int = 0  # nets of this period's refunds of this period's sales (negative)
    late_net: int = 0  # corrections of earlier periods: dated before it, or refunds of sales made before it
    net_sales: int = 0  # gross_sales + refunds + late_net
    fee: int = 0
    investor_share: int = 0
    # Key -> [quantity, net, fee, share]: the statement's own lines
    grouped: dict[Key, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0] * 4))


def is_late(line: Line, first: date) -> bool:
    return line.day < first or (line.original_day is not None and line.original_day < first)


def sum_up(lines: Iterable[Line], first: date) -> Figures:
    """Everything unsettled up to the period's end goes on its statement; what belongs to an earlier period
    is shown apart as a late correction. fee + share = net holds for the whole as it does for each line."""
    out = Figures()
    for line in lines:
        late = is_late(line, first)
        corrects: tuple[str | None, date | None] = (None, None)
        if late:  # the sale it corrects: the refunded sale, or the late sale itself
            if line.original_day is not None:
                corrects = (line.original_receipt, line.original_day)
            else:
                corrects = (line.receipt, line.day)
        bucket = out.grouped[(line.day, line.product_id, late, line.fee_bp, *corrects)]
        bucket[0] += line.quantity
        bucket[1] += line.net
        bucket[2] += line.fee
        bucket[3] += line.investor_share
        out.net_sales += line.net
        out.fee += line.fee
        out.investor_share += line.investor_share
        if late:
            out.late_net += line.net
        elif line.quantity >= 0:
            out.gross_sales += line.net
            out.sold_units += line.quantity
        else:
            out.refunds += line.net
            out.refunded_units -= line.quantity
    return out


def payable(figures: Figures, cooperative_collects: bool) -> int:
    """Who pays whom: the side that collected the money pays the other its part."""
    return figures.investor_share if cooperative_collects else figures.fee


MOVES = ("received", "sold", "refunded", "returned", "written_off", "adjusted")


@dataclass(frozen=True, slots=True)
class Stock:
    """One product's stock over a period, in its unit's steps."""

    opening: int
    received: int
    sold: int
    refunded: int
    returned: int
    written_off: int
    adjusted: int

    @property
    def closing(self) -> int:
        return (
            self.opening + self.received - self.sold + self.refunded - self.returned - self.written_off + self.adjusted
        )

    @property
    def moved(self) -> bool:
        return any(getattr(self, name) for name in MOVES)


def stock_of(opening: int, moved: dict[str, int]) -> Stock:
    """A product's stock block from its opening and the sum of its movements of each kind in the period (signed
    as the ledger keeps them: out is negative). It reconciles by construction: opening plus every movement is
    the closing stock, and every movement is under exactly one heading."""
    return Stock(
        opening=opening,
        received=moved.get("receive", 0) + moved.get("opening", 0),
        sold=-moved.get("sale", 0),
        refunded=moved.get("refund", 0),
        returned=-moved.get("return", 0),
        written_off=-moved.get("write_off", 0),
        adjusted=moved.get("adjust", 0),
    )


def totals_by_unit(rows: Iterable[tuple[str, Stock]]) -> dict[str, Stock]:
    """Stock blocks added up per unit: pieces are never added to grams."""
    sums: dict[str, list[int]] = {}
    for unit, stock in rows:
        acc = sums.setdefault(unit, [0] * 7)
        for index, name in enumerate(("opening", *MOVES)):
            acc[index] += getattr(stock, name)
    return {unit: Stock(*values) for unit, values in sums.items()}
