"""An investor's report: sales and share by outlet and product, stock at each outlet, settlement status,
and a simple return view (share earned against the value of goods delivered)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from pos.core.zones import zone_of
from pos.domain.quantity import quantity_number
from pos.domain.units import unit
from pos.extensions import db
from pos.models import Investor, Outlet, Role, Statement
from pos.partnership import obligations, supply
from pos.reports import figures
from pos.reports.views import bp
from pos.reports.views.filters import Chosen, choose
from pos.stock import inventory
from pos.web import labels
from pos.web.access import allow
from pos.web.exports import export
from pos.web.forms import url_args
from pos.web.htmx import render

R = Role
TABLES = ("outlets", "products", "stock", "statements")


@dataclass(frozen=True, slots=True)
class ReturnRow:
    row: figures.OutletRow
    delivered: int
    priced_lines: int

    @property
    def ratio_bp(self) -> int | None:
        """Share earned per Rupiah of goods delivered, in basis points."""
        return self.row.share * 10_000 // self.delivered if self.delivered > 0 else None


def _instants(chosen: Chosen) -> tuple[datetime, datetime]:
    zone = ZoneInfo(zone_of(chosen.outlet))
    since = datetime.combine(chosen.piece.first, time.min, zone).astimezone(UTC)
    until = datetime.combine(chosen.piece.last + timedelta(days=1), time.min, zone).astimezone(UTC)
    return since, until


def _data(chosen: Chosen, investor: Investor) -> dict[str, Any]:
    supplied = [o.id for o in supply.outlets_of(investor.id)]
    outlets = chosen.outlets if chosen.outlets is not None else db.select(Outlet.id).where(Outlet.id.in_(supplied))
    piece = replace(chosen.piece, outlets=outlets, investor_id=investor.id)
    delivered = inventory.delivered(investor.id, *_instants(chosen))
    rows = [
        ReturnRow(
            r,
            delivered.get(r.outlet.id, inventory.Delivered(0, 0)).value,
            delivered.get(r.outlet.id, inventory.Delivered(0, 0)).priced_lines,
        )
        for r in figures.ranked_outlets(piece, chosen.today, outlets)
    ]
    return {
        "investor": investor,
        "totals": figures.totals(piece, chosen.today),
        "outlets": rows,
        "delivered": sum(r.delivered for r in rows),
        "products": figures.top_products(piece, chosen.today, limit=500),
        "holdings": inventory.holdings(investor.id),
        "statements": obligations.statements(Statement.investor_id == investor.id, only_open=False, limit=100),
    }


def _table(name: str, data: dict[str, Any]) -> tuple[list[str], list[list[object]], tuple[int, ...]]:
    if name == "outlets":
        return (
            [
                _("Outlet code"),
                _("Outlet"),
                _("Lines"),
                _("Net sales"),
                _("Cooperative fee"),
                _("Investor share"),
                _("Goods delivered (at cost)"),
                _("Share ÷ goods delivered (%)"),
            ],
            [
                [
                    r.row.outlet.code,
                    r.row.outlet.name,
                    r.row.sales,
                    r.row.total,
                    r.row.fee,
                    r.row.share,
                    r.delivered,
                    "" if r.ratio_bp is None else f"{r.ratio_bp / 100:.2f}",
                ]
                for r in data["outlets"]
            ],
            (3, 4, 5, 6),
        )
    if name == "products":
        return (
            [
                _("SKU"),
                _("Product"),
                _("Quantity"),
                _("Unit"),
                _("Net sales"),
                _("Cooperative fee"),
                _("Investor share"),
            ],
            [
                [
                    p.product.sku,
                    p.product.name,
                    quantity_number(p.quantity, unit(p.product.unit)),
                    labels.unit_name(p.product.unit),
                    p.net,
                    p.fee,
                    p.share,
                ]
                for p in data["products"]
            ],
            (4, 5, 6),
        )
    if name == "stock":
        return (
            [_("Outlet"), _("Products in stock"), _("Value at selling price"), _("Below reorder level")],
            [[h.outlet.name, h.products, h.value, h.low] for h in data["holdings"]],
            (2,),
        )
    return (
        [
            _("Statement"),
            _("Outlet"),
            _("From"),
            _("To"),
            _("Investor share"),
            _("Payable"),
            _("Paid"),
            _("Outstanding"),
            _("Signed by both"),
        ],
        [
            [
                s.statement.number,
                s.statement.outlet.name,
                s.statement.period_start,
                s.statement.period_end,
                s.statement.investor_share,
                s.statement.amount_payable,
                s.paid,
                s.outstanding,
                _("yes") if s.signed else _("no"),
            ]
            for s in data["statements"]
        ],
        (4, 5, 6, 7),
    )


@bp.route("/reports/investor")
@allow(R.INVESTOR, R.CENTRAL, R.ADMIN)
def investor() -> ResponseReturnValue:
    chosen = choose()
    if chosen.investor is None:
        if current_user.role == R.INVESTOR:
            abort(404)
        return render(
            "reports/choose_investor.html",
            investors=db.session.scalars(db.select(Investor).order_by(Investor.name)).all(),
        )
    data = _data(chosen, chosen.investor)
    if url_args().text("format"):
        name = url_args().text("table") or "outlets"
        if name not in TABLES:
            abort(404)
        header, rows, money = _table(name, data)
        return export(f"investor-{chosen.investor.code}-{name}", header, rows, money_columns=money)
    return render("reports/investor.html", c=chosen, **data)
