"""Settlement statements: list, issue for a closed period, view, sign, pay, dispute, documents."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func
from wtforms.fields.choices import SelectChoice

from pos.core import audit
from pos.core.clock import business_date
from pos.core.errors import PosError
from pos.extensions import db
from pos.models import Agreement, Dispute, Outlet, Role, Statement
from pos.partnership import settlements
from pos.partnership.forms import DisputeForm, IssueForm, PaymentForm, ResolveForm
from pos.partnership.views import bp
from pos.partnership.views.agreements import agreement_in_scope
from pos.web.access import allow, one_by_uuid, scope_for
from pos.web.exports import export
from pos.web.htmx import render
from pos.web.transaction import attempt

R = Role
READERS = (R.CENTRAL, R.ADMIN, R.BOARD, R.INVESTOR)


def visible_statements() -> ResponseReturnValue:
    scope = scope_for(current_user)
    query = db.select(Statement).order_by(Statement.period_start.desc(), Statement.number)
    if scope.investor_ids is not None:
        query = query.where(Statement.investor_id.in_(scope.investor_ids))
    if scope.outlet_ids is not None:
        query = query.where(Statement.outlet_id.in_(scope.outlet_ids))
    return query


def statement_in_scope(statement_uuid: str) -> Statement:
    return one_by_uuid(visible_statements(), Statement, statement_uuid)


@bp.route("/statements")
@allow(*READERS)
def statements() -> ResponseReturnValue:
    rows = db.session.scalars(visible_statements().limit(500)).all()
    return render("partnership/statements.html", statements=rows)


def _issue_page(agreement: Agreement, form: IssueForm, error: str | None = None, status: int = 200) -> Any:
    open_by_outlet = {outlet: settlements.open_periods(agreement, outlet) for outlet in agreement.outlets}
    return (
        render("partnership/issue.html", agreement=agreement, form=form, open_by_outlet=open_by_outlet, error=error),
        status,
    )


@bp.route("/agreements/<agreement_uuid>/statements", methods=["GET", "POST"])
@allow(R.CENTRAL, R.ADMIN, R.BOARD)
def issue_statement(agreement_uuid: str) -> ResponseReturnValue:
    agreement = agreement_in_scope(agreement_uuid)
    form = IssueForm()
    form.outlet.choices = [SelectChoice(o.id, o.name) for o in agreement.outlets]
    if request.method == "GET":
        return _issue_page(agreement, form)
    if not form.validate():
        return _issue_page(agreement, form, _("Choose an outlet and a period."), 422)
    outlet = db.session.get(Outlet, form.outlet.data)
    if outlet is None or outlet not in agreement.outlets:
        abort(404)
    try:
        with attempt():
            statement = settlements.issue(agreement, outlet, form.period_start.data, current_user)
    except PosError as exc:
        return _issue_page(agreement_in_scope(agreement_uuid), form, str(exc), exc.status)
    flash(_("Statement %(number)s issued.", number=statement.number), "success")
    return redirect(url_for("partnership.statement_detail", statement_uuid=statement.uuid), 303)


def _detail(statement: Statement, error: str | None = None, status: int = 200, **forms: Any) -> Any:
    today = business_date(statement.outlet.timezone)
    pay_form = forms.get("pay_form") or PaymentForm(formdata=None, paid_on=today)
    return (
        render(
            "partnership/statement.html",
            s=statement,
            error=error,
            pay_form=pay_form,
            dispute_form=forms.get("dispute_form") or DisputeForm(formdata=None),
            resolve_form=ResolveForm(formdata=None),
            trail=audit.trail("statement", statement.uuid),
            can_sign=(
                (current_user.role == R.BOARD and statement.board_signed_at is None)
                or (current_user.role == R.INVESTOR and statement.investor_signed_at is None)
            ),
            can_pay=current_user.role in settlements.payer_roles(statement),
            can_resolve=current_user.role in (R.CENTRAL, R.ADMIN),
        ),
        status,
    )


@bp.route("/statements/<statement_uuid>")
@allow(*READERS)
def statement_detail(statement_uuid: str) -> ResponseReturnValue:
    return _detail(statement_in_scope(statement_uuid))


@bp.route("/statements/<statement_uuid>/sign", methods=["POST"])
@allow(R.BOARD, R.INVESTOR)
def statement_sign(statement_uuid: str) -> ResponseReturnValue:
    statement = statement_in_scope(statement_uuid)
    try:
        with attempt():
            settlements.sign(statement, current_user)
    except PosError as exc:
        return _detail(statement_in_scope(statement_uuid), str(exc), exc.status)
    flash(_("Statement signed."), "success")
    return redirect(url_for("partnership.statement_detail", statement_uuid=statement.uuid), 303)


@bp.route("/statements/<statement_uuid>/payments", methods=["POST"])
@allow(R.BOARD, R.INVESTOR, R.CENTRAL, R.ADMIN)
def statement_payment(statement_uuid: str) -> ResponseReturnValue:
    statement = statement_in_scope(statement_uuid)
    form = PaymentForm()
    if not form.validate():
        return _detail(statement, _("Check the payment."), 422, pay_form=form)
    try:
        with attempt():
            settlements.record_payment(
                statement,
                current_user,
                paid_on=form.paid_on.data,
                amount=form.amount.data,
                method=form.method.data,
                reference=form.reference.data or "",
                confirm_over=bool(form.confirm_over.data),
            )
    except PosError as exc:
        return _detail(statement_in_scope(statement_uuid), str(exc), exc.status, pay_form=form)
    flash(_("Payment recorded."), "success")
    return redirect(url_for("partnership.statement_detail", statement_uuid=statement.uuid), 303)


@bp.route("/statements/<statement_uuid>/disputes", methods=["POST"])
@allow(R.BOARD, R.INVESTOR, R.CENTRAL, R.ADMIN)
def statement_dispute(statement_uuid: str) -> ResponseReturnValue:
    statement = statement_in_scope(statement_uuid)
    form = DisputeForm()
    if not form.validate():
        return _detail(statement, _("Describe what is disputed."), 422, dispute_form=form)
    settlements.raise_dispute(statement, current_user, form.comment.data)
    flash(_("Dispute recorded; both sides and the central office can see it."), "success")
    return redirect(url_for("partnership.statement_detail", statement_uuid=statement.uuid), 303)


@bp.route("/statements/<statement_uuid>/disputes/<int:dispute_id>/resolve", methods=["POST"])
@allow(R.CENTRAL, R.ADMIN)
def dispute_resolve(statement_uuid: str, dispute_id: int) -> ResponseReturnValue:
    statement = statement_in_scope(statement_uuid)
    dispute = db.session.get(Dispute, (dispute_id, statement.outlet_id))
    if dispute is None or dispute.statement_id != statement.id:
        abort(404)
    form = ResolveForm()
    if not form.validate():
        return _detail(statement, _("Describe how the dispute was resolved."), 422)
    try:
        with attempt():
            settlements.resolve_dispute(dispute, current_user, form.resolution.data)
    except PosError as exc:
        return _detail(statement_in_scope(statement_uuid), str(exc), exc.status)
    return redirect(url_for("partnership.statement_detail", statement_uuid=statement.uuid), 303)


def _document(statement: Statement) -> str:
    return render_template(
        "partnership/statement_print.html", s=statement, trail=audit.trail("statement", statement.uuid)
    )


@bp.route("/statements/<statement_uuid>/print")
@allow(*READERS)
def statement_print(statement_uuid: str) -> ResponseReturnValue:
    return _document(statement_in_scope(statement_uuid))


@bp.route("/statements/<statement_uuid>.pdf")
@allow(*READERS)
def statement_pdf(statement_uuid: str) -> ResponseReturnValue:
    statement = statement_in_scope(statement_uuid)
    try:
        from weasyprint import HTML
    except OSError:  # the system's Pango is missing
        current_app.logger.exception("WeasyPrint cannot load")
        abort(503)
    pdf = HTML(string=_document(statement), base_url=request.url_root).write_pdf()
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{statement.number}.pdf"'},
    )


def _table(statement: Statement) -> tuple[list[str], list[list[object]]]:
    header = [
        _("Date"),
        _("Product"),
        _("Late correction"),
        _("Quantity"),
        _("Net sales"),
        _("Cooperative fee"),
        _("Investor share"),
    ]
    rows: list[list[object]] = [
        [
            ln.business_date,
            ln.product_name,
            _("yes") if ln.late else "",
            ln.quantity,
            ln.net,
            ln.fee,
            ln.investor_share,
        ]
        for ln in statement.lines
    ]
    rows.append(["", _("Total"), "", "", statement.net_sales, statement.fee, statement.investor_share])
    return header, rows


@bp.route("/statements/<statement_uuid>.csv")
@allow(*READERS)
def statement_csv(statement_uuid: str) -> ResponseReturnValue:
    return _statement_file(statement_uuid, "csv")


@bp.route("/statements/<statement_uuid>.xlsx")
@allow(*READERS)
def statement_xlsx(statement_uuid: str) -> ResponseReturnValue:
    return _statement_file(statement_uuid, "xlsx")


def _statement_file(statement_uuid: str, fmt: str) -> Any:
    statement = statement_in_scope(statement_uuid)
    header, rows = _table(statement)
    preamble = [
        [statement.number, statement.outlet.name, statement.investor.name],
        [statement.period_start, statement.period_end],
    ]
    return export(statement.number, header, rows, money_columns=(4, 5, 6), preamble=preamble, fmt=fmt)


@bp.route("/fees")
@allow(R.BOARD, R.CENTRAL, R.ADMIN)
def fees() -> ResponseReturnValue:
    """The cooperative's own income (fees) kept apart from the money collected for investors, by month, outlet
    and investor (from the outlet × investor × day rollup)."""
    from pos.models import Investor, InvestorDayRollup

    scope = scope_for(current_user)
    r = InvestorDayRollup
    month = func.substr(func.cast(r.day, db.String), 1, 7)
    query = (
        db.select(
            month.label("month"),
            Outlet.name,
            Investor.name,
            func.sum(r.net),
            func.sum(r.fee),
            func.sum(r.investor_share),
        )
        .join(Outlet, r.outlet_id == Outlet.id)
        .join(Investor, r.investor_id == Investor.id)
        .group_by(month, Outlet.name, Investor.name)
        .order_by(month.desc(), Outlet.name, Investor.name)
    )
    if scope.outlet_ids is not None:
        query = query.where(r.outlet_id.in_(scope.outlet_ids))
    rows = db.session.execute(query.limit(1000)).all()
    return render("partnership/fees.html", rows=rows)
