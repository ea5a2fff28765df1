"""A period is read as whole months plus day ranges at its edges: together they cover each day once."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from pos.reports.figures import split_period

days = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))


def _month_days(month: date) -> set[date]:
    out = set()
    day = month
    while day.month == month.month:
        out.add(day)
        day += timedelta(days=1)
    return out


@given(days, st.integers(min_value=0, max_value=400), days)
def test_months_and_edges_cover_every_day_up_to_today_exactly_once(first: date, length: int, today: date) -> None:
    last = first + timedelta(days=length)
    months, edges = split_period(first, last, today)
    covered: list[date] = []
    for month in months:
        assert month.day == 1
        covered += sorted(_month_days(month))
    for a, b in edges:
        assert a <= b
        covered += [a + timedelta(days=n) for n in range((b - a).days + 1)]
    wanted = {first + timedelta(days=n) for n in range(length + 1)}
    assert len(covered) == len(set(covered))  # nothing counted twice
    assert wanted <= set(covered)
    assert all(d > last and d > today for d in set(covered) - wanted)  # only days after today: no sales yet


def test_the_running_month_is_whole_once_the_period_reaches_today() -> None:
    assert split_period(date(2026, 11, 1), date(2026, 11, 28), date(2026, 11, 28)) == ([date(2026, 11, 1)], [])
    assert split_period(date(2026, 10, 29), date(2026, 11, 28), date(2026, 11, 28)) == (
        [date(2026, 11, 1)],
        [(date(2026, 10, 29), date(2026, 10, 31))],
    )
    assert split_period(date(2026, 11, 1), date(2026, 11, 20), date(2026, 11, 28)) == (
        [],
        [(date(2026, 11, 1), date(2026, 11, 20))],
    )
