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
    """One sold or refunded line not settled yet, with the day of the sale it refunds (if it is a refund)."""

    product_id: int
    quantity: int
    net: int
    fee: int
    investor_share: int
    day: date
    original_day: date | None = None


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
    # (day, product, late) -> [quantity, net, fee, share]: the statement's own lines
    grouped: dict[tuple[date, int, bool], list[int]] = field(default_factory=lambda: defaultdict(lambda: [0] * 4))


def is_late(line: Line, first: date) -> bool:
    return line.day < first or (line.original_day is not None and line.original_day < first)


def sum_up(lines: Iterable[Line], first: date) -> Figures:
    """Everything unsettled up to the period's end goes on its statement; what belongs to an earlier period
    is shown apart as a late correction. fee + share = net holds for the whole as it does for each line."""
    out = Figures()
    for line in lines:
        late = is_late(line, first)
        bucket = out.grouped[(line.day, line.product_id, late)]
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
