"""Pricing a sale: line amounts, discounts, the fee split, totals. All integers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pos.domain.money import MoneyError, basis_points, line_amount, rupiah, split_line, spread_discount


@dataclass(frozen=True, slots=True)
class LineInput:
    quantity: int
    unit_price: int
    step_per_unit: int
    line_discount: int
    fee_bp: int


@dataclass(frozen=True, slots=True)
class PricedLine:
    quantity: int
    unit_price: int
    gross: int
    line_discount: int
    sale_discount: int
    net: int
    fee_bp: int
    fee: int
    investor_share: int


@dataclass(frozen=True, slots=True)
class PricedSale:
    lines: tuple[PricedLine, ...]
    subtotal: int  # sum of gross
    discount: int  # line discounts + sale discount
    total: int  # sum of nets
    fee: int
    investor_share: int


def gross_of(quantity: int, unit_price: int, step_per_unit: int) -> int:
    return line_amount(quantity, unit_price, step_per_unit)


def price_sale(lines: Sequence[LineInput], sale_discount: int = 0) -> PricedSale:
    if not lines:
        raise MoneyError("a sale needs at least one line")
    rupiah(sale_discount)
    grosses = []
    after_line = []
    for line in lines:
        basis_points(line.fee_bp)
        gross = gross_of(line.quantity, line.unit_price, line.step_per_unit)
        discount = rupiah(line.line_discount)
        if discount > gross:
            raise MoneyError("a line discount cannot be more than the line amount")
        grosses.append(gross)
        after_line.append(gross - discount)
    spread = spread_discount(after_line, sale_discount) if sale_discount else [0] * len(after_line)
    priced = []
    for line, gross, base, extra in zip(lines, grosses, after_line, spread, strict=True):
        split = split_line(base - extra, line.fee_bp)
        priced.append(
            PricedLine(
                quantity=line.quantity,
                unit_price=line.unit_price,
                gross=gross,
                line_discount=line.line_discount,
                sale_discount=extra,
                net=split.net,
                fee_bp=split.fee_bp,
                fee=split.fee,
                investor_share=split.investor_share,
            )
        )
    subtotal = sum(grosses)
    total = sum(p.net for p in priced)
    return PricedSale(
        lines=tuple(priced),
        subtotal=subtotal,
        discount=subtotal - total,
        total=total,
        fee=sum(p.fee for p in priced),
        investor_share=sum(p.investor_share for p in priced),
    )


def prorate(amount: int, quantity: int, done: int, now: int) -> int:
    """The share of a line's ``amount`` for its units done..done+now of ``quantity`` (a partial refund).

    Shares are cumulative: refunding a line in any number of steps takes exactly its amount in the end.
    """
    if not (quantity > 0 and done >= 0 and now > 0 and done + now <= quantity):
        raise MoneyError("a refund covers units of the line that were sold and not yet refunded")
    before = amount * done // quantity
    after = amount * (done + now) // quantity if done + now < quantity else amount
    return after - before


@dataclass(frozen=True, slots=True)
class SoldLine:
    """What a refund or void needs of the sold line it takes units back from."""

    quantity: int
    unit_price: int
    gross: int
    discount: int
    fee_bp: int
    fee: int


def take_back(line: SoldLine, done: int, units: int) -> PricedLine:
    """The negative piece of a sold line for its units done..done+units (a refund or a void), by the
    proration rule: gross, discount and fee are each prorated, net = gross - discount, share = net - fee."""
    gross = prorate(line.gross, line.quantity, done, units)
    discount = prorate(line.discount, line.quantity, done, units)
    fee = prorate(line.fee, line.quantity, done, units)
    net = gross - discount
    return PricedLine(
        quantity=-units,
        unit_price=line.unit_price,
        gross=-gross,
        line_discount=-discount,
        sale_discount=0,
        net=-net,
        fee_bp=line.fee_bp,
        fee=-fee,
        investor_share=-(net - fee),
    )


def discount_needs_approval(discount: int, base: int, limit_bp: int) -> bool:
    """A discount above ``limit_bp`` of ``base`` needs a manager's PIN."""
    return discount * 10_000 > base * limit_bp
