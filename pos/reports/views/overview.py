"""The programme dashboard and its full tables: outlets ranked, top products, jobs — all from rollups."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func

from pos.core import clock
from pos.domain.charts import bar_chart
from pos.domain.quantity import quantity_number
from pos.domain.units import unit
from pos.extensions import db
from pos.models import Cooperative, Dispute, Role
from pos.reports import figures
from pos.reports.views import bp
from pos.reports.views.filters import Chosen, choose, investors, page_number, regions
from pos.staff.roster import JOBS_TARGET
from pos.web import labels
from pos.web.access import allow
from pos.web.exports import export, local_moment
from pos.web.forms import url_args
from pos.web.htmx import render
from pos.web.templating import language

R = Role
READERS = (R.CENTRAL, R.ADMIN, R.BOARD)
PAGE = 50
SILENT_HOURS = 24


def _chart(chosen: Chosen) -> str:
    by_day = figures.daily(chosen.piece)
    first, last = chosen.piece.first, chosen.piece.last
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return bar_chart(
        [f"{d.day}/{d.month}" for d in days],
        [by_day.get(d, 0) for d in days],
        title=_("Net sales per day"),
        lang=language(),
    )


def _choices() -> dict[str, object]:
    central = current_user.role in (R.CENTRAL, R.ADMIN)
    return {
        "regions": regions(),
        "cooperatives": db.session.scalars(db.select(Cooperative).order_by(Cooperative.name)).all() if central else [],
        "investors": investors(),
    }


def _outlet_table(rows: list[figures.OutletRow]) -> tuple[list[str], list[list[object]]]:
    header = [
        _("Outlet code"),
        _("Outlet"),
        _("Cooperative"),
        _("Transactions"),
        _("Refunds"),
        _("Net sales"),
        _("Cooperative fee"),
        _("Investor share"),
        _("Last seen"),
        _("Data updated"),
    ]
    table = [
        [
            r.outlet.code,
            r.outlet.name,
            r.cooperative,
            r.sales,
            r.refunds,
            r.total,
            r.fee,
            r.share,
            local_moment(r.last_seen, r.outlet.timezone),
            local_moment(r.updated, r.outlet.timezone),
        ]
        for r in rows
    ]
    return header, table


def _silent(chosen: Chosen) -> tuple[int, list[object]] | None:
    if current_app.config.get("POS_ROLE") != "central":
        return None
    since = clock.now() - timedelta(hours=SILENT_HOURS)
    return figures.silent_outlets(chosen.outlets, since, limit=10)


@bp.route("/reports")
@allow(*READERS)
def dashboard() -> ResponseReturnValue:
    chosen = choose()
    if url_args().text("format"):
        if url_args().text("table") == "silent":
            return _export_silent(chosen)
        return _export_days(chosen)
    disputes = (
        db.session.scalar(db.select(func.count(Dispute.id)).where(Dispute.resolved_at.is_(None)))
        if current_user.role in (R.CENTRAL, R.ADMIN)
        else None
    )
    return render(
        "reports/dashboard.html",
        c=chosen,
        totals=figures.totals(chosen.piece, chosen.today),
        chart=_chart(chosen),
        best=figures.ranked_outlets(chosen.piece, chosen.today, chosen.outlets, limit=10),
        products=figures.top_products(chosen.piece, chosen.today, limit=10),
        jobs=figures.jobs_summary(chosen.outlets, chosen.piece.last),
        below=figures.jobs_rows(chosen.outlets, chosen.piece.last, only_below=True, limit=10),
        target=JOBS_TARGET,
        silent=_silent(chosen),
        silent_hours=SILENT_HOURS,
        disputes=disputes,
        **_choices(),
    )


def _export_silent(chosen: Chosen) -> ResponseReturnValue:
    since = clock.now() - timedelta(hours=SILENT_HOURS)
    _count, rows = figures.silent_outlets(chosen.outlets, since, limit=100_000)
    return export(
        f"gerai-tidak-sinkron-{chosen.today}",
        [_("Outlet code"), _("Outlet"), _("Last seen")],
        [[o.code, o.name, local_moment(seen, o.timezone)] for o, seen in rows],
    )


def _export_days(chosen: Chosen) -> ResponseReturnValue:
    by_day = figures.daily(chosen.piece)
    first, last = chosen.piece.first, chosen.piece.last
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return export(
        f"penjualan-harian-{first}-{last}",
        [_("Date"), _("Net sales")],
        [[d, by_day.get(d, 0)] for d in days],
        money_columns=(1,),
    )


@bp.route("/reports/outlets")
@allow(*READERS)
def outlets() -> ResponseReturnValue:
    chosen = choose()
    if url_args().text("format"):
        header, table = _outlet_table(figures.ranked_outlets(chosen.piece, chosen.today, chosen.outlets))
        return export(f"gerai-{chosen.piece.first}-{chosen.piece.last}", header, table, money_columns=(5, 6, 7))
    page = page_number()
    count = db.session.scalar(db.select(func.count()).select_from(figures.outlets_in_scope(chosen.outlets).subquery()))
    rows = figures.ranked_outlets(chosen.piece, chosen.today, chosen.outlets, limit=PAGE, offset=(page - 1) * PAGE)
    return render(
        "reports/outlets.html",
        "table",
        c=chosen,
        rows=rows,
        page=page,
        pages=max(1, -(-int(count or 0) // PAGE)),
        offset=(page - 1) * PAGE,
        **_choices(),
    )


@bp.route("/reports/products")
@allow(*READERS)
def products() -> ResponseReturnValue:
    chosen = choose()
    rows = figures.top_products(chosen.piece, chosen.today, limit=200)
    if url_args().text("format"):
        header = [_("SKU"), _("Product"), _("Investor"), _("Quantity"), _("Unit"), _("Lines"), _("Net sales")]
        table = [
            [
                r.product.sku,
                r.product.name,
                r.investor,
                quantity_number(r.quantity, unit(r.product.unit)),
                labels.unit_name(r.product.unit),
                r.lines,
                r.net,
            ]
            for r in rows
        ]
        return export(f"produk-{chosen.piece.first}-{chosen.piece.last}", header, table, money_columns=(6,))
    return render("reports/products.html", c=chosen, rows=rows, **_choices())


@bp.route("/reports/jobs")
@allow(*READERS)
def jobs() -> ResponseReturnValue:
    chosen = choose()
    only_below = url_args().text("below") == "1"
    if url_args().text("format"):
        rows = figures.jobs_rows(chosen.outlets, chosen.piece.last, only_below=only_below)
        header = [_("Outlet code"), _("Outlet"), _("Cooperative"), _("Working"), _("New jobs"), _("Target")]
        table = [[r.outlet.code, r.outlet.name, r.cooperative, r.working, r.new_jobs, JOBS_TARGET] for r in rows]
        return export(f"tenaga-kerja-{chosen.piece.last}", header, table)
    page = page_number()
    summary = figures.jobs_summary(chosen.outlets, chosen.piece.last)
    count = summary.below if only_below else summary.outlets
    rows = figures.jobs_rows(
        chosen.outlets, chosen.piece.last, only_below=only_below, limit=PAGE, offset=(page - 1) * PAGE
    )
    return render(
        "reports/jobs.html",
        c=chosen,
        rows=rows,
        summary=summary,
        target=JOBS_TARGET,
        only_below=only_below,
        page=page,
        pages=max(1, -(-count // PAGE)),
        **_choices(),
    )
