from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from pos.domain.stock import Lot, count_adjustment, expiring, lots_left

DAY = date(2026, 11, 28)


def test_oldest_lots_are_sold_first() -> None:
    lots = [
        Lot(DAY - timedelta(days=20), DAY + timedelta(days=5), 10),
        Lot(DAY - timedelta(days=2), DAY + timedelta(days=90), 10),
    ]
    assert [(lot.expiry, lot.quantity) for lot in lots_left(15, lots)] == [
        (DAY + timedelta(days=5), 5),
        (DAY + timedelta(days=90), 10),
    ]
    assert lots_left(8, lots)[0].expiry == DAY + timedelta(days=90)  # the old lot is gone
    assert expiring(15, lots, DAY, 30)[0].quantity == 5
    assert expiring(8, lots, DAY, 30) == []
    assert lots_left(0, lots) == [] and lots_left(-3, lots) == []


@given(st.integers(-50, 500), st.lists(st.integers(1, 100), max_size=6))
def test_lots_never_claim_more_than_is_on_hand(on_hand: int, sizes: list[int]) -> None:
    lots = [Lot(DAY - timedelta(days=i), DAY + timedelta(days=i), size) for i, size in enumerate(sizes)]
    left = lots_left(on_hand, lots)
    assert sum(lot.quantity for lot in left) == min(max(on_hand, 0), sum(sizes))


def test_count_adjustment_makes_the_ledger_say_what_was_counted() -> None:
    assert count_adjustment(7, 10) == -3
    assert count_adjustment(12, 10) == 2
    assert count_adjustment(0, -4) == 4


def test_what_a_sale_takes_out_and_what_runs_short() -> None:
    from pos.domain.stock import short, taken_out

    wanted = taken_out([(1, 2), (2, 500), (1, 1), (3, -1)])
    assert wanted == {1: 3, 2: 500, 3: -1}  # a refund's line puts its unit back
    assert short(wanted, {1: 3, 2: 499}) == frozenset({2})
    assert short(wanted, {}) == frozenset({1, 2})
