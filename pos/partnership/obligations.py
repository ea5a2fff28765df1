"""What is still open on settlement statements: signatures missing and money not yet paid."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func

from pos.extensions import db
from pos.models import Statement, StatementPayment


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


def _paid() -> Any:
    return (
        db.select(StatementPayment.statement_id, func.sum(StatementPayment.amount).label("paid"))
        .group_by(StatementPayment.statement_id)
        .subquery()
    )


def statements(where: ColumnElement[bool], only_open: bool = True, limit: int = 500) -> list[OpenStatement]:
    """Statements matching ``where``, newest first; ``only_open`` keeps those unsigned or not fully paid."""
    paid = _paid()
    amount = func.coalesce(paid.c.paid, 0)
    query = (
        db.select(Statement, amount)
        .outerjoin(paid, paid.c.statement_id == Statement.id)
        .where(where)
        .order_by(Statement.period_start.desc(), Statement.number)
        .limit(limit)
    )
    if only_open:
        query = query.where(
            Statement.board_signed_at.is_(None)
            | Statement.investor_signed_at.is_(None)
            | (Statement.amount_payable > amount)
        )
    return [OpenStatement(s, int(p)) for s, p in db.session.execute(query)]
