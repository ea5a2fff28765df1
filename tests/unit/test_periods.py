from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos.domain.periods import closed_periods, period_of


@pytest.mark.parametrize(
    ("day", "kind", "period"),
    [
        (date(2026, 2, 18), "monthly", (date(2026, 2, 1), date(2026, 2, 28))),
        (date(2028, 2, 29), "monthly", (date(2028, 2, 1), date(2028, 2, 29))),
        (date(2026, 11, 28), "weekly", (date(2026, 11, 23), date(2026, 11, 29))),
        (date(2026, 3, 15), "fortnightly", (date(2026, 3, 1), date(2026, 3, 15))),
        (date(2026, 3, 16), "fortnightly", (date(2026, 3, 16), date(2026, 3, 31))),
    ],
)
def test_period_table(day: date, kind: str, period: tuple[date, date]) -> None:
    assert period_of(day, kind) == period


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    st.sampled_from(["weekly", "fortnightly", "monthly"]),
)
def test_a_day_is_in_its_period(day: date, kind: str) -> None:
    first, last = period_of(day, kind)
    assert first <= day <= last
    assert period_of(first, kind) == period_of(last, kind) == (first, last)


def test_closed_periods_stop_before_today_and_do_not_overlap() -> None:
    periods = closed_periods("monthly", date(2026, 2, 18), None, date(2026, 5, 10))
    assert periods == [
        (date(2026, 4, 1), date(2026, 4, 30)),
        (date(2026, 3, 1), date(2026, 3, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
    ]
    assert closed_periods("weekly", date(2026, 5, 1), date(2026, 5, 3), date(2026, 6, 1)) == [
        (date(2026, 4, 27), date(2026, 5, 3))
    ]
