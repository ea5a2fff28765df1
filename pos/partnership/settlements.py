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
from pos.domain.periods import schedule
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
    StatementStockLine,
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


def periods_of(agreement: Agreement, outlet: Outlet, *, running: bool = False) -> list[tuple[date, date]]:
    """The agreement's settlement periods at this outlet that have ended (and, with ``running``, the one under
    way), oldest first: from the agreement's first day, each version's period kind from the day it took effect."""
    today = business_date(outlet.timezone)
    kinds = [(v.effective_from, v.period.value) for v in agreement.versions]
    return schedule(agreement.start_date, agreement.end_date, kinds, today, running=running)


def _issued(agreement: Agreement, outlet: Outlet) -> list[tuple[date, date]]:
    return [
        (first, last)
        for first, last in db.session.execute(
            db.select(Statement.period_start, Statement.period_end).where(
                Statement.agreement_id == agreement.id, Statement.outlet_id == outlet.id
            )
        )
    ]


def open_periods(agreement: Agreement, outlet: Outlet) -> list[tuple[date, date]]:
    """Ended periods of this agreement at this outlet that no statement covers yet, oldest first."""
    issued = _issued(agreement, outlet)
    return [
        (first, last)
        for first, last in periods_of(agreement, outlet)
        if not any(first <= done_last and done_first <= last for done_first, done_last in issued)
    ]


def _utc_bounds(outlet: Outlet, first: date, last: date) -> tuple[datetime, datetime]:
    zone = ZoneInfo(outlet.timezone)
    start = datetime.combine(first, time.min, zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, zone).astimezone(UTC)
    return start, end


def stock_of(outlet: Outlet, investor_id: int, first: date, last: date) -> dict[int, settlement.Stock]:
    """Each of the investor's products at the outlet that had stock or moved: its stock block for the period."""
    start, end = _utc_bounds(outlet, first, last)
    products = db.select(Product.id).where(Product.investor_id == investor_id)
    mine = (StockMovement.outlet_id == outlet.id) & StockMovement.product_id.in_(products)
    opening = dict(
        db.session.execute(
            db.select(StockMovement.product_id, func.sum(StockMovement.quantity))
            .where(mine, StockMovement.created_at < start)
            .group_by(StockMovement.product_id)
        ).all()
    )
    moved: dict[int, dict[str, int]] = {}
    for product_id, kind, quantity in db.session.execute(
        db.select(StockMovement.product_id, StockMovement.kind, func.sum(StockMovement.quantity))
        .where(mine, StockMovement.created_at >= start, StockMovement.created_at < end)
        .group_by(StockMovement.product_id, StockMovement.kind)
    ):
        moved.setdefault(product_id, {})[MovementKind(kind).value] = int(quantity or 0)
    out = {}
    for product_id in sorted(set(opening) | set(moved)):
        stock = settlement.stock_of(int(opening.get(product_id) or 0), moved.get(product_id, {}))
        if stock.opening or stock.moved:
            out[product_id] = stock
    return out


def _unsettled(agreement: Agreement, outlet: Outlet, last: date) -> list[tuple[int, settlement.Line]]:
    settled = db.select(SettledLine.sale_line_id).where(SettledLine.outlet_id == outlet.id)
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
            SaleLine.fee_bp,
            Sale.receipt_no,
            original_sale.receipt_no,
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
    return [
        (
            line_id,
            settlement.Line(
                product_id, quantity, net, fee, share, day, original_day, fee_bp, receipt, original_receipt
            ),
        )
        for (
            line_id,
            product_id,
            quantity,
            net,
            fee,
            share,
            day,
            original_day,
            fee_bp,
            receipt,
            original_receipt,
        ) in rows
    ]


def issue(agreement: Agreement, outlet: Outlet, period_start: date, user: User) -> Statement:
    if outlet not in agreement.outlets:
        raise PosError(_l("This outlet is not part of the agreement."), 404)
    period = next((p for p in periods_of(agreement, outlet, running=True) if p[0] == period_start), None)
    if period is None:
        if period_start < agreement.start_date or (agreement.end_date and period_start > agreement.end_date):
            raise PosError(_l("The agreement was not in force in that period."))
        raise PosError(_l("That date is not the start of a settlement period."))
    first, last = period
    if last >= business_date(outlet.timezone):
        raise PosError(_l("A statement can only be issued once its period has ended."))
    if any(first <= done_last and done_first <= last for done_first, done_last in _issued(agreement, outlet)):
        raise Conflict(_l("A statement for this period exists already."))
    earlier = [p for p in open_periods(agreement, outlet) if p[0] < first]
    if earlier:
        raise PosError(
            _l(
                "Issue the statement for %(start)s first: statements follow each other in order.",
                start=earlier[0][0].isoformat(),
            )
        )
    return _issue(agreement, outlet, first, last, user)


def issue_all(agreement: Agreement, outlet: Outlet, user: User) -> list[Statement]:
    """Every ended period not issued yet, oldest first, in one action."""
    if outlet not in agreement.outlets:
        raise PosError(_l("This outlet is not part of the agreement."), 404)
    return [_issue(agreement, outlet, first, last, user) for first, last in open_periods(agreement, outlet)]


def _issue(agreement: Agreement, outlet: Outlet, first: date, last: date, user: User) -> Statement:
    pairs = _unsettled(agreement, outlet, last)
    figures = settlement.sum_up((line for _id, line in pairs), first)
    grouped = figures.grouped
    stock = stock_of(outlet, agreement.investor_id, first, last)
    collector = version_on(agreement, last).collector
    direction = Direction.TO_INVESTOR if collector == Collector.COOPERATIVE else Direction.TO_COOPERATIVE
    # the header's older columns, unit-blind (kept filled for older readers, never shown)
    whole = settlement.totals_by_unit(("", s) for s in stock.values()).get("", settlement.Stock(0, 0, 0, 0, 0, 0, 0))
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
        opening_stock=whole.opening,
        received=whole.received,
        returned=whole.returned,
        written_off=whole.written_off,
        adjusted=whole.adjusted,
        closing_stock=whole.closing,
        nil=not pairs and not any(s.moved for s in stock.values()),
    )
    db.session.add(statement)
    db.session.flush()
    products = {
        pid: (name, unit)
        for pid, name, unit in db.session.execute(
            db.select(Product.id, Product.name, Product.unit).where(
                Product.id.in_({k[1] for k in grouped} | set(stock))
            )
        )
    }
    if grouped:
        db.session.execute(
            insert(StatementLine),
            [
                {
                    "outlet_id": statement.outlet_id,
                    "statement_id": statement.id,
                    "business_date": day,
                    "product_id": product_id,
                    "product_name": products.get(product_id, ("?", "pcs"))[0],
                    "unit": products.get(product_id, ("?", "pcs"))[1],
                    "late": late,
                    "fee_bp": fee_bp,
                    "corrects_receipt": corrects_receipt,
                    "corrects_date": corrects_date,
                    "quantity": quantity,
                    "net": line_net,
                    "fee": line_fee,
                    "investor_share": line_share,
                }
                for (day, product_id, late, fee_bp, corrects_receipt, corrects_date), (
                    quantity,
                    line_net,
                    line_fee,
                    line_share,
                ) in sorted(grouped.items(), key=lambda item: (item[0][0], item[0][2], str(item[0][1])))
            ],
        )
    if stock:
        db.session.execute(
            insert(StatementStockLine),
            [
                {
                    "outlet_id": statement.outlet_id,
                    "statement_id": statement.id,
                    "product_id": product_id,
                    "product_name": products.get(product_id, ("?", "pcs"))[0],
                    "unit": products.get(product_id, ("?", "pcs"))[1],
                    "opening": block.opening,
                    "received": block.received,
                    "sold": block.sold,
                    "refunded": block.refunded,
                    "returned": block.returned,
                    "written_off": block.written_off,
                    "adjusted": block.adjusted,
                    "closing": block.closing,
                }
                for product_id, block in stock.items()
            ],
        )
    if pairs:
        db.session.execute(
            insert(SettledLine),
            [
                {"outlet_id": statement.outlet_id, "sale_line_id": line_id, "statement_id": statement.id}
                for line_id, _ in pairs
            ],
        )
    audit.record("statement", statement.uuid, "issued", user, statement.number)
    db.session.flush()
    return statement


def rates_applied(statement: Statement) -> list[tuple[int, date, date, list[str]]]:
    """The rates a statement's lines were settled at: (rate, first and last day it was applied, the products), one
    row per rate, so that a rate that changed mid-period shows as two rows with their days."""
    by_rate: dict[int, tuple[date, date, set[str]]] = {}
    for line in statement.lines:
        if line.fee_bp is None:
            continue
        first, last, names = by_rate.get(line.fee_bp, (line.business_date, line.business_date, set()))
        names.add(line.product_name)
        by_rate[line.fee_bp] = (min(first, line.business_date), max(last, line.business_date), names)
    return [(bp, first, last, sorted(names)) for bp, (first, last, names) in sorted(by_rate.items())]


def terms_in_period(statement: Statement) -> list[tuple[AgreementVersion, date, date]]:
    """The agreement's versions in force during the statement's period, each with the days it covered."""
    out = []
    versions = statement.agreement.versions
    for index, version in enumerate(versions):
        until = versions[index + 1].effective_from - timedelta(days=1) if index + 1 < len(versions) else None
        first = max(version.effective_from, statement.period_start)
        last = min(until or statement.period_end, statement.period_end)
        if first <= last:
            out.append((version, first, last))
    return out


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
