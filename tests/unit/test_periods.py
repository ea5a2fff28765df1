from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos.domain.periods import book_year_bounds, book_year_of, period_of, schedule


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


def test_periods_start_with_the_agreement_and_stop_before_today() -> None:
    periods = schedule(date(2026, 2, 18), None, [(date(2026, 2, 18), "monthly")], date(2026, 5, 10))
    assert periods == [
        (date(2026, 2, 18), date(2026, 2, 28)),  # never before the agreement (it started on the 18th)
        (date(2026, 3, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), date(2026, 4, 30)),
    ]
    with_running = schedule(date(2026, 2, 18), None, [(date(2026, 2, 18), "monthly")], date(2026, 5, 10), running=True)
    assert with_running[-1] == (date(2026, 5, 1), date(2026, 5, 31))
    assert schedule(date(2026, 5, 1), date(2026, 5, 3), [(date(2026, 5, 1), "weekly")], date(2026, 6, 1)) == [
        (date(2026, 5, 1), date(2026, 5, 3))  # nor after its end
    ]


KINDS = st.sampled_from(["weekly", "fortnightly", "monthly"])
DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31))


@given(
    DAYS,
    st.one_of(st.none(), DAYS),
    st.lists(st.tuples(DAYS, KINDS), max_size=4, unique_by=lambda v: v[0]),
    KINDS,
    DAYS,
)
def test_a_schedule_tiles_the_agreement_without_gaps_or_cuts_twice(
    start: date, end: date | None, later: list[tuple[date, str]], first_kind: str, today: date
) -> None:
    from datetime import timedelta

    kinds = [(start, first_kind), *[(d, k) for d, k in later if d > start]]
    periods = schedule(start, end, kinds, today)
    if periods:
        assert periods[0][0] == start  # never before the agreement
    for (first, last), following in zip(periods, [*periods[1:], None][: len(periods)], strict=True):
        assert first <= last < today and (end is None or last <= end)
        if following is not None:
            assert following[0] == last + timedelta(days=1)  # no gap, no overlap
        kind = max((d, k) for d, k in kinds if d <= first)[1]
        natural = period_of(first, kind)
        assert natural[0] <= first and last <= natural[1]  # within one calendar period of its kind
        changes = [d for d, k in kinds if first < d <= last and k != kind]
        assert not changes  # a change of kind starts a new period
    assert schedule(start, end, kinds, today) == periods  # the same history gives the same periods


def test_a_change_from_monthly_to_weekly_only_cuts_from_its_day() -> None:

    kinds = [(date(2026, 2, 18), "monthly"), (date(2026, 12, 1), "weekly")]
    periods = schedule(date(2026, 2, 18), None, kinds, date(2026, 12, 15))
    assert periods[0] == (date(2026, 2, 18), date(2026, 2, 28))  # starts with the agreement
    assert periods[-4:] == [
        (date(2026, 10, 1), date(2026, 10, 31)),
        (date(2026, 11, 1), date(2026, 11, 30)),
        (date(2026, 12, 1), date(2026, 12, 6)),  # the week of 30 Nov, from the change
        (date(2026, 12, 7), date(2026, 12, 13)),
    ]


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)), st.integers(1, 12))
def test_every_day_falls_in_exactly_the_book_year_whose_bounds_hold_it(day: date, start_month: int) -> None:
    year = book_year_of(day, start_month)
    first, last = book_year_bounds(year, start_month)
    assert first <= day <= last
    assert first.day == 1 and first.month == start_month
    assert book_year_of(last + timedelta(days=1), start_month) == year + 1


def test_a_book_year_from_july_is_named_by_the_year_it_starts() -> None:
    assert book_year_of(date(2026, 6, 30), 7) == 2025 and book_year_of(date(2026, 7, 1), 7) == 2026
    assert book_year_bounds(2025, 7) == (date(2025, 7, 1), date(2026, 6, 30))
    assert book_year_bounds(2026) == (date(2026, 1, 1), date(2026, 12, 31))
