"""Cashier shifts: open with a float, cash in/out, close with a counted drawer, Z report."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func
from sqlalchemy.orm import joinedload

from pos.auth import accounts
from pos.core import clock
from pos.core.errors import PosError
from pos.domain.cash import count_cash
from pos.domain.money import MoneyError
from pos.extensions import db
from pos.models import (
    CashMovement,
    CashMovementKind,
    Payment,
    PaymentMethod,
    PrintKind,
    Register,
    Role,
    Sale,
    SaleKind,
    Shift,
    ShiftStatus,
    User,
)
from pos.sync import outbox

MAX_FLOAT = 100_000_000


def registers(outlet_id: int) -> list[Register]:
    return list(db.session.scalars(db.select(Register).where(Register.outlet_id == outlet_id).order_by(Register.code)))


_OPEN_SHIFT_OF = (
    db.select(Shift)
    .options(joinedload(Shift.outlet), joinedload(Shift.register))
    .where(
        Shift.cashier_id == bindparam("user"),
        Shift.outlet_id == bindparam("outlet"),
        Shift.status == ShiftStatus.OPEN,
    )
)


def open_shift_of(user: User) -> Shift | None:
    if user.outlet_id is None:
        return None
    return db.session.scalar(_OPEN_SHIFT_OF, {"user": user.id, "outlet": user.outlet_id})


def open_shift(user: User, register_id: int, opening_float: int) -> Shift:
    if user.outlet_id is None or user.role not in (Role.CASHIER, Role.MANAGER):
        raise PosError(_l("Only the outlet's cashiers can open a shift."), 403)
    if open_shift_of(user) is not None:
        raise PosError(_l("You already have an open shift."), 409)
    register = db.session.get(Register, register_id)
    if register is None or register.outlet_id != user.outlet_id:
        raise PosError(_l("Choose a register of this outlet."))
    busy = db.session.scalar(db.select(Shift).where(Shift.register_id == register.id, Shift.status == ShiftStatus.OPEN))
    if busy is not None:
        raise PosError(
            _l("Register %(code)s is in use by %(name)s.", code=register.code, name=busy.cashier.full_name),
            409,
        )
    if not 0 <= opening_float <= MAX_FLOAT:
        raise PosError(_l("The opening float is not a valid amount."))
    shift = Shift(
        outlet_id=user.outlet_id,
        register=register,
        cashier=user,
        opening_float=opening_float,
    )
    db.session.add(shift)
    db.session.flush()
    outbox.append(
        user.outlet_id,
        "shift.opened",
        {
            "uuid": str(shift.uuid),
            "register": register.code,
            "cashier": str(user.uuid),
            "opened_at": shift.opened_at.isoformat(),
            "opening_float": opening_float,
        },
    )
    return shift


def require_open(shift: Shift | None) -> Shift:
    if shift is None or shift.status != ShiftStatus.OPEN:
        raise PosError(_l("There is no open shift. Open a shift first."), 409)
    return shift


def move_cash(shift: Shift, kind: CashMovementKind, amount: int, reason: str, user: User) -> CashMovement:
    require_open(shift)
    reason = reason.strip()
    if not reason:
        raise PosError(_l("Give a reason for the cash movement."))
    if not 0 < amount <= MAX_FLOAT:
        raise PosError(_l("The amount must be more than zero."))
    if kind == CashMovementKind.OUT and amount > expected_cash(shift):
        raise PosError(_l("There is not that much cash in the drawer."))
    movement = CashMovement(shift=shift, kind=kind, amount=amount, reason=reason[:255], user=user)
    db.session.add(movement)
    db.session.flush()
    outbox.append(
        shift.outlet_id,
        "cash.moved",
        {
            "uuid": str(movement.uuid),
            "shift": str(shift.uuid),
            "kind": kind.value,
            "amount": amount,
            "reason": movement.reason,
            "at": movement.created_at.isoformat(),
        },
    )
    return movement


def cash_from_sales(shift: Shift) -> int:
    """Cash kept from sales and refunds: cash payments minus change given."""
    of_shift = (Sale.outlet_id == shift.outlet_id) & (Sale.shift_id == shift.id)
    paid = db.session.scalar(
        db.select(func.coalesce(func.sum(Payment.amount), 0))
        .join(Sale, Payment.sale)
        .where(of_shift, Payment.method == PaymentMethod.CASH)
    )
    change = db.session.scalar(db.select(func.coalesce(func.sum(Sale.change), 0)).where(of_shift))
    return int(paid or 0) - int(change or 0)


def expected_cash(shift: Shift) -> int:
    moved = db.session.execute(
        db.select(CashMovement.kind, func.coalesce(func.sum(CashMovement.amount), 0))
        .where(CashMovement.outlet_id == shift.outlet_id, CashMovement.shift_id == shift.id)
        .group_by(CashMovement.kind)
    ).all()
    by_kind = {kind: int(total) for kind, total in moved}
    return (
        shift.opening_float
        + cash_from_sales(shift)
        + by_kind.get(CashMovementKind.IN, 0)
        - by_kind.get(CashMovementKind.OUT, 0)
    )


def close_shift(
    shift: Shift,
    counts: dict[int, int],
    user: User,
    manager_pin: str,
    note: str,
    policy: accounts.Policy,
) -> Shift:
    require_open(shift)
    try:
        counted = count_cash(counts)
    except MoneyError as exc:
        raise PosError(_l("The cash count is not valid.")) from exc
    expected = expected_cash(shift)
    difference = counted - expected
    approver = None
    if abs(difference) > shift.outlet.cash_tolerance:
        if not manager_pin:
            raise PosError(_l("The difference is beyond the tolerance: the manager must approve it with a PIN."))
        approver = accounts.approve(shift.outlet_id, manager_pin, policy, user)
    shift.status = ShiftStatus.CLOSED
    shift.closed_at = clock.now()
    shift.closed_by_id = user.id
    shift.expected_cash = expected
    shift.counted_cash = counted
    shift.cash_counts = json.dumps({str(k): v for k, v in sorted(counts.items(), reverse=True) if v})
    shift.difference_approved_by_id = approver.id if approver else None
    shift.closing_note = note.strip()[:255]
    db.session.flush()
    outbox.append(
        shift.outlet_id,
        "shift.closed",
        {
            "uuid": str(shift.uuid),
            "closed_at": shift.closed_at.isoformat(),
            "expected_cash": expected,
            "counted_cash": counted,
            "approved_by": str(approver.uuid) if approver else None,
        },
    )
    from pos.receipts import spool  # the print queue reads Z reports from here

    spool.enqueue(shift.register, PrintKind.Z_REPORT, shift.uuid)
    return shift


@dataclass
class ZReport:
    shift: Shift
    sales_count: int = 0
    sales_total: int = 0
    refunds_count: int = 0
    refunds_total: int = 0
    voids_count: int = 0
    voids_total: int = 0
    discount_total: int = 0
    fee_total: int = 0
    investor_total: int = 0
    rounding_total: int = 0  # cash rounding, the cooperative's: in the cash, outside the net sales
    by_method: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    change_given: int = 0
    cash_in: list[CashMovement] = field(default_factory=list)
    cash_out: list[CashMovement] = field(default_factory=list)
    expected_cash: int = 0

    @property
    def net_total(self) -> int:
        return self.sales_total + self.refunds_total + self.voids_total


def z_report(shift: Shift) -> ZReport:
    """The shift's figures in a fixed number of queries, however many sales it made."""
    report = ZReport(shift=shift)
    of_shift = (Sale.outlet_id == shift.outlet_id, Sale.shift_id == shift.id)
    sums = (Sale.total, Sale.discount, Sale.fee, Sale.investor_share, Sale.change, Sale.rounding)
    totals = db.session.execute(
        db.select(Sale.kind, func.count(Sale.id), *(func.coalesce(func.sum(c), 0) for c in sums))
        .where(*of_shift)
        .group_by(Sale.kind)
    )
    for kind, count, *amounts in totals:
        total, discount, fee, investor, change, rounding = (int(a) for a in amounts)  # PostgreSQL sums are numeric
        if kind == SaleKind.SALE:
            report.sales_count, report.sales_total, report.discount_total = count, total, discount
        elif kind == SaleKind.REFUND:
            report.refunds_count, report.refunds_total = count, total
        else:
            report.voids_count, report.voids_total = count, total
        report.fee_total += fee
        report.investor_total += investor
        report.change_given += change
        report.rounding_total += rounding
    paid = db.session.execute(
        db.select(Payment.method, func.sum(Payment.amount))
        .join(Sale, (Sale.outlet_id == Payment.outlet_id) & (Sale.id == Payment.sale_id))
        .where(*of_shift)
        .group_by(Payment.method)
    )
    for method, amount in paid:
        report.by_method[method.value] += int(amount)
    report.by_method["cash"] -= report.change_given
    for movement in db.session.scalars(
        db.select(CashMovement)
        .where(CashMovement.outlet_id == shift.outlet_id, CashMovement.shift_id == shift.id)
        .order_by(CashMovement.id)
    ):
        (report.cash_in if movement.kind == CashMovementKind.IN else report.cash_out).append(movement)
    report.expected_cash = shift.expected_cash if shift.expected_cash is not None else expected_cash(shift)
    return report
