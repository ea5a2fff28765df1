"""The public registry of partnerships: who works with whom, since when, on what terms, and what it produced.

Nothing personal leaves here: names of organisations, outlets and terms, and figures summed from the rollups.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlalchemy.orm import joinedload, selectinload

from pos.extensions import db
from pos.models import Agreement, AgreementCategoryRate, AgreementVersion, Cooperative, InvestorDayRollup, Outlet
from pos.models.partnership import agreement_outlet
from pos.partnership.settlements import version_on
from pos.reports import figures


@dataclass(frozen=True, slots=True)
class Partnership:
    agreement: Agreement
    terms: AgreementVersion
    net: int
    fee: int
    share: int
    lines: int
    outlets: int
    new_jobs: int

    def active_on(self, day: date) -> bool:
        return self.agreement.start_date <= day and (self.agreement.end_date is None or self.agreement.end_date >= day)


def registry(
    where: ColumnElement[bool] | None, first: date, last: date, limit: int | None = None, offset: int = 0
) -> list[Partnership]:
    """Partnerships (newest cooperative first by name) with their sales in ``first..last`` and jobs on ``last``."""
    r = InvestorDayRollup
    sums = (
        db.select(
            Agreement.id.label("agreement_id"),
            func.sum(r.net).label("net"),
            func.sum(r.fee).label("fee"),
            func.sum(r.investor_share).label("share"),
            func.sum(r.lines).label("lines"),
        )
        .join(agreement_outlet, agreement_outlet.c.agreement_id == Agreement.id)
        .join(r, (r.investor_id == Agreement.investor_id) & (r.outlet_id == agreement_outlet.c.outlet_id))
        .where(
            r.day >= first,
            r.day <= last,
            r.day >= Agreement.start_date,
            Agreement.end_date.is_(None) | (r.day <= Agreement.end_date),
        )
        .group_by(Agreement.id)
        .subquery()
    )
    jobs = figures.jobs_by_outlet(None, last)
    staff = (
        db.select(
            agreement_outlet.c.agreement_id.label("agreement_id"),
            func.count(agreement_outlet.c.outlet_id).label("outlets"),
            func.sum(func.coalesce(jobs.c.new_jobs, 0)).label("new_jobs"),
        )
        .outerjoin(jobs, jobs.c.outlet_id == agreement_outlet.c.outlet_id)
        .group_by(agreement_outlet.c.agreement_id)
        .subquery()
    )
    query = (
        db.select(Agreement, sums.c.net, sums.c.fee, sums.c.share, sums.c.lines, staff.c.outlets, staff.c.new_jobs)
        .join(Cooperative, Agreement.cooperative_id == Cooperative.id)
        .outerjoin(sums, sums.c.agreement_id == Agreement.id)
        .outerjoin(staff, staff.c.agreement_id == Agreement.id)
        .order_by(Cooperative.name, Agreement.number)
        .offset(offset)
        .options(
            selectinload(Agreement.versions)
            .selectinload(AgreementVersion.category_rates)
            .joinedload(AgreementCategoryRate.category),
            selectinload(Agreement.outlets),
            joinedload(Agreement.investor),
            joinedload(Agreement.cooperative),
        )
    )
    if where is not None:
        query = query.where(where)
    if limit is not None:
        query = query.limit(limit)
    out: list[Partnership] = []
    for agreement, *sums_of in db.session.execute(query):
        values: list[Any] = [int(v or 0) for v in sums_of]
        out.append(Partnership(agreement, version_on(agreement, last), *values))
    return out


def count(where: ColumnElement[bool] | None) -> int:
    query = db.select(func.count(Agreement.id))
    if where is not None:
        query = query.where(where)
    return int(db.session.scalar(query) or 0)


@dataclass(frozen=True, slots=True)
class OutletJobs:
    """One outlet's staff, counted once, with the partnerships that supply it."""

    outlet_id: int
    outlet: str
    cooperative: str
    working: int
    new_jobs: int
    partnerships: list[str]


def outlet_jobs(partnerships: list[Partnership], last: date) -> list[OutletJobs]:
    """The jobs of the outlets of these partnerships on ``last``: each outlet once, whatever the number of
    partnerships that staff it (so the figures add up to the outlets' own)."""
    outlets: dict[int, tuple[str, str, list[str]]] = {}
    for p in partnerships:
        for outlet in p.agreement.outlets:
            name = f"{p.agreement.investor.name} ({p.agreement.number})"
            outlets.setdefault(outlet.id, (outlet.name, p.agreement.cooperative.name, []))[2].append(name)
    if not outlets:
        return []
    jobs = figures.jobs_by_outlet(db.select(Outlet.id).where(Outlet.id.in_(sorted(outlets))), last)
    counted = {
        row.outlet_id: (int(row.working or 0), int(row.new_jobs or 0))
        for row in db.session.execute(
            db.select(jobs.c.outlet_id, jobs.c.working, jobs.c.new_jobs).where(jobs.c.outlet_id.in_(sorted(outlets)))
        )
    }
    return sorted(
        (
            OutletJobs(oid, name, coop, *counted.get(oid, (0, 0)), partners)
            for oid, (name, coop, partners) in outlets.items()
        ),
        key=lambda row: (row.cooperative, row.outlet),
    )
