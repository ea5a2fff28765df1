"""The SHU shared out at the RAT: exact parts, in proportion, nothing lost (pos.domain.shu)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos.domain.shu import PURCHASES, SAVINGS, Leavers, MemberYear, ShuError, calculate

ALLOCATION = {PURCHASES: 4000, SAVINGS: 2000, "cadangan": 2500, "pengurus": 1000, "pendidikan": 500}

members = st.lists(
    st.builds(
        MemberYear,
        member=st.uuids().map(str),
        purchases=st.integers(0, 50_000_000),
        savings=st.integers(0, 20_000_000),
        left_during_year=st.booleans(),
    ),
    max_size=40,
    unique_by=lambda m: m.member,
)


@given(shu=st.integers(0, 10_000_000_000), people=members, leavers=st.sampled_from(list(Leavers)))
def test_every_rupiah_of_the_shu_goes_somewhere_exactly_once(
    shu: int, people: list[MemberYear], leavers: Leavers
) -> None:
    result = calculate(shu, ALLOCATION, people, leavers)
    assert sum(result.pools.values()) == shu
    members_pools = result.pools[PURCHASES] + result.pools[SAVINGS]
    assert result.to_members + result.undistributed == members_pools
    assert all(part.on_purchases >= 0 and part.on_savings >= 0 for part in result.parts)
    for person, part in zip(people, result.parts, strict=True):
        if person.purchases == 0 or (leavers == Leavers.EXCLUDED and person.left_during_year):
            assert part.on_purchases == 0


@given(shu=st.integers(1_000_000, 10_000_000_000), base=st.integers(1, 5_000_000), others=members)
def test_twice_the_purchases_is_twice_the_part_give_or_take_a_rupiah(
    shu: int, base: int, others: list[MemberYear]
) -> None:
    people = [MemberYear("a", base), MemberYear("b", 2 * base), *others]
    result = calculate(shu, ALLOCATION, people)
    parts = {p.member: p.on_purchases for p in result.parts}
    weights = sum(p.purchases for p in people)
    pool = result.pools[PURCHASES]
    # b's part is within one Rupiah of twice a's exact share (2 × pool × base / weights), and so is a's of its own
    assert abs(parts["b"] * weights - 2 * pool * base) < weights
    assert abs(parts["a"] * weights - pool * base) < weights
    assert abs(parts["b"] - 2 * parts["a"]) <= 2


def test_a_worked_example_for_the_meeting() -> None:
    result = calculate(
        10_000_001,
        {PURCHASES: 5000, SAVINGS: 2000, "cadangan": 3000},
        [MemberYear("001", 300_000, 100_000), MemberYear("002", 100_000, 100_000), MemberYear("003", 0, 0, True)],
    )
    assert result.pools == {PURCHASES: 5_000_001, SAVINGS: 2_000_000, "cadangan": 3_000_000}
    assert [(p.on_purchases, p.on_savings) for p in result.parts] == [
        (3_750_001, 1_000_000),
        (1_250_000, 1_000_000),
        (0, 0),
    ]
    assert result.undistributed == 0


def test_a_pool_nobody_can_claim_is_kept_not_lost() -> None:
    result = calculate(1_000_000, {PURCHASES: 6000, "cadangan": 4000}, [MemberYear("001", 0)])
    assert result.to_members == 0 and result.undistributed == 600_000


@pytest.mark.parametrize(
    ("allocation", "people"),
    [
        ({PURCHASES: 5000, SAVINGS: 4000}, []),  # 90%
        ({PURCHASES: 6000, SAVINGS: 5000}, []),  # 110%
        ({SAVINGS: 10_000}, []),  # no jasa anggota
        ({PURCHASES: 10_000}, [MemberYear("001", 1), MemberYear("001", 2)]),  # listed twice
        ({PURCHASES: 10_000}, [MemberYear("001", 1, -5)]),  # negative savings
        ({PURCHASES: -1, SAVINGS: 10_001}, []),
    ],
)
def test_inputs_that_do_not_make_a_calculation_are_refused(
    allocation: dict[str, int], people: list[MemberYear]
) -> None:
    with pytest.raises(ValueError):
        calculate(1_000_000, allocation, people)
    assert issubclass(ShuError, ValueError)
