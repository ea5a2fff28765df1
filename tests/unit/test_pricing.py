"""The pricing path as properties (DESIGN §4): a sale's lines, discounts and split; the tender; which terms and
rate apply on a day; quantities typed by a cashier; the share of a line a partial refund takes back."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos.domain.agreements import Terms, rate_for, terms_on
from pos.domain.cash import ROUNDING_STEPS, TenderError, cash_due, is_cash_rounding, rounding_for, tender
from pos.domain.money import MoneyError, div_round_half_up
from pos.domain.pricing import LineInput, SoldLine, gross_of, price_sale, prorate, take_back
from pos.domain.quantity import MAX_STEPS, QuantityError, format_quantity, parse_quantity
from pos.domain.units import UNITS, unit

rupiah = st.integers(min_value=0, max_value=10**9)
rates = st.integers(min_value=0, max_value=10_000)


@st.composite
def sale_lines(draw: st.DrawFn) -> list[LineInput]:
    lines = []
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        step = draw(st.sampled_from([1, 1000]))
        quantity = draw(st.integers(min_value=1, max_value=50_000 if step == 1000 else 500))
        price = draw(st.integers(min_value=0, max_value=5_000_000))
        gross = div_round_half_up(quantity * price, step)
        discount = draw(st.integers(min_value=0, max_value=gross))
        lines.append(LineInput(quantity, price, step, discount, draw(rates)))
    return lines


@given(sale_lines(), st.data())
def test_every_priced_sale_keeps_the_invariants(lines: list[LineInput], data: st.DataObject) -> None:
    after_line = sum(
        div_round_half_up(ln.quantity * ln.unit_price, ln.step_per_unit) - ln.line_discount for ln in lines
    )
    sale_discount = data.draw(st.integers(min_value=0, max_value=after_line))
    sale = price_sale(lines, sale_discount)
    for given_line, line in zip(lines, sale.lines, strict=True):
        assert line.fee + line.investor_share == line.net  # invariant 1
        assert line.net == line.gross - line.line_discount - line.sale_discount >= 0
        assert line.gross == div_round_half_up(given_line.quantity * given_line.unit_price, given_line.step_per_unit)
        assert line.fee == div_round_half_up(line.net * line.fee_bp, 10_000)  # rounded half up, once, on the line
        assert 0 <= line.sale_discount <= line.gross - line.line_discount
    assert sale.total == sum(line.net for line in sale.lines)  # invariant 2
    assert sum(line.sale_discount for line in sale.lines) == sale_discount
    assert sale.subtotal - sale.discount == sale.total
    assert sale.fee + sale.investor_share == sale.total


@given(sale_lines(), st.integers(min_value=1, max_value=10**6))
def test_a_discount_beyond_what_is_left_is_refused(lines: list[LineInput], extra: int) -> None:
    after_line = sum(
        div_round_half_up(ln.quantity * ln.unit_price, ln.step_per_unit) - ln.line_discount for ln in lines
    )
    with pytest.raises(MoneyError):
        price_sale(lines, after_line + extra)


def test_bad_lines_are_refused() -> None:
    with pytest.raises(MoneyError):
        price_sale([])
    with pytest.raises(MoneyError):
        price_sale([LineInput(1, 1000, 1, 1001, 1000)])  # discount above the line
    with pytest.raises(MoneyError):
        price_sale([LineInput(1, 1000, 1, 0, 10_001)])  # a rate above 100%
    with pytest.raises(MoneyError):
        price_sale([LineInput(-1, 1000, 1, 0, 1000)])


@given(rupiah, rupiah, rupiah, rupiah)
def test_a_tender_pays_the_total_exactly_and_change_comes_from_cash(
    total: int, cash: int, qris: int, transfer: int
) -> None:
    try:
        paid = tender(total, cash, qris, transfer)
    except TenderError:
        assert qris + transfer > total or cash + qris + transfer < total
        return
    assert paid.paid - paid.change == total  # invariant 2: payments − change == total
    assert 0 <= paid.change <= paid.cash


@given(rupiah)
def test_exact_cash_and_exact_qris_leave_no_change(total: int) -> None:
    assert tender(total, total, 0, 0).change == 0
    assert tender(total, 0, total, 0).change == 0
    with pytest.raises(TenderError):
        tender(total, 0, total + 1, 0)  # a QRIS payment above the total would need change from cash


steps = st.sampled_from(ROUNDING_STEPS)
signed = st.integers(min_value=-(10**9), max_value=10**9)


@given(signed, steps)
def test_cash_rounding_goes_to_the_nearest_step_and_a_half_to_the_customer(due: int, step: int) -> None:
    rounding = rounding_for(due, step)
    if not step:
        assert rounding == 0
        return
    assert (due + rounding) % step == 0
    assert 2 * abs(rounding) <= step
    if 2 * abs(rounding) == step:
        assert rounding < 0  # a sale pays less, a refund gives more
    assert is_cash_rounding(due, rounding)
    assert is_cash_rounding(-due, -rounding)  # a void gives back exactly its sale's rounding


def test_cash_rounding_examples() -> None:
    assert rounding_for(224_896, 100) == 4
    assert rounding_for(224_849, 100) == -49
    assert rounding_for(224_850, 100) == -50
    assert rounding_for(224_896, 500) == 104
    assert rounding_for(224_750, 500) == -250
    assert rounding_for(-224_896, 100) == -4
    assert not is_cash_rounding(224_896, 5)  # leaves coins nobody has
    assert not is_cash_rounding(224_896, 604)  # more than half a step
    with pytest.raises(MoneyError):
        rounding_for(1000, 50)


@given(rupiah, rupiah, rupiah, rupiah, steps)
def test_a_rounded_cash_payment_keeps_the_invariant_with_its_rounding_line(
    total: int, cash: int, qris: int, transfer: int, step: int
) -> None:
    try:
        paid = tender(total, cash, qris, transfer, step)
    except TenderError:
        assert (
            qris + transfer > total or cash + qris + transfer < cash_due(total, qris, transfer, step) + qris + transfer
        )
        return
    assert paid.paid - paid.change == total + paid.rounding  # payments − change == total + the rounding line
    assert 0 <= paid.change <= paid.cash
    assert 2 * abs(paid.rounding) <= step
    if step and total > qris + transfer:
        assert (total - qris - transfer + paid.rounding) % step == 0  # the cash part is payable in coins
    if total == qris + transfer:
        assert paid.rounding == 0  # nothing is rounded when no cash is due


days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


@given(st.lists(st.tuples(days, rates), min_size=0, max_size=8, unique_by=lambda v: v[0]), days)
def test_the_terms_in_force_are_the_latest_that_took_effect(versions: list[tuple[date, int]], day: date) -> None:
    terms = [Terms(effective_from, bp) for effective_from, bp in versions]
    found = terms_on(terms, day)
    started = [t for t in terms if t.effective_from <= day]
    if not started:
        assert found is None
        return
    assert found == max(started, key=lambda t: t.effective_from)
    assert terms_on(terms, found.effective_from) == found  # in force from its first day
    later = [t for t in terms if t.effective_from > found.effective_from]
    if later:
        first_later = min(later, key=lambda t: t.effective_from)
        assert terms_on(terms, first_later.effective_from - timedelta(days=1)) == found  # until the day before


@given(rates, st.dictionaries(st.integers(min_value=1, max_value=50), rates, max_size=5), st.integers(1, 60))
def test_a_category_rate_overrides_the_agreement_rate(fee_bp: int, overrides: dict[int, int], category: int) -> None:
    terms = Terms(date(2026, 1, 1), fee_bp, overrides)
    assert rate_for(terms, category) == overrides.get(category, fee_bp)


@given(st.integers(min_value=1, max_value=MAX_STEPS), st.sampled_from(sorted(UNITS)))
def test_a_typed_quantity_reads_back_as_it_is_shown(steps: int, code: str) -> None:
    shown = format_quantity(steps, unit(code))
    assert parse_quantity(shown, unit(code)) == steps
    assert parse_quantity(shown.replace(",", "."), unit(code)) == steps


@given(st.text(max_size=30), st.sampled_from(sorted(UNITS)))
def test_any_typed_text_is_a_quantity_or_a_clear_refusal(text: str, code: str) -> None:
    try:
        steps = parse_quantity(text, unit(code))
    except QuantityError:
        return
    assert 0 < steps <= MAX_STEPS


@pytest.mark.parametrize(
    ("text", "code", "steps"),
    [("2,5", "kg", 2500), ("0.125", "kg", 125), ("1", "l", 1000), ("3", "pcs", 3), (" 12 ", "pack", 12)],
)
def test_quantities_in_the_units_smallest_step(text: str, code: str, steps: int) -> None:
    assert parse_quantity(text, unit(code)) == steps


@pytest.mark.parametrize(("text", "code"), [("1,5", "pcs"), ("0", "kg"), ("-1", "pcs"), ("١", "pcs"), ("1,2345", "kg")])
def test_quantities_that_are_refused(text: str, code: str) -> None:
    with pytest.raises(QuantityError):
        parse_quantity(text, unit(code))


@given(st.integers(min_value=-(10**9), max_value=10**9), st.integers(min_value=1, max_value=5000), st.data())
def test_refunds_in_any_steps_take_back_exactly_the_line(amount: int, quantity: int, data: st.DataObject) -> None:
    steps = []
    left = quantity
    while left:
        now = data.draw(st.integers(min_value=1, max_value=left))
        steps.append(now)
        left -= now
    done, parts = 0, []
    for now in steps:
        parts.append(prorate(amount, quantity, done, now))
        done += now
    assert sum(parts) == amount  # the refunds of a line sum to the line, whatever the steps
    for now, part in zip(steps, parts, strict=True):
        assert abs(part * quantity - amount * now) < quantity  # within one Rupiah of its proportional share


@given(sale_lines(), st.integers(min_value=0, max_value=10**6), st.data())
def test_a_line_taken_back_in_any_steps_returns_exactly_the_line(
    lines: list[LineInput], sale_discount: int, data: st.DataObject
) -> None:
    after_line = sum(gross_of(ln.quantity, ln.unit_price, ln.step_per_unit) - ln.line_discount for ln in lines)
    sale_discount = min(sale_discount, after_line)
    sold = data.draw(st.sampled_from(price_sale(lines, sale_discount).lines))
    line = SoldLine(
        sold.quantity, sold.unit_price, sold.gross, sold.line_discount + sold.sale_discount, sold.fee_bp, sold.fee
    )
    done, pieces = 0, []
    while done < sold.quantity:
        left = sold.quantity - done
        # at most eight steps, the last takes what is left (a weighed line has up to a million steps)
        units = left if len(pieces) == 7 else data.draw(st.integers(min_value=1, max_value=left))
        pieces.append(take_back(line, done, units))
        done += units
    for piece in pieces:
        assert piece.fee + piece.investor_share == piece.net  # DESIGN §4.1 on every piece
        assert piece.net == piece.gross - piece.line_discount and piece.fee_bp == sold.fee_bp
        assert piece.quantity < 0 and piece.gross <= 0 and piece.fee <= 0
    assert -sum(p.quantity for p in pieces) == sold.quantity
    assert -sum(p.gross for p in pieces) == sold.gross
    assert -sum(p.net for p in pieces) == sold.net
    assert -sum(p.fee for p in pieces) == sold.fee
    assert -sum(p.investor_share for p in pieces) == sold.investor_share
    if len(pieces) == 1:
        assert (pieces[0].net, pieces[0].fee) == (-sold.net, -sold.fee)  # a whole line comes back exactly


@pytest.mark.parametrize(("quantity", "done", "now"), [(0, 0, 1), (3, 0, 0), (3, 2, 2), (3, -1, 1)])
def test_a_refund_beyond_the_line_is_refused(quantity: int, done: int, now: int) -> None:
    with pytest.raises(MoneyError):
        prorate(1000, quantity, done, now)
