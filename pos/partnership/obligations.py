"""What is still open on settlement statements: signatures missing and money not yet paid."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func

from pos.extensions import db
from pos.models import Dispute, Statement, StatementPayment


@dataclass(frozen=True, slots=True)
class OpenStatement:
    statement: Statement
    paid: int

    @property
    def outstanding(self) -> int:
        return self.statement.amount_payable - self.paid

    @property
    def signed(self) -> bool:
        return self.statement.board_signed_at is not None and self.statement.investor_signed_at is not None

    @property
    def to_sign(self) -> bool:
        """Waiting for a signature: a nil statement needs none unless a party asks."""
        return not self.signed and not self.statement.nil


def _paid() -> Any:
    return (
        db.select(
            StatementPayment.outlet_id, StatementPayment.statement_id, func.sum(StatementPayment.amount).label("paid")
        )
        .group_by(StatementPayment.outlet_id, StatementPayment.statement_id)
        .subquery()
    )


def statements(where: ColumnElement[bool], only_open: bool = True, limit: int = 500) -> list[OpenStatement]:
    """Statements matching ``where``, newest first; ``only_open`` keeps those unsigned or not fully paid."""
    paid = _paid()
    amount = func.coalesce(paid.c.paid, 0)
    query = (
        db.select(Statement, amount)
        .outerjoin(paid, (paid.c.outlet_id == Statement.outlet_id) & (paid.c.statement_id == Statement.id))
        .where(where)
        .order_by(Statement.period_start.desc(), Statement.number)
        .limit(limit)
    )
    if only_open:
        query = query.where(
            (Statement.nil.is_(False) & (Statement.board_signed_at.is_(None) | Statement.investor_signed_at.is_(None)))
            | (Statement.amount_payable > amount)
        )
    return [OpenStatement(s, int(p)) for s, p in db.session.execute(query)]


def summary(outlets: Select[Any] | None, first: date, last: date) -> dict[str, int]:
    """The statements of periods starting in first..last (of these outlets, else all): how many, how many signed by
    both sides, their fees, what is payable and paid, and the disputes still open."""
    query = db.select(
        func.count(Statement.id),
        func.count(Statement.id).filter(
            Statement.board_signed_at.is_not(None), Statement.investor_signed_at.is_not(None)
        ),
        func.coalesce(func.sum(Statement.fee), 0),
        func.coalesce(func.sum(Statement.amount_payable), 0),
    ).where(Statement.period_start >= first, Statement.period_start <= last)
    paid = (
        db.select(func.coalesce(func.sum(StatementPayment.amount), 0))
        .join(Statement, StatementPayment.statement)
        .where(Statement.period_start >= first, Statement.period_start <= last)
    )
    disputes = db.select(func.count(Dispute.id)).join(Statement, Dispute.statement).where(Dispute.resolved_at.is_(None))
    if outlets is not None:
        ids = outlets.scalar_subquery()
        query = query.where(Statement.outlet_id.in_(ids))
        paid = paid.where(Statement.outlet_id.in_(ids))
        disputes = disputes.where(Statement.outlet_id.in_(ids))
    count, signed, fee, payable = db.session.execute(query).one()
    return {
        "count": int(count),
        "signed": int(signed),
        "fee": int(fee),
        "payable": int(payable),
        "paid": int(db.session.scalar(paid) or 0),
        "disputes": int(db.session.scalar(disputes) or 0),
    }
