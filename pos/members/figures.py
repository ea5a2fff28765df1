"""The members in the reports: how many bought this month, what share of the outlets' sales they made, and (for
the board only) who bought most. Read from the member and outlet month rollups, never the sales."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, func

from pos.domain.money import BP_SCALE, div_round_half_up
from pos.extensions import db
from pos.models import Member, MemberMonthRollup, MemberStatus, Outlet, OutletMonthRollup

TOP = 10


@dataclass(frozen=True, slots=True)
class Buyer:
    member: Member
    purchases: int
    sales: int


@dataclass(frozen=True, slots=True)
class MemberMonth:
    month: date
    registered: int  # active members of the cooperatives the outlets belong to
    buying: int  # members who bought at these outlets in the month
    member_sales: int  # their net purchases
    all_sales: int  # the outlets' net sales
    top: list[Buyer] = field(default_factory=list)  # only where names may be seen

    @property
    def share_bp(self) -> int:
        return div_round_half_up(max(self.member_sales, 0) * BP_SCALE, self.all_sales) if self.all_sales > 0 else 0


def _where(column: Any, outlets: Select[Any] | None) -> Any:
    return column.in_(outlets) if outlets is not None else True


def month_of(outlets: Select[Any] | None, month: date, *, names: bool) -> MemberMonth:
    """The month's member figures at these outlets (``None``: every outlet)."""
    month = month.replace(day=1)
    r = MemberMonthRollup
    buyers = (
        db.select(r.member_id, func.sum(r.purchases).label("purchases"), func.sum(r.sales).label("sales"))
        .where(r.month == month, _where(r.outlet_id, outlets))
        .group_by(r.member_id)
        .subquery()
    )
    buying, member_sales = db.session.execute(
        db.select(func.count(), func.coalesce(func.sum(buyers.c.purchases), 0)).where(buyers.c.sales > 0)
    ).one()
    all_sales = db.session.scalar(
        db.select(func.coalesce(func.sum(OutletMonthRollup.total), 0)).where(
            OutletMonthRollup.month == month, _where(OutletMonthRollup.outlet_id, outlets)
        )
    )
    cooperatives = db.select(Outlet.cooperative_id).where(_where(Outlet.id, outlets))
    registered = db.session.scalar(
        db.select(func.count(Member.id)).where(
            Member.cooperative_id.in_(cooperatives), Member.status == MemberStatus.ACTIVE
        )
    )
    top: list[Buyer] = []
    if names:
        rows = db.session.execute(
            db.select(Member, buyers.c.purchases, buyers.c.sales)
            .join(buyers, buyers.c.member_id == Member.id)
            .order_by(buyers.c.purchases.desc(), Member.number)
            .limit(TOP)
        ).all()
        top = [Buyer(member, int(p), int(s)) for member, p, s in rows]
    return MemberMonth(month, int(registered or 0), int(buying), int(member_sales), int(all_sales or 0), top)
