"""The statement's arithmetic (pos/domain/settlement.py) as properties: whatever the lines, the statement adds
up on paper (DESIGN §4.3)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from pos.domain.money import split_line
from pos.domain.settlement import Line, payable, sum_up

FIRST = date(2027, 3, 1)


@st.composite
def lines(draw: st.DrawFn) -> list[Line]:
    out = []
    for _ in range(draw(st.integers(min_value=0, max_value=40))):
        quantity = draw(st.integers(min_value=-5, max_value=5).filter(bool))
        net = abs(draw(st.integers(min_value=0, max_value=10**7))) * (1 if quantity > 0 else -1)
        split = split_line(abs(net), draw(st.integers(min_value=0, max_value=10_000)))
        sign = 1 if net >= 0 else -1
        day = FIRST + timedelta(days=draw(st.integers(min_value=-40, max_value=30)))
        original = day - timedelta(days=draw(st.integers(min_value=0, max_value=60))) if quantity < 0 else None
        out.append(
            Line(draw(st.integers(1, 4)), quantity, net, sign * split.fee, sign * split.investor_share, day, original)
        )
    return out


@given(lines())
def test_a_statement_adds_up(items: list[Line]) -> None:
    figures = sum_up(items, FIRST)
    assert figures.net_sales == sum(ln.net for ln in items)
    assert figures.net_sales == figures.gross_sales + figures.refunds + figures.late_net
    assert figures.fee + figures.investor_share == figures.net_sales
    assert sum(b[1] for b in figures.grouped.values()) == figures.net_sales
    assert sum(b[2] for b in figures.grouped.values()) == figures.fee
    assert figures.sold_units >= 0 and figures.refunded_units >= 0 and figures.refunds <= 0
    assert payable(figures, cooperative_collects=True) == figures.investor_share
    assert payable(figures, cooperative_collects=False) == figures.fee


def test_a_refund_of_an_earlier_periods_sale_is_a_late_correction() -> None:
    refund = Line(1, -1, -5_000, -600, -4_400, FIRST + timedelta(days=2), FIRST - timedelta(days=3))
    sale = Line(1, 2, 10_000, 1_200, 8_800, FIRST + timedelta(days=1))
    figures = sum_up([sale, refund], FIRST)
    assert (figures.gross_sales, figures.refunds, figures.late_net) == (10_000, 0, -5_000)
    assert (figures.sold_units, figures.refunded_units) == (2, 0)
