"""Settlement statements: issue for a closed period, sign, pay, dispute. Figures never change."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert
from sqlalchemy.orm import aliased

from pos.core import audit, clock
from pos.core.clock import business_date
from pos.core.errors import Conflict, PosError
from pos.domain import settlement
from pos.domain.periods import closed_periods, period_of
from pos.extensions import db
from pos.models import (
    Agreement,
    AgreementVersion,
    Collector,
    Direction,
    Dispute,
    MovementKind,
    Outlet,
    Product,
    Role,
    Sale,
    SaleLine,
    SettledLine,
    Statement,
    StatementLine,
    StatementPayment,
    StockMovement,
    User,
)

METHODS = ("transfer", "cash", "qris", "other")


def version_on(agreement: Agreement, day: date) -> AgreementVersion:
    chosen = agreement.versions[0]
    for version in agreement.versions:
        if version.effective_from <= day:
            chosen = version
    return chosen


def open_periods(agreement: Agreement, outlet: Outlet) -> list[tuple[date, date]]:
    """Closed periods of this agreement at this outlet that have no statement yet."""
    today = business_date(outlet.timezone)
    kind = version_on(agreement, today).period.value
    done = set(
        db.session.scalars(
            db.select(Statement.period_start).where(
                Statement.agreement_id == agreement.id, Statement.outlet_id == outlet.id
            )
        )
    )
    periods = closed_periods(kind, agreement.start_date, agreement.end_date, today)
    return sorted(p for p in periods if p[0] not in done)


def _utc_bounds(outlet: Outlet, first: date, last: date) -> tuple[datetime, datetime]:
    zone = ZoneInfo(outlet.timezone)
    start = datetime.combine(first, time.min, zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, zone).astimezone(UTC)
    return start, end


def _stock_figures(outlet: Outlet, investor_id: int, first: date, last: date) -> dict[str, int]:
    start, end = _utc_bounds(outlet, first, last)
    products = db.select(Product.id).where(Product.investor_id == investor_id)
    base = db.select(func.coalesce(func.sum(StockMovement.quantity), 0)).where(
        StockMovement.outlet_id == outlet.id, StockMovement.product_id.in_(products)
    )
    opening = int(db.session.scalar(base.where(StockMovement.created_at < start)) or 0)
    by_kind = dict(
        db.session.execute(
            db.select(StockMovement.kind, func.sum(StockMovement.quantity))
            .where(
                StockMovement.outlet_id == outlet.id,
                StockMovement.product_id.in_(products),
                StockMovement.created_at >= start,
                StockMovement.created_at < end,
            )
            .group_by(StockMovement.kind)
        ).all()
    )
    moved = {kind: int(by_kind.get(kind, 0) or 0) for kind in MovementKind}
    return {
        "opening_stock": opening,
        "received": moved[MovementKind.RECEIVE] + moved[MovementKind.OPENING],
        "returned": -moved[MovementKind.RETURN],
        "written_off": -moved[MovementKind.WRITE_OFF],
        "adjusted": moved[MovementKind.ADJUST],
        "closing_stock": opening + sum(moved.values()),
    }


def issue(agreement: Agreement, outlet: Outlet, period_start: date, user: User) -> Statement:
    if outlet not in agreement.outlets:
        raise PosError(_l("This outlet is not part of the agreement."), 404)
    today = business_date(outlet.timezone)
    kind = version_on(agreement, today).period.value
    first, last = period_of(period_start, kind)
    if first != period_start:
        raise PosError(_l("That date is not the start of a settlement period."))
    if last >= today:
        raise PosError(_l("A statement can only be issued once its period has ended."))
    if first > (agreement.end_date or last) or last < agreement.start_date:
        raise PosError(_l("The agreement was not in force in that period."))
    exists = db.session.scalar(
        db.select(Statement.id).where(
            Statement.agreement_id == agreement.id,
            Statement.outlet_id == outlet.id,
            Statement.period_start == first,
        )
    )
    if exists:
        raise Conflict(_l("A statement for this period exists already."))
    earlier = [p for p in open_periods(agreement, outlet) if p[0] < first]
    if earlier:
        raise PosError(
            _l(
                "Issue the statement for %(start)s first: statements follow each other in order.",
                start=earlier[0][0].isoformat(),
            )
        )

    settled = db.select(SettledLine.sale_line_id)
    versions = db.select(AgreementVersion.id).where(AgreementVersion.agreement_id == agreement.id)
    original_line = aliased(SaleLine)
    original_sale = aliased(Sale)
    rows = db.session.execute(
        db.select(
            SaleLine.id,
            SaleLine.product_id,
            SaleLine.quantity,
            SaleLine.net,
            SaleLine.fee,
            SaleLine.investor_share,
            Sale.business_date,
            original_sale.business_date,
        )
        .join(Sale, SaleLine.sale)
        .outerjoin(
            original_line,
            (original_line.outlet_id == SaleLine.outlet_id) & (original_line.id == SaleLine.original_line_id),
        )
        .outerjoin(
            original_sale,
            (original_sale.outlet_id == original_line.outlet_id) & (original_sale.id == original_line.sale_id),
        )
        .where(
            SaleLine.outlet_id == outlet.id,
            Sale.business_date <= last,
            SaleLine.investor_id == agreement.investor_id,
            SaleLine.agreement_version_id.in_(versions),
            SaleLine.id.not_in(settled),
        )
        .order_by(SaleLine.id)
    ).all()

    figures = settlement.sum_up(
        (
            settlement.Line(product_id, quantity, line_net, line_fee, line_share, day, original_day)
            for _id, product_id, quantity, line_net, line_fee, line_share, day, original_day in rows
        ),
        first,
    )
    grouped = figures.grouped
    collector = version_on(agreement, last).collector
    direction = Direction.TO_INVESTOR if collector == Collector.COOPERATIVE else Direction.TO_COOPERATIVE
    statement = Statement(
        number=f"BH-{outlet.code}-{agreement.investor.code}-{first:%Y%m%d}",
        agreement=agreement,
        outlet=outlet,
        investor_id=agreement.investor_id,
        period_start=first,
        period_end=last,
        issued_by_id=user.id,
        sold_units=figures.sold_units,
        refunded_units=figures.refunded_units,
        gross_sales=figures.gross_sales,
        refunds=figures.refunds,
        late_net=figures.late_net,
        net_sales=figures.net_sales,
        fee=figures.fee,
        investor_share=figures.investor_share,
        collector=collector,
        direction=direction,
        amount_payable=settlement.payable(figures, cooperative_collects=direction == Direction.TO_INVESTOR),
        **_stock_figures(outlet, agreement.investor_id, first, last),
    )
    db.session.add(statement)
    db.session.flush()
    names = dict(
        db.session.execute(db.select(Product.id, Product.name).where(Product.id.in_({k[1] for k in grouped}))).all()
    )
    if grouped:
        db.session.execute(
            insert(StatementLine),
            [
                {
                    "outlet_id": statement.outlet_id,
                    "statement_id": statement.id,
                    "business_date": day,
                    "product_id": product_id,
                    "product_name": names.get(product_id, "?"),
                    "late": late,
                    "quantity": quantity,
                    "net": line_net,
                    "fee": line_fee,
                    "investor_share": line_share,
                }
                for (day, product_id, late), (quantity, line_net, line_fee, line_share) in grouped.items()
            ],
        )
    if rows:
        db.session.execute(
            insert(SettledLine),
            [{"outlet_id": statement.outlet_id, "sale_line_id": row[0], "statement_id": statement.id} for row in rows],
        )
    audit.record("statement", statement.uuid, "issued", user, statement.number)
    db.session.flush()
    return statement


def sign(statement: Statement, user: User) -> None:
    now = clock.now()
    if user.role == Role.BOARD:
        if statement.board_signed_at is not None:
            raise Conflict(_l("The cooperative has signed this statement already."))
        statement.board_signed_at, statement.board_signed_by_id = now, user.id
    elif user.role == Role.INVESTOR:
        if statement.investor_signed_at is not None:
            raise Conflict(_l("The investor has signed this statement already."))
        statement.investor_signed_at, statement.investor_signed_by_id = now, user.id
    else:
        raise PosError(_l("Only the cooperative board and the investor sign statements."), 403)
    audit.record("statement", statement.uuid, f"signed_{user.role.value}", user)


def payer_roles(statement: Statement) -> set[Role]:
    payer = Role.BOARD if statement.direction == Direction.TO_INVESTOR else Role.INVESTOR
    return {payer, Role.CENTRAL, Role.ADMIN}


def record_payment(
    statement: Statement,
    user: User,
    *,
    paid_on: date,
    amount: int,
    method: str,
    reference: str,
    confirm_over: bool,
) -> StatementPayment:
    if user.role not in payer_roles(statement):
        raise PosError(_l("Only the paying side or the central office records payments."), 403)
    if amount <= 0:
        raise PosError(_l("The amount must be more than zero."))
    if method not in METHODS:
        raise PosError(_l("Choose a payment method."))
    if paid_on > business_date(statement.outlet.timezone) + timedelta(days=1):
        raise PosError(_l("A payment cannot be dated in the future."))
    if amount > statement.outstanding and not confirm_over:
        raise PosError(_l("This is more than the outstanding amount. Tick the confirmation to record it anyway."))
    payment = StatementPayment(
        statement=statement,
        paid_on=paid_on,
        amount=amount,
        method=method,
        reference=reference.strip()[:120],
        recorded_by_id=user.id,
    )
    db.session.add(payment)
    audit.record("statement", statement.uuid, "payment", user, f"{amount} {method} {reference.strip()[:120]}")
    return payment


def raise_dispute(statement: Statement, user: User, comment: str) -> Dispute:
    comment = comment.strip()
    if not comment:
        raise PosError(_l("Describe what is disputed."))
    dispute = Dispute(statement=statement, raised_by_id=user.id, comment=comment[:4000])
    db.session.add(dispute)
    audit.record("statement", statement.uuid, "dispute", user, comment[:500])
    return dispute


def resolve_dispute(dispute: Dispute, user: User, resolution: str) -> None:
    if dispute.resolved_at is not None:
        raise Conflict(_l("This dispute is resolved already."))
    if not resolution.strip():
        raise PosError(_l("Describe how the dispute was resolved."))
    dispute.resolved_at, dispute.resolved_by_id, dispute.resolution = clock.now(), user.id, resolution.strip()[:4000]
    audit.record("statement", dispute.statement.uuid, "dispute_resolved", user, resolution.strip()[:500])
