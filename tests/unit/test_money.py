from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos.domain.money import (
    MoneyError,
    allocate,
    basis_points,
    div_round_half_up,
    format_rupiah,
    line_amount,
    rupiah,
    split_line,
    spread_discount,
)

amounts = st.integers(min_value=0, max_value=10**12)
rates = st.integers(min_value=0, max_value=10_000)


@given(amounts, rates)
def test_split_parts_sum_to_net_and_fee_is_rounded_half_up(net: int, bp: int) -> None:
    split = split_line(net, bp)
    assert split.fee + split.investor_share == net
    assert 0 <= split.fee <= net
    # fee is the exact product rounded half up: |fee - net*bp/10000| <= 1/2
    exact_times_2 = 2 * net * bp
    assert abs(2 * 10_000 * split.fee - exact_times_2) <= 10_000
    assert split.fee_bp == bp


@pytest.mark.parametrize(
    ("net", "bp", "fee"),
    [
        (10_000, 1_000, 1_000),
        (5, 1_000, 1),  # 0.5 rounds up
        (4, 1_000, 0),  # 0.4 rounds down
        (15, 1_000, 2),  # 1.5 rounds up
        (12_345, 1_250, 1_543),  # 1543.125
        (99_999, 10_000, 99_999),
        (99_999, 0, 0),
    ],
)
def test_split_table(net: int, bp: int, fee: int) -> None:
    assert split_line(net, bp).fee == fee


@given(amounts, st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=30))
def test_allocate_sums_exactly_and_each_part_is_within_one_rupiah(total: int, weights: list[int]) -> None:
    if sum(weights) == 0:
        if total:
            with pytest.raises(MoneyError):
                allocate(total, weights)
        return
    parts = allocate(total, weights)
    assert sum(parts) == total
    weight_sum = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        exact_floor = total * weight // weight_sum
        assert exact_floor <= part <= exact_floor + 1
    assert parts == allocate(total, weights)  # deterministic


@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=20), st.data())
def test_sale_discount_spreads_over_lines_without_exceeding_any_line(lines: list[int], data) -> None:  # type: ignore[no-untyped-def]
    discount = data.draw(st.integers(min_value=0, max_value=sum(lines)))
    parts = spread_discount(lines, discount)
    assert sum(parts) == discount
    assert all(0 <= part <= line for part, line in zip(parts, lines, strict=True))


def test_discount_larger_than_total_is_refused() -> None:
    with pytest.raises(MoneyError):
        spread_discount([1000, 2000], 3001)


@pytest.mark.parametrize("bad", [1.0, 0.5, Decimal("10"), "100", None, True, float("nan")])
def test_non_integer_amounts_are_refused(bad: object) -> None:
    with pytest.raises(MoneyError):
        rupiah(bad)
    with pytest.raises(MoneyError):
        split_line(bad, 1000)
    with pytest.raises(MoneyError):
        split_line(1000, bad)


@given(st.integers(max_value=-1))
def test_negative_amounts_are_refused(value: int) -> None:
    with pytest.raises(MoneyError):
        rupiah(value)
    with pytest.raises(MoneyError):
        split_line(value, 100)


@given(st.one_of(st.integers(max_value=-1), st.integers(min_value=10_001)))
def test_rates_outside_0_to_10000_are_refused(bp: int) -> None:
    with pytest.raises(MoneyError):
        basis_points(bp)


def test_weighed_line_rounds_once_half_up() -> None:
    assert line_amount(1250, 13_500, 1000) == 16_875  # 1.25 kg of rice
    assert line_amount(333, 10_000, 1000) == 3_330
    assert line_amount(1, 500, 1000) == 1  # 0.5 rounds up
    assert line_amount(3, 3_500) == 10_500
    with pytest.raises(MoneyError):
        line_amount(1.5, 3_500)
    with pytest.raises(MoneyError):
        line_amount(-1, 3_500)


def test_div_round_half_up_refuses_negative_numerators() -> None:
    assert div_round_half_up(5, 2) == 3
    with pytest.raises(MoneyError):
        div_round_half_up(-5, 2)


@pytest.mark.parametrize(
    ("amount", "lang", "text"),
    [
        (12_500, "id", "Rp12.500"),
        (1_250_000, "id", "Rp1.250.000"),
        (0, "id", "Rp0"),
        (12_500, "en", "Rp12.500"),
    ],
)
def test_rupiah_formatting(amount: int, lang: str, text: str) -> None:
    assert format_rupiah(amount, lang).replace("\xa0", "") == text


@pytest.mark.parametrize(
    ("text", "amount"),
    [("12500", 12_500), ("12.500", 12_500), ("Rp 12.500", 12_500), ("Rp1.250.000", 1_250_000), ("0", 0)],
)
def test_typed_amounts(text: str, amount: int) -> None:
    from pos.domain.money import parse_rupiah

    assert parse_rupiah(text) == amount


@pytest.mark.parametrize("text", ["", "12,5", "12.5", "-100", "1e5", "abc", "12.50", "9" * 16, "١٢٣"])
def test_typed_amounts_that_are_not_whole_rupiah_are_refused(text: str) -> None:
    from pos.domain.money import parse_rupiah

    with pytest.raises(MoneyError):
        parse_rupiah(text)


@pytest.mark.parametrize(
    ("text", "bp"), [("12", 1200), ("12,5", 1250), ("12.75", 1275), ("0", 0), ("100", 10_000), ("7%", 700)]
)
def test_typed_percentages(text: str, bp: int) -> None:
    from pos.domain.money import format_percent, parse_percent

    assert parse_percent(text) == bp
    assert parse_percent(format_percent(bp)) == bp


@pytest.mark.parametrize("text", ["", "-1", "100,01", "101", "12,345", "abc", "1e2"])
def test_bad_percentages_are_refused(text: str) -> None:
    from pos.domain.money import parse_percent

    with pytest.raises(MoneyError):
        parse_percent(text)
