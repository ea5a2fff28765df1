"""A cooperative board's report: its outlets' sales, fee income by month, statements to sign, payments
outstanding, investors' stock on its shelves, and its staff."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from pos.domain.charts import bar_chart
from pos.extensions import db
from pos.members import figures as member_figures
from pos.models import Cooperative, Direction, Outlet, Role, StaffMember, Statement
from pos.partnership import obligations
from pos.reports import figures
from pos.reports.views import bp
from pos.reports.views.filters import Chosen, choose
from pos.staff.roster import JOBS_TARGET, ROLE_LABELS
from pos.stock import inventory
from pos.web.access import allow
from pos.web.exports import export
from pos.web.forms import url_args
from pos.web.htmx import render
from pos.web.templating import language

R = Role
MONTHS = 12
TABLES = ("months", "outlets", "sign", "outstanding", "stock", "staff", "members")


def _direction(statement: Statement) -> str:
    if statement.direction == Direction.TO_INVESTOR:
        return _("Cooperative pays the investor")
    return _("Investor pays the cooperative")


def _data(chosen: Chosen, coop: Cooperative) -> dict[str, Any]:
    outlet_ids = list(db.session.scalars(db.select(Outlet.id).where(Outlet.cooperative_id == coop.id)))
    months = figures.months_back(chosen.today, MONTHS)
    mine = Statement.outlet_id.in_(outlet_ids)
    open_statements = obligations.statements(mine)
    return {
        "coop": coop,
        "totals": figures.totals(chosen.piece, chosen.today),
        "monthly": figures.monthly(chosen.piece, months),
        "outlets": figures.ranked_outlets(chosen.piece, chosen.today, chosen.outlets),
        "to_sign": [s for s in open_statements if s.statement.board_signed_at is None and not s.statement.nil],
        "outstanding": [s for s in open_statements if s.outstanding > 0],
        "stock": inventory.held_by_investor(outlet_ids),
        "staff": db.session.scalars(
            db.select(StaffMember)
            .where(StaffMember.outlet_id.in_(outlet_ids))
            .order_by(StaffMember.end_date.is_not(None), StaffMember.outlet_id, StaffMember.full_name)
        ).all(),
        "jobs": figures.jobs_rows(chosen.outlets, chosen.piece.last),
        "members": member_figures.month_of(chosen.outlets, chosen.piece.last, names=True),
    }


def _table(name: str, data: dict[str, Any]) -> tuple[list[str], list[list[object]], tuple[int, ...]]:
    if name == "months":
        return (
            [_("Month"), _("Transactions"), _("Net sales"), _("Cooperative fee"), _("Investor share")],
            [[m.strftime("%Y-%m"), t.sales, t.total, t.fee, t.share] for m, t in data["monthly"].items()],
            (2, 3, 4),
        )
    if name == "outlets":
        return (
            [
                _("Outlet code"),
                _("Outlet"),
                _("Transactions"),
                _("Net sales"),
                _("Cooperative fee"),
                _("Investor share"),
            ],
            [[r.outlet.code, r.outlet.name, r.sales, r.total, r.fee, r.share] for r in data["outlets"]],
            (3, 4, 5),
        )
    if name in ("sign", "outstanding"):
        rows = data["to_sign"] if name == "sign" else data["outstanding"]
        return (
            [
                _("Statement"),
                _("Outlet"),
                _("Investor"),
                _("From"),
                _("To"),
                _("Fee"),
                _("Payable"),
                _("Paid"),
                _("Outstanding"),
                _("Direction"),
            ],
            [
                [
                    s.statement.number,
                    s.statement.outlet.name,
                    s.statement.investor.name,
                    s.statement.period_start,
                    s.statement.period_end,
                    s.statement.fee,
                    s.statement.amount_payable,
                    s.paid,
                    s.outstanding,
                    _direction(s.statement),
                ]
                for s in rows
            ],
            (5, 6, 7, 8),
        )
    if name == "members":
        return (
            [_("Member number"), _("Name"), _("Transactions"), _("Purchases")],
            [[b.member.number, b.member.full_name, b.sales, b.purchases] for b in data["members"].top],
            (3,),
        )
    if name == "stock":
        return (
            [_("Investor"), _("Outlets"), _("Products"), _("Value at selling price")],
            [[h.investor.name, h.outlets, h.products, h.value] for h in data["stock"]],
            (3,),
        )
    return (
        [_("Outlet"), _("Name"), _("Role"), _("Employer"), _("Start"), _("End"), _("New job")],
        [
            [
                m.outlet.name,
                m.full_name,
                str(ROLE_LABELS[m.role]),
                m.investor.name if m.investor else data["coop"].name,
                m.start_date,
                m.end_date or "",
                _("yes") if m.new_job else _("no"),
            ]
            for m in data["staff"]
        ],
        (),
    )


@bp.route("/reports/cooperative")
@allow(R.BOARD, R.CENTRAL, R.ADMIN)
def cooperative() -> ResponseReturnValue:
    chosen = choose()
    coop = chosen.cooperative
    if current_user.role == R.BOARD:
        coop = db.session.get(Cooperative, current_user.cooperative_id)
        if coop is None:
            abort(404)
    if coop is None:
        return render(
            "reports/choose_cooperative.html",
            cooperatives=db.session.scalars(db.select(Cooperative).order_by(Cooperative.name)).all(),
        )
    data = _data(chosen, coop)
    if url_args().text("format"):
        name = url_args().text("table") or "months"
        if name not in TABLES:
            abort(404)
        header, rows, money = _table(name, data)
        return export(f"koperasi-{coop.code}-{name}", header, rows, money_columns=money)
    months = list(data["monthly"])
    chart = bar_chart(
        [m.strftime("%m/%y") for m in months],
        [data["monthly"][m].fee for m in months],
        title=_("Fee income by month"),
        lang=language(),
    )
    return render("reports/cooperative.html", c=chosen, chart=chart, labels=ROLE_LABELS, target=JOBS_TARGET, **data)
