"""Partnership agreements: create, version, and find the terms in force for a sale."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func

from pos.core import audit
from pos.core.errors import PosError
from pos.domain.agreements import Period, Terms, rate_for, terms_on
from pos.domain.ids import new_id
from pos.extensions import db
from pos.models import (
    Agreement,
    AgreementCategoryRate,
    AgreementVersion,
    Category,
    Collector,
    Cooperative,
    Investor,
    Outlet,
    SettlementPeriod,
    User,
    agreement_outlet,
)


@dataclass(frozen=True, slots=True)
class Rate:
    version_id: int
    fee_bp: int
    version_uuid: uuid.UUID | None = None


def _terms(version: AgreementVersion) -> Terms:
    return Terms(
        effective_from=version.effective_from,
        fee_bp=version.fee_bp,
        category_bp={r.category_id: r.fee_bp for r in version.category_rates},
    )


_IN_FORCE = (
    db.select(
        Agreement.investor_id,
        AgreementVersion.id,
        AgreementVersion.uuid,
        AgreementVersion.effective_from,
        AgreementVersion.fee_bp,
        AgreementCategoryRate.category_id,
        AgreementCategoryRate.fee_bp,
    )
    .join(agreement_outlet, agreement_outlet.c.agreement_id == Agreement.id)
    .join(AgreementVersion, AgreementVersion.agreement_id == Agreement.id)
    .outerjoin(AgreementCategoryRate, AgreementCategoryRate.version_id == AgreementVersion.id)
    .where(
        agreement_outlet.c.outlet_id == bindparam("outlet"),
        Agreement.start_date <= bindparam("day"),
        (Agreement.end_date.is_(None)) | (Agreement.end_date >= bindparam("day")),
    )
)


class RateBook:
    """The agreements in force at one outlet on one day, loaded once, for pricing many lines."""

    def __init__(self, outlet_id: int, day: date) -> None:
        self.outlet_id = outlet_id
        self.day = day
        # One plain query (no ORM objects): every version of the agreements in force here today,
        # with its per-category rates.
        rows = db.session.connection().execute(_IN_FORCE, {"outlet": outlet_id, "day": day}).all()
        versions: dict[int, dict[int, tuple[int, uuid.UUID, date, int, dict[int, int]]]] = {}
        for investor_id, version_id, version_uuid, effective_from, fee_bp, category_id, category_bp in rows:
            found = versions.setdefault(investor_id, {}).setdefault(
                version_id, (version_id, version_uuid, effective_from, fee_bp, {})
            )
            if category_id is not None:
                found[4][category_id] = category_bp
        self._by_investor: dict[int, tuple[Rate, Terms]] = {}
        for investor_id, by_version in versions.items():
            terms = {v[2]: (v, Terms(effective_from=v[2], fee_bp=v[3], category_bp=v[4])) for v in by_version.values()}
            chosen = terms_on([t for _, t in terms.values()], day)
            if chosen is not None:
                version = terms[chosen.effective_from][0]
                self._by_investor[investor_id] = (Rate(version[0], chosen.fee_bp, version[1]), chosen)
        self.loaded_at = time.monotonic()

    def rate(self, investor_id: int, category_id: int) -> Rate | None:
        found = self._by_investor.get(investor_id)
        if found is None:
            return None
        version, terms = found
        return Rate(
            version_id=version.version_id, fee_bp=rate_for(terms, category_id), version_uuid=version.version_uuid
        )


RECENT_SECONDS = 30.0


def _recent() -> dict[tuple[int, date], RateBook]:
    return current_app.extensions.setdefault("pos_recent_ratebooks", {})


def recent_book(outlet_id: int, day: date) -> RateBook:
    """A rate book at most 30 s old, for checks while scanning. A sale always prices with a fresh one."""
    books = _recent()
    book = books.get((outlet_id, day))
    if book is None or time.monotonic() - book.loaded_at > RECENT_SECONDS:
        book = RateBook(outlet_id, day)
        books.clear()
        books[(outlet_id, day)] = book
    return book


def forget_recent() -> None:
    _recent().clear()


@dataclass(frozen=True, slots=True)
class VersionTerms:
    """The terms of one version of an agreement: the fee (and per-category fees), who collects the money, how
    often it is settled, the staff the investor provides."""

    fee_bp: int
    collector: Collector
    period: SettlementPeriod
    staff_count: int = 0
    note: str = ""
    category_bp: Mapping[int, int] = field(default_factory=dict)

    def check(self) -> None:
        _check_rate(self.fee_bp)
        for rate in self.category_bp.values():
            _check_rate(rate)
        if isinstance(self.staff_count, bool) or self.staff_count < 0:
            raise PosError(_l("The number of staff cannot be negative."))


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
    terms: VersionTerms,
    user_id: int | None = None,
) -> Agreement:
    terms.check()
    _check_categories(terms.category_bp)
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
        uuid=new_id(),
        number=number,
        cooperative=cooperative,
        investor=investor,
        outlets=list(outlets),
        start_date=start,
        end_date=end,
        created_by_id=user_id,
    )
    db.session.add(agreement)
    audit.record("agreement", agreement.uuid, "created", _user(user_id), number)
    add_version(agreement, effective_from=start, terms=terms, user_id=user_id)
    return agreement


def earliest_change(agreement: Agreement) -> date:
    """The first day new terms may take effect: after the last issued statement's period and after the last day
    anything was sold under the agreement, so that no locked statement and no sold line is contradicted."""
    from pos.models import Sale, SaleLine, Statement

    last_issued = db.session.scalar(
        db.select(func.max(Statement.period_end)).where(Statement.agreement_id == agreement.id)
    )
    versions = db.select(AgreementVersion.id).where(AgreementVersion.agreement_id == agreement.id)
    last_sold = db.session.scalar(
        db.select(func.max(Sale.business_date))
        .join(SaleLine, (SaleLine.outlet_id == Sale.outlet_id) & (SaleLine.sale_id == Sale.id))
        .where(SaleLine.agreement_version_id.in_(versions))
    )
    days = [agreement.start_date]
    days += [d + timedelta(days=1) for d in (last_issued, last_sold) if d is not None]
    return max(days)


def _check_categories(category_bp: Mapping[int, int]) -> None:
    if not category_bp:
        return
    known = set(db.session.scalars(db.select(Category.id).where(Category.id.in_(list(category_bp)))))
    if set(category_bp) - known:
        raise PosError(_l("Choose a category from the list."), 422)


def add_version(
    agreement: Agreement,
    *,
    effective_from: date,
    terms: VersionTerms,
    user_id: int | None = None,
) -> AgreementVersion:
    terms.check()
    _check_categories(terms.category_bp)
    if not Period(agreement.start_date, agreement.end_date).covers(effective_from):
        raise PosError(_l("A change must take effect within the agreement's period."))
    if any(v.effective_from == effective_from for v in agreement.versions):
        raise PosError(_l("There is already a version taking effect on that date."))
    if agreement.versions:
        earliest = earliest_change(agreement)
        if effective_from < earliest:
            raise PosError(
                _l(
                    "New terms can take effect from %(day)s at the earliest: earlier days are already sold "
                    "under the current terms or settled in an issued statement.",
                    day=format_date(earliest, "d MMMM yyyy"),
                ),
                422,
            )
    version = AgreementVersion(
        agreement=agreement,
        effective_from=effective_from,
        fee_bp=terms.fee_bp,
        collector=terms.collector,
        period=terms.period,
        staff_count=terms.staff_count,
        note=terms.note,
        created_by_id=user_id,
    )
    for category_id, rate in terms.category_bp.items():
        version.category_rates.append(AgreementCategoryRate(category_id=category_id, fee_bp=rate))
    db.session.add(version)
    db.session.flush()
    audit.record(
        "agreement",
        agreement.uuid,
        "version",
        _user(user_id),
        json.dumps(
            {
                "from": effective_from.isoformat(),
                "fee_bp": terms.fee_bp,
                "categories": {str(r.category_id): r.fee_bp for r in version.category_rates},
                "collector": terms.collector.value,
                "period": terms.period.value,
                "staff": terms.staff_count,
            }
        ),
    )
    forget_recent()
    return version


def _user(user_id: int | None) -> User | None:
    return db.session.get(User, user_id) if user_id else None
