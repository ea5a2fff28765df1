"""Stock counts at the outlet: start, scan and enter counted quantities, confirm or cancel."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_
from wtforms.fields.choices import SelectChoice

from pos.core.errors import PosError
from pos.extensions import db
from pos.models import CountStatus, Product, Role, StockCount, StockCountLine
from pos.partnership import supply
from pos.stock import catalog, counts, ledger
from pos.stock.forms import CodeForm, CountLineForm, StartCountForm
from pos.stock.views import bp
from pos.stock.views.common import chosen_outlet, product_by_code, quantity
from pos.web.access import allow, one_by_uuid, scope_for
from pos.web.forms import ConfirmForm, url_args
from pos.web.htmx import render
from pos.web.transaction import attempt

R = Role
PAGE_SIZE = 40


def visible_counts() -> ResponseReturnValue:
    scope = scope_for(current_user)
    query = db.select(StockCount).order_by(StockCount.started_at.desc(), StockCount.id.desc())
    if scope.outlet_ids is not None:
        query = query.where(StockCount.outlet_id.in_(scope.outlet_ids))
    return query


def _start_form(outlet_id: int, formdata: Any = None) -> StartCountForm:
    form = StartCountForm(formdata=formdata) if formdata is not None else StartCountForm(formdata=None)
    form.investor.choices = [SelectChoice(0, _("All investors"))] + [
        SelectChoice(i.id, i.name) for i in supply.investors_of(outlet_id)
    ]
    form.category.choices = [SelectChoice(0, _("All categories"))] + [
        SelectChoice(c.id, c.name) for c in catalog.categories()
    ]
    return form


@bp.route("/counts", methods=["GET", "POST"])
@allow(R.MANAGER, R.BOARD, R.CENTRAL, R.ADMIN)
def count_list() -> ResponseReturnValue:
    outlet = chosen_outlet()
    rows = db.session.scalars(visible_counts().limit(200)).all()
    if request.method == "GET":
        form = _start_form(outlet.id) if outlet else None
        return render("stock/counts.html", counts=rows, form=form, error=None, outlet=outlet)
    if current_user.role != R.MANAGER or outlet is None:
        abort(403)
    form = _start_form(outlet.id, request.form)
    if not form.validate():
        return render(
            "stock/counts.html", counts=rows, form=form, error=_("Check the count's scope."), outlet=outlet
        ), 422
    investor_id = form.investor.data or None
    category_id = form.category.data or None
    label = " · ".join(
        str(text)
        for value, text in (
            (investor_id, next((c.label for c in form.investor.choices if c.value == investor_id), "")),
            (category_id, next((c.label for c in form.category.choices if c.value == category_id), "")),
            (form.flagged_only.data, _("flagged for a count")),
        )
        if value
    ) or _("All products")
    try:
        with attempt():
            count = counts.start(
                outlet,
                current_user,
                investor_id=investor_id,
                category_id=category_id,
                flagged_only=bool(form.flagged_only.data),
                reason=form.reason.data or "",
                scope_label=label,
            )
    except PosError as exc:
        return render("stock/counts.html", counts=rows, form=form, error=str(exc), outlet=outlet), exc.status
    return redirect(url_for("stock.count_detail", count_uuid=count.uuid), 303)


def count_in_scope(count_uuid: str) -> StockCount:
    return one_by_uuid(visible_counts(), StockCount, count_uuid)


def _lines(count: StockCount, text: str, only: str, page: int) -> tuple[list[StockCountLine], int, int]:
    query = (
        db.select(StockCountLine)
        .join(Product, StockCountLine.product_id == Product.id)
        .where(StockCountLine.outlet_id == count.outlet_id, StockCountLine.count_id == count.id)
    )
    text = text.strip()[:80]
    if text:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(
            or_(Product.name.ilike(f"%{escaped}%", escape="\\"), Product.sku == text, Product.barcode == text)
        )
    if only == "todo":
        query = query.where(StockCountLine.counted.is_(None))
    elif only == "counted":
        query = query.where(StockCountLine.counted.is_not(None))
    elif only == "different" and count.status == CountStatus.CONFIRMED:
        query = query.where(StockCountLine.counted != StockCountLine.expected)
    total = db.session.scalar(db.select(db.func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    found = db.session.scalars(query.order_by(Product.name, Product.id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    return list(found), page, pages


def _detail(count: StockCount, error: Any = None, status: int = 200, focus: StockCountLine | None = None) -> Any:
    text = (url_args().text("q") or "")[:80]
    default = "counted" if count.status == CountStatus.CONFIRMED else ""
    only = url_args().given("only", default)
    page_arg = url_args().text("page") or "1"
    lines, page, pages = _lines(count, text, only, int(page_arg) if page_arg.isdigit() else 1)
    on_hand = ledger.on_hand_many(count.outlet_id, [ln.product_id for ln in lines])
    counted, total = counts.progress(count)
    return (
        render(
            "stock/count.html",
            "lines",
            c=count,
            lines=lines,
            page=page,
            pages=pages,
            q=text,
            only=only,
            on_hand=on_hand,
            counted=counted,
            total=total,
            focus=focus,
            error=error,
            code_form=CodeForm(formdata=None),
            confirm_form=ConfirmForm(formdata=None),
            is_manager=current_user.role == R.MANAGER,
        ),
        status,
    )


@bp.route("/counts/<count_uuid>")
@allow(R.MANAGER, R.BOARD, R.CENTRAL, R.ADMIN)
def count_detail(count_uuid: str) -> ResponseReturnValue:
    return _detail(count_in_scope(count_uuid))


@bp.route("/counts/<count_uuid>/scan", methods=["POST"])
@allow(R.MANAGER)
def count_scan(count_uuid: str) -> ResponseReturnValue:
    """A scanned code brings its line to the top, ready for the counted quantity."""
    count = count_in_scope(count_uuid)
    form = CodeForm()
    if not form.validate():
        return _detail(count, _("Scan or type a barcode or SKU."), 422)
    try:
        product = product_by_code(form.code.data, supply.investor_ids_of(count.outlet_id))
    except PosError as exc:
        return _detail(count, str(exc), exc.status)
    line = counts.line_for(count, product.id)
    if line is None:
        return _detail(count, _("%(name)s is not part of this count.", name=product.name), 404)
    return _detail(count, focus=line)


@bp.route("/counts/<count_uuid>/lines/<int:line_id>", methods=["POST"])
@allow(R.MANAGER)
def count_line(count_uuid: str, line_id: int) -> ResponseReturnValue:
    count = count_in_scope(count_uuid)
    line = db.session.get(StockCountLine, (line_id, count.outlet_id))
    if line is None or line.count_id != count.id:
        abort(404)
    form = CountLineForm()
    if not form.validate():
        return _detail(count, _("The counted quantity is not valid."), 422, focus=line)
    text = (form.counted.data or "").strip()
    try:
        with attempt():
            counts.record(
                count, line, quantity(text, line.product, allow_zero=True) if text else None, form.note.data or ""
            )
    except PosError as exc:
        return _detail(count_in_scope(count_uuid), str(exc), exc.status, focus=line)
    return _detail(count)


@bp.route("/counts/<count_uuid>/confirm", methods=["POST"])
@allow(R.MANAGER)
def count_confirm(count_uuid: str) -> ResponseReturnValue:
    count = count_in_scope(count_uuid)
    if not ConfirmForm().validate():
        abort(400)
    try:
        with attempt():
            adjusted = counts.confirm(count, current_user)
    except PosError as exc:
        return _detail(count_in_scope(count_uuid), str(exc), exc.status)
    flash(_("Count %(number)s confirmed: %(n)d products adjusted.", number=count.number, n=adjusted), "success")
    return redirect(url_for("stock.count_detail", count_uuid=count_uuid), 303)


@bp.route("/counts/<count_uuid>/cancel", methods=["POST"])
@allow(R.MANAGER)
def count_cancel(count_uuid: str) -> ResponseReturnValue:
    count = count_in_scope(count_uuid)
    if not ConfirmForm().validate():
        abort(400)
    try:
        with attempt():
            counts.cancel(count, current_user)
    except PosError as exc:
        return _detail(count_in_scope(count_uuid), str(exc), exc.status)
    flash(_("Count %(number)s cancelled.", number=count.number), "success")
    return redirect(url_for("stock.count_list"), 303)
