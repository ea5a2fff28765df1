"""Partnership agreements: create, version, and find the terms in force for a sale."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from pos.domain.agreements import Period, Terms, rate_for, terms_on
from pos.extensions import db
from pos.models import (
    Agreement,
    AgreementCategoryRate,
    AgreementVersion,
    Collector,
    Cooperative,
    Investor,
    Outlet,
    SettlementPeriod,
    agreement_outlet,
)
from pos.services.errors import PosError


@dataclass(frozen=True, slots=True)
class Rate:
    version_id: int
    fee_bp: int


def _terms(version: AgreementVersion) -> Terms:
    return Terms(
        effective_from=version.effective_from,
        fee_bp=version.fee_bp,
        category_bp={r.category_id: r.fee_bp for r in version.category_rates},
    )


def rate_for_sale(outlet_id: int, investor_id: int, category_id: int, day: date) -> Rate | None:
    """The fee rate in force for this investor's goods at this outlet on ``day``, or None."""
    agreements = db.session.scalars(
        db.select(Agreement)
        .join(agreement_outlet, agreement_outlet.c.agreement_id == Agreement.id)
        .where(
            agreement_outlet.c.outlet_id == outlet_id,
            Agreement.investor_id == investor_id,
            Agreement.start_date <= day,
            (Agreement.end_date.is_(None)) | (Agreement.end_date >= day),
        )
    ).all()
    for agreement in agreements:
        versions = {v.effective_from: v for v in agreement.versions}
        chosen = terms_on([_terms(v) for v in agreement.versions], day)
        if chosen is not None:
            version = versions[chosen.effective_from]
            return Rate(version_id=version.id, fee_bp=rate_for(chosen, category_id))
    return None


def _check_rate(fee_bp: int) -> None:
    if isinstance(fee_bp, bool) or not isinstance(fee_bp, int) or not 0 <= fee_bp <= 10_000:
        raise PosError(_l("The fee must be between 0 and 10,000 basis points (0-100%)."))


def create(
    *,
    number: str,
    cooperative: Cooperative,
    investor: Investor,
    outlets: list[Outlet],
    start: date,
    end: date | None,
    fee_bp: int,
    collector: Collector,
    period: SettlementPeriod,
    staff_count: int = 0,
    note: str = "",
    category_bp: dict[int, int] | None = None,
    user_id: int | None = None,
) -> Agreement:
    _check_rate(fee_bp)
    for rate in (category_bp or {}).values():
        _check_rate(rate)
    if end is not None and end < start:
        raise PosError(_l("The end date is before the start date."))
    if not outlets:
        raise PosError(_l("Choose at least one outlet."))
    if any(o.cooperative_id != cooperative.id for o in outlets):
        raise PosError(_l("Every outlet must belong to the cooperative of the agreement."))
    if db.session.scalar(db.select(Agreement.id).where(Agreement.number == number)):
        raise PosError(_l("An agreement with this number exists already."))
    new_period = Period(start, end)
    existing = db.session.scalars(
        db.select(Agreement)
        .join(agreement_outlet, agreement_outlet.c.agreement_id == Agreement.id)
        .where(
            Agreement.investor_id == investor.id,
            agreement_outlet.c.outlet_id.in_([o.id for o in outlets]),
        )
    ).all()
    for other in existing:
        if new_period.overlaps(Period(other.start_date, other.end_date)):
            raise PosError(
                _l(
                    "Agreement %(number)s already covers this investor at this outlet in that period.",
                    number=other.number,
                )
            )
    agreement = Agreement(
        number=number,
        cooperative=cooperative,
        investor=investor,
        outlets=list(outlets),
        start_date=start,
        end_date=end,
        created_by_id=user_id,
    )
    db.session.add(agreement)
    add_version(
        agreement,
        effective_from=start,
        fee_bp=fee_bp,
        collector=collector,
        period=period,
        staff_count=staff_count,
        note=note,
        category_bp=category_bp,
        user_id=user_id,
    )
    return agreement


def add_version(
    agreement: Agreement,
    *,
    effective_from: date,
    fee_bp: int,
    collector: Collector,
    period: SettlementPeriod,
    staff_count: int = 0,
    note: str = "",
    category_bp: dict[int, int] | None = None,
    user_id: int | None = None,
) -> AgreementVersion:
    _check_rate(fee_bp)
    if not Period(agreement.start_date, agreement.end_date).covers(effective_from):
        raise PosError(_l("A change must take effect within the agreement's period."))
    if any(v.effective_from == effective_from for v in agreement.versions):
        raise PosError(_l("There is already a version taking effect on that date."))
    if isinstance(staff_count, bool) or staff_count < 0:
        raise PosError(_l("The number of staff cannot be negative."))
    version = AgreementVersion(
        agreement=agreement,
        effective_from=effective_from,
        fee_bp=fee_bp,
        collector=collector,
        period=period,
        staff_count=staff_count,
        note=note,
        created_by_id=user_id,
    )
    for category_id, rate in (category_bp or {}).items():
        _check_rate(rate)
        version.category_rates.append(AgreementCategoryRate(category_id=category_id, fee_bp=rate))
    db.session.add(version)
    db.session.flush()
    return version
