"""The transparency view for the facilitator: the registry of partnerships with aggregate results, read-only
and without personal data. Boards and investors see the same view of their own partnerships."""

from __future__ import annotations

from typing import Any

from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import ColumnElement

from pos.members import figures as member_figures
from pos.models import Agreement, AgreementVersion, Role
from pos.partnership import partnerships
from pos.reports import figures
from pos.reports.views import bp, filters
from pos.reports.views.filters import choose, page_number
from pos.staff.roster import JOBS_TARGET
from pos.web.access import allow
from pos.web.exports import export
from pos.web.forms import url_args
from pos.web.htmx import render
from pos.web.templating import terms_text

R = Role
PAGE = 50


def _mine() -> ColumnElement[bool] | None:
    if current_user.role == R.BOARD:
        return Agreement.cooperative_id == current_user.cooperative_id
    if current_user.role == R.INVESTOR:
        return Agreement.investor_id == current_user.investor_id
    return None


def version_text(version: AgreementVersion) -> str:
    return terms_text(
        None,
        version.fee_bp,
        [(rate.category.name, rate.fee_bp) for rate in version.category_rates],
        version.collector,
        version.period,
        version.staff_count,
    )


@bp.route("/transparency")
@allow(R.FACILITATOR, R.CENTRAL, R.ADMIN, R.BOARD, R.INVESTOR)
def transparency() -> ResponseReturnValue:
    chosen = choose(default_first=filters.today().replace(month=1, day=1))
    first, last = chosen.piece.first, chosen.piece.last
    where = _mine()
    if url_args().text("format"):
        rows = partnerships.registry(where, first, last)
        header = [
            _("Agreement"),
            _("Investor"),
            _("Cooperative"),
            _("Region"),
            _("Outlets"),
            _("Since"),
            _("Until"),
            _("Fee terms"),
            _("Net sales"),
            _("Cooperative fee"),
            _("Investor share"),
        ]
        table: list[list[Any]] = [
            [
                p.agreement.number,
                p.agreement.investor.name,
                p.agreement.cooperative.name,
                p.agreement.cooperative.region,
                ", ".join(o.name for o in p.agreement.outlets),
                p.agreement.start_date,
                p.agreement.end_date or "",
                version_text(p.terms),
                p.net,
                p.fee,
                p.share,
            ]
            for p in rows
        ]
        return export(f"kemitraan-{first}-{last}", header, table, money_columns=(8, 9, 10))
    page = page_number()
    total = partnerships.count(where)
    rows = partnerships.registry(where, first, last, limit=PAGE, offset=(page - 1) * PAGE)
    return render(
        "reports/transparency.html",
        terms=version_text,
        c=chosen,
        rows=rows,
        page=page,
        pages=max(1, -(-total // PAGE)),
        total=total,
        target=JOBS_TARGET,
        jobs=figures.jobs_summary(chosen.outlets, last),
        outlet_jobs=partnerships.outlet_jobs(rows, last),
        members=member_figures.month_of(chosen.outlets, last, names=False),  # counts and shares, never names
    )
