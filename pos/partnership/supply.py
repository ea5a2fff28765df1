"""Who supplies which outlet: an investor supplies an outlet while an agreement covers it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, or_

from pos.extensions import db
from pos.models import Agreement, Investor, Outlet, agreement_outlet


def _covering(day: date) -> Select[tuple[int, int]]:
    return (
        db.select(Agreement.investor_id, agreement_outlet.c.outlet_id)
        .join(agreement_outlet, agreement_outlet.c.agreement_id == Agreement.id)
        .where(Agreement.start_date <= day, or_(Agreement.end_date.is_(None), Agreement.end_date >= day))
    )


def supplies(investor_id: int, outlet_id: int, day: date) -> bool:
    query = _covering(day).where(Agreement.investor_id == investor_id, agreement_outlet.c.outlet_id == outlet_id)
    return db.session.execute(query.limit(1)).first() is not None


def investors_of(outlet_id: int) -> list[Investor]:
    """Investors that have ever had an agreement covering the outlet."""
    ids = (
        db.select(Agreement.investor_id)
        .join(agreement_outlet, agreement_outlet.c.agreement_id == Agreement.id)
        .where(agreement_outlet.c.outlet_id == outlet_id)
    )
    return list(db.session.scalars(db.select(Investor).where(Investor.id.in_(ids)).order_by(Investor.name)))


def outlets_of(investor_id: int) -> list[Outlet]:
    ids = (
        db.select(agreement_outlet.c.outlet_id)
        .join(Agreement, agreement_outlet.c.agreement_id == Agreement.id)
        .where(Agreement.investor_id == investor_id)
    )
    return list(db.session.scalars(db.select(Outlet).where(Outlet.id.in_(ids)).order_by(Outlet.name)))


def investor_ids_of(outlet_id: int) -> set[int]:
    return {investor.id for investor in investors_of(outlet_id)}
