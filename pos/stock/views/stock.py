"""The outlet's stock: list, reorder levels, movements, expiring goods, write-offs, shrinkage."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from pos.core.clock import business_date
from pos.core.errors import PosError
from pos.extensions import db
from pos.models import Investor, MovementKind, Product, Role
from pos.stock import inventory, returns
from pos.stock.forms import LevelForm, RangeForm, StockSettingsForm, WriteOffForm
from pos.stock.views import bp
from pos.stock.views.common import (
    chosen_outlet,
    investor_ids,
    product_by_code,
    quantity,
    visible_outlets,
)
from pos.web import labels
from pos.web.access import allow, scope_for
from pos.web.exports import export, local_moment, quantity_cell
from pos.web.forms import local_path, url_args
from pos.web.htmx import render
from pos.web.transaction import attempt

R = Role
READERS = (R.MANAGER, R.INVESTOR, R.BOARD, R.CENTRAL, R.ADMIN)
SHOWS = ("all", "in_stock", "low", "flagged")


def _show() -> str:
    show = url_args().text("show") or "all"
    return show if show in SHOWS else "all"


@bp.route("/stock")
@allow(*READERS)
def stock_list() -> ResponseReturnValue:
    outlets = visible_outlets()
    outlet = chosen_outlet(outlets)
    holdings = inventory.holdings(current_user.investor_id) if current_user.role == R.INVESTOR else []
    if outlet is None:
        return render("stock/stock.html", outlet=None, outlets=outlets, holdings=holdings, page=None, q="", show="all")
    text = (url_args().text("q") or "")[:80]
    page = inventory.outlet_stock(
        outlet.id,
        investor_ids(outlet),
        text,
        _show(),
        after=url_args().number("after", 0) or None,
        before=url_args().number("before", 0) or None,
    )
    return render(
        "stock/stock.html",
        "results",
        outlet=outlet,
        outlets=outlets,
        holdings=holdings,
        page=page,
        q=text,
        show=_show(),
        level_form=LevelForm(formdata=None),
        can_set_level=current_user.role in (R.MANAGER, R.INVESTOR),
        settings_form=StockSettingsForm(formdata=None, expiry_warning_days=outlet.expiry_warning_days),
        expiring=inventory.expiring_at(outlet, investor_ids(outlet)) if text == "" and page.first else [],
    )


@bp.route("/stock/settings", methods=["POST"])
@allow(R.MANAGER)
def stock_settings() -> ResponseReturnValue:
    outlet = current_user.outlet
    if outlet is None:
        abort(404)
    form = StockSettingsForm()
    if not form.validate():
        raise PosError(_("Enter a number of days from 0 to 365."))
    outlet.expiry_warning_days = form.expiry_warning_days.data
    flash(_("Settings saved."), "success")
    return redirect(url_for("stock.stock_list"), 303)


@bp.route("/stock/export")
@allow(*READERS)
def stock_export() -> ResponseReturnValue:
    outlet = chosen_outlet()
    if outlet is None:
        abort(404)
    shown = investor_ids(outlet)
    names = dict(db.session.execute(db.select(Investor.id, Investor.name).where(Investor.id.in_(shown))).all())
    rows = inventory.each_stock_row(outlet.id, shown, _show())
    header = [
        _("SKU"),
        _("Barcode"),
        _("Product"),
        _("Investor"),
        _("Unit"),
        _("On hand"),
        _("Reorder level"),
        _("Price"),
        _("Value"),
    ]
    table = (  # streamed as it is read: 100,000 rows never held at once
        [
            r.product.sku,
            r.product.barcode or "",
            r.product.name,
            names.get(r.product.investor_id, ""),
            labels.unit_name(r.product.unit),
            quantity_cell(r.on_hand, r.product.unit),
            quantity_cell(r.level, r.product.unit),
            r.product.price,
            r.value,
        ]
        for r in rows
    )
    stamp = business_date(outlet.timezone).isoformat()
    return export(f"stok-{outlet.code}-{stamp}", header, table, money_columns=(7, 8))


@bp.route("/stock/<int:product_id>/level", methods=["POST"])
@allow(R.MANAGER, R.INVESTOR)
def set_level(product_id: int) -> ResponseReturnValue:
    outlet = chosen_outlet()
    if outlet is None:
        abort(404)
    product = db.session.get(Product, product_id)
    if product is None or product.investor_id not in investor_ids(outlet):
        abort(404)
    form = LevelForm()
    if not form.validate():
        raise PosError(_("Enter the reorder level as a number."))
    text = (form.level.data or "").strip()
    level = quantity(text, product, allow_zero=True) if text else None
    inventory.set_level(outlet.id, product.id, level)
    flash(_("Reorder level saved for %(name)s.", name=product.name), "success")
    back = url_for("stock.stock_list", outlet=outlet.code)
    return redirect(local_path(url_args().text("next"), back), 303)


def _day_bounds(form: RangeForm, timezone: str) -> tuple[datetime | None, datetime | None]:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(timezone)
    start = datetime.combine(form.start.data, time(), zone).astimezone(UTC) if form.start.data else None
    end = datetime.combine(form.end.data + timedelta(days=1), time(), zone).astimezone(UTC) if form.end.data else None
    return start, end


@bp.route("/stock/movements")
@allow(*READERS)
def movements() -> ResponseReturnValue:
    outlet = chosen_outlet()
    if outlet is None:
        abort(404)
    form = RangeForm(request.args)
    if not form.validate() or (form.start.data and form.end.data and form.start.data > form.end.data):
        raise PosError(_("Check the dates: the start must be on or before the end."))
    kind_arg = url_args().text("kind") or ""
    kind = MovementKind(kind_arg) if kind_arg in set(MovementKind) else None
    product = None
    code = (url_args().text("product") or "").strip()[:60]
    if code:
        product = product_by_code(code, investor_ids(outlet))
    start, end = _day_bounds(form, outlet.timezone)
    limit = 100_000 if url_args().text("format") else 200
    rows = inventory.movements(
        outlet.id,
        investor_ids(outlet),
        product_id=product.id if product else None,
        kind=kind,
        start=start,
        end=end,
        limit=limit,
    )
    if url_args().text("format"):
        header = [
            _("Time"),
            _("Type"),
            _("SKU"),
            _("Product"),
            _("Quantity"),
            _("Unit"),
            _("Document"),
            _("Note"),
            _("By"),
        ]
        table = [
            [
                local_moment(m.created_at, outlet.timezone),
                labels.movement_kind(m.kind.value),
                m.product.sku,
                m.product.name,
                quantity_cell(m.quantity, m.product.unit),
                labels.unit_name(m.product.unit),
                labels.document(m.document_type),
                m.note,
                m.user.full_name if m.user else "",
            ]
            for m in rows
        ]
        return export(f"mutasi-stok-{outlet.code}", header, table)
    return render(
        "stock/movements.html",
        outlet=outlet,
        outlets=visible_outlets(),
        rows=rows,
        form=form,
        kind=kind_arg,
        product=code,
        kinds=list(MovementKind),
    )


@bp.route("/stock/write-off", methods=["GET", "POST"])
@allow(R.MANAGER)
def write_off() -> ResponseReturnValue:
    outlet = chosen_outlet()
    if outlet is None:
        abort(404)
    form = WriteOffForm()
    if request.method == "GET":
        return render("stock/write_off.html", form=form, outlet=outlet, error=None)
    error: Any = None
    if not form.validate():
        error = _("Enter the product, the quantity and the reason.")
    else:
        try:
            with attempt():
                product = product_by_code(form.code.data, investor_ids(outlet))
                returns.write_off(
                    outlet, product, quantity(form.quantity.data, product), form.reason.data, current_user
                )
        except PosError as exc:
            return render("stock/write_off.html", form=form, outlet=outlet, error=str(exc)), exc.status
        flash(_("%(name)s written off.", name=product.name), "success")
        return redirect(url_for("stock.movements", outlet=outlet.code, kind="write_off"), 303)
    return render("stock/write_off.html", form=form, outlet=outlet, error=error), 422


@bp.route("/stock/shrinkage")
@allow(*READERS)
def shrinkage() -> ResponseReturnValue:
    scope = scope_for(current_user)
    outlet_ids = None if scope.outlet_ids is None else set(scope.outlet_ids)
    investors = None if scope.investor_ids is None else set(scope.investor_ids)
    rows = inventory.shrinkage(outlet_ids, investors)
    if url_args().text("format"):
        header = [
            _("Count"),
            _("Outlet"),
            _("Investor"),
            _("Confirmed"),
            _("Confirmed by"),
            _("Units missing"),
            _("Value missing"),
            _("Units found"),
        ]
        table = [
            [
                r.count.number,
                r.count.outlet.name,
                r.investor.name,
                local_moment(r.count.confirmed_at, r.count.outlet.timezone),
                r.confirmed_by.full_name if r.confirmed_by else "",
                r.missing_units,
                r.missing_value,
                r.found_units,
            ]
            for r in rows
        ]
        return export("susut-stok", header, table, money_columns=(6,))
    return render("stock/shrinkage.html", rows=rows)
