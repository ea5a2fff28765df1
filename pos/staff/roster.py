"""The staff register: who works at each outlet, and the new jobs each outlet creates (target: 2)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, literal

from pos.core import audit, clock, upsert
from pos.core.clock import business_date
from pos.core.errors import PosError
from pos.core.zones import programme_zone
from pos.domain.ids import new_id
from pos.extensions import db
from pos.models import Employer, Investor, Outlet, OutletStaffing, StaffMember, StaffRole, User
from pos.partnership import supply
from pos.sync import outbox

JOBS_TARGET = 2


@dataclass(frozen=True, slots=True)
class StaffData:
    full_name: str
    role: StaffRole
    role_note: str
    employer: Employer
    investor_id: int | None
    start_date: date
    end_date: date | None
    new_job: bool
    national_id: str | None


ROLE_LABELS = {
    StaffRole.CASHIER: _l("Cashier"),
    StaffRole.MANAGER: _l("Outlet manager"),
    StaffRole.STOCK_KEEPER: _l("Stock keeper"),
    StaffRole.OTHER: _l("Other"),
}


def _check(outlet: Outlet, data: StaffData) -> None:
    if not data.full_name.strip():
        raise PosError(_("Enter the person's name."))
    if data.end_date is not None and data.end_date < data.start_date:
        raise PosError(_("The end date cannot be before the start date."))
    if data.national_id and (len(data.national_id) != 16 or not data.national_id.isdigit()):
        raise PosError(_("A national ID number (NIK) has 16 digits."))
    suppliers = supply.investor_ids_of(outlet.id)
    if data.employer == Employer.INVESTOR and (data.investor_id is None or data.investor_id not in suppliers):
        raise PosError(_("Choose the investor that employs this person (one that supplies the outlet)."))


def snapshot(member: StaffMember) -> dict[str, Any]:
    return {
        "uuid": str(member.uuid),
        "full_name": member.full_name,
        "role": member.role.value,
        "role_note": member.role_note,
        "employer": member.employer.value,
        "investor": str(member.investor.uuid) if member.investor else None,
        "start_date": member.start_date.isoformat(),
        "end_date": member.end_date.isoformat() if member.end_date else None,
        "new_job": member.new_job,
        "national_id": member.national_id,
        "updated_at": member.updated_at.isoformat(),
    }


def save(outlet: Outlet, data: StaffData, user: User, member: StaffMember | None = None) -> StaffMember:
    _check(outlet, data)
    if member is None:
        member = StaffMember(uuid=new_id(), outlet_id=outlet.id, created_by_id=user.id)
        db.session.add(member)
    member.full_name = data.full_name.strip()[:120]
    member.role = data.role
    member.role_note = data.role_note.strip()[:60]
    member.employer = data.employer
    member.investor_id = data.investor_id if data.employer == Employer.INVESTOR else None
    member.start_date = data.start_date
    member.end_date = data.end_date
    member.new_job = data.new_job
    member.national_id = data.national_id or None
    member.updated_at = clock.now()
    db.session.flush()
    db.session.refresh(member, ["investor"])
    audit.record("staff", member.uuid, "saved", user, member.full_name)
    if current_app.config.get("POS_ROLE") != "central":
        outbox.append(outlet.id, "staff.saved", snapshot(member))
    count_staffing(staffing_day(), [outlet.id])
    return member


def apply(outlet_id: int, data: dict[str, Any]) -> None:
    """A record from the other side (sync): the newest version wins."""
    key = uuid.UUID(str(data["uuid"]))
    updated = datetime.fromisoformat(data["updated_at"])
    member = db.session.scalar(
        db.select(StaffMember).where(StaffMember.outlet_id == outlet_id, StaffMember.uuid == key)
    )
    if member is not None and member.updated_at >= updated:
        return
    investor_id = None
    if data.get("investor"):
        investor_id = db.session.scalar(db.select(Investor.id).where(Investor.uuid == uuid.UUID(data["investor"])))
    if member is None:
        member = StaffMember(uuid=key, outlet_id=outlet_id)
        db.session.add(member)
    member.full_name = str(data["full_name"])[:120]
    member.role = StaffRole(data["role"])
    member.role_note = str(data.get("role_note") or "")[:60]
    member.employer = Employer(data["employer"])
    member.investor_id = investor_id
    member.start_date = date.fromisoformat(data["start_date"])
    member.end_date = date.fromisoformat(data["end_date"]) if data.get("end_date") else None
    member.new_job = bool(data["new_job"])
    member.national_id = data.get("national_id") or None
    member.updated_at = updated
    db.session.flush()
    count_staffing(staffing_day(), [outlet_id])


@dataclass(frozen=True, slots=True)
class Jobs:
    outlet: Outlet
    working: int
    new_jobs: int

    @property
    def below_target(self) -> bool:
        return self.new_jobs < JOBS_TARGET


def jobs(outlets: list[Outlet], day: date) -> list[Jobs]:
    """People working on ``day`` at each outlet, and how many of them are new jobs."""
    if not outlets:
        return []
    working = working_on(day)
    rows = dict(
        (outlet_id, (total, new))
        for outlet_id, total, new in db.session.execute(
            db.select(
                StaffMember.outlet_id,
                func.count(StaffMember.id),
                func.count(StaffMember.id).filter(StaffMember.new_job.is_(True)),
            )
            .where(working, StaffMember.outlet_id.in_([o.id for o in outlets]))
            .group_by(StaffMember.outlet_id)
        )
    )
    return [Jobs(o, *rows.get(o.id, (0, 0))) for o in outlets]


def working_on(day: date) -> Any:
    return (StaffMember.start_date <= day) & (StaffMember.end_date.is_(None) | (StaffMember.end_date >= day))


def staffing_day() -> date:
    return business_date(programme_zone())


def count_staffing(day: date, outlet_ids: list[int] | None = None) -> None:
    """Recount ``outlet_staffing`` for ``day``: for these outlets, or for every outlet (active outlets only)."""
    counts = (
        db.select(
            Outlet.id,
            literal(day),
            func.count(StaffMember.id),
            func.count(StaffMember.id).filter(StaffMember.new_job.is_(True)),
        )
        .outerjoin(StaffMember, (StaffMember.outlet_id == Outlet.id) & working_on(day))
        .where(Outlet.active.is_(True))
        .group_by(Outlet.id)
    )
    if outlet_ids is not None:
        counts = counts.where(Outlet.id.in_(outlet_ids))
    inactive = db.select(Outlet.id).where(Outlet.active.is_(False))
    db.session.execute(delete(OutletStaffing).where(OutletStaffing.outlet_id.in_(inactive)))
    stmt = upsert.insert(OutletStaffing).from_select(["outlet_id", "as_of", "working", "new_jobs"], counts)
    db.session.execute(
        stmt.on_conflict_do_update(
            index_elements=["outlet_id"],
            set_={"as_of": stmt.excluded.as_of, "working": stmt.excluded.working, "new_jobs": stmt.excluded.new_jobs},
        )
    )


def staffing_counted(day: date) -> bool:
    """Whether ``outlet_staffing`` holds every active outlet as of ``day``. Reading never recounts: a stale table
    (a new day, before ``kmp-pos daily`` has run) makes the reports count from the register instead."""
    if db.session.info.get("staffing_counted") == day:
        return True
    oldest, newest, rows = db.session.execute(
        db.select(func.min(OutletStaffing.as_of), func.max(OutletStaffing.as_of), func.count())
    ).one()
    current = (
        oldest == day
        and newest == day
        and rows == db.session.scalar(db.select(func.count(Outlet.id)).where(Outlet.active.is_(True)))
    )
    if current:
        db.session.info["staffing_counted"] = day
    return current
