"""Sharing out a book year's surplus (SHU, sisa hasil usaha) at the members' annual meeting (RAT).

The board names the SHU to share and how it is allocated, in basis points that add up to 100%: the members'
service on purchases (jasa anggota), on capital (jasa modal), and the cooperative's other funds its bylaws list
(reserves, the board, staff, education, the area's social fund …). Each allocation gets its part of the SHU, and
jasa anggota is divided among the members in proportion to their net purchases in the year, jasa modal in
proportion to their savings balances. Every part is whole Rupiah by the largest remainder, so the parts always
sum exactly to what they share; a pool with nobody to share it among (no member bought anything) is left
undistributed, never lost. Members who resigned during the year are either kept (with their purchases up to
the day they left) or left out, as the board chooses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from pos.domain.money import BP_SCALE, allocate, basis_points, rupiah

PURCHASES = "jasa_anggota"
SAVINGS = "jasa_modal"


class ShuError(ValueError):
    """Inputs the calculation refuses: the message says which."""


class Leavers(StrEnum):
    INCLUDED = "included"  # their purchases and savings up to the day they left count
    EXCLUDED = "excluded"


@dataclass(frozen=True, slots=True)
class MemberYear:
    """A member's year: net purchases (sales less refunds, never below 0 here) and savings balance."""

    member: str
    purchases: int
    savings: int = 0
    left_during_year: bool = False


@dataclass(frozen=True, slots=True)
class MemberPart:
    member: str
    on_purchases: int
    on_savings: int

    @property
    def total(self) -> int:
        return self.on_purchases + self.on_savings


@dataclass(frozen=True, slots=True)
class Calculation:
    shu: int
    pools: dict[str, int]  # each allocation's amount, in the order given
    parts: list[MemberPart]
    undistributed: int  # a members' pool nobody had a claim on

    @property
    def to_members(self) -> int:
        return sum(part.total for part in self.parts)


def calculate(
    shu: object,
    allocation_bp: Mapping[str, object],
    members: Sequence[MemberYear],
    leavers: Leavers = Leavers.INCLUDED,
) -> Calculation:
    amount = rupiah(shu)
    shares = {name: basis_points(bp) for name, bp in allocation_bp.items()}
    if sum(shares.values()) != BP_SCALE:
        raise ShuError("the allocation's percentages must add up to 100%")
    if PURCHASES not in shares:
        raise ShuError("the allocation needs a share for the members' purchases (jasa anggota)")
    seen: set[str] = set()
    for member in members:
        if member.member in seen:
            raise ShuError(f"member {member.member} is listed twice")
        seen.add(member.member)
        rupiah(member.savings)
        if type(member.purchases) is not int:
            raise ShuError(f"member {member.member}: purchases must be whole Rupiah")
    pools = dict(zip(shares, allocate(amount, list(shares.values())), strict=True))
    counted = [m for m in members if leavers == Leavers.INCLUDED or not m.left_during_year]
    on_purchases = _share(pools[PURCHASES], {m.member: max(m.purchases, 0) for m in counted})
    on_savings = _share(pools.get(SAVINGS, 0), {m.member: m.savings for m in counted})
    undistributed = (pools[PURCHASES] - sum(on_purchases.values())) + (pools.get(SAVINGS, 0) - sum(on_savings.values()))
    parts = [MemberPart(m.member, on_purchases.get(m.member, 0), on_savings.get(m.member, 0)) for m in members]
    return Calculation(amount, pools, parts, undistributed)


def _share(pool: int, weights: dict[str, int]) -> dict[str, int]:
    """``pool`` over the members in proportion to ``weights``; nothing when nobody has a weight."""
    if not weights or sum(weights.values()) == 0:
        return {}
    return dict(zip(weights, allocate(pool, list(weights.values())), strict=True))
