"""Settlement statements: list, issue for a closed period, view, sign, pay, dispute, documents."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func
from wtforms.fields.choices import SelectChoice

from pos.core import audit
from pos.core.clock import business_date
from pos.core.errors import PosError
from pos.core.zones import user_zone
from pos.extensions import db
from pos.models import Agreement, AgreementVersion, Dispute, Outlet, Role, Statement
from pos.partnership import settlements
from pos.partnership.forms import DisputeForm, IssueAllForm, IssueForm, PaymentForm, ResolveForm, SignForm
from pos.partnership.views import bp
from pos.partnership.views.agreements import agreement_in_scope
from pos.web.access import allow, one_by_uuid, scope_for
from pos.web.exports import export
from pos.web.forms import first_error
from pos.web.htmx import render
from pos.web.pdf import pdf_response
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


@bp.route("/agreements/<agreement_uuid>/statements/all", methods=["POST"])
@allow(R.CENTRAL, R.ADMIN, R.BOARD)
def issue_all_statements(agreement_uuid: str) -> ResponseReturnValue:
    """Every ended period of one outlet not issued yet, oldest first, in one action."""
    agreement = agreement_in_scope(agreement_uuid)
    form = IssueAllForm()
    form.outlet.choices = [SelectChoice(o.id, o.name) for o in agreement.outlets]
    if not form.validate():
        return _issue_page(agreement, IssueForm(formdata=None), _("Choose an outlet."), 422)
    outlet = db.session.get(Outlet, form.outlet.data)
    if outlet is None or outlet not in agreement.outlets:
        abort(404)
    with attempt():
        issued = settlements.issue_all(agreement, outlet, current_user)
    nil = sum(1 for s in issued if s.nil)
    flash(
        _("%(count)d statements issued, %(nil)d of them nil.", count=len(issued), nil=nil)
        if issued
        else _("Every ended period has a statement already."),
        "success",
    )
    return redirect(url_for("partnership.issue_statement", agreement_uuid=agreement.uuid), 303)


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


def _figures(statement: Statement) -> dict[str, Any]:
    """What the statement's body shows besides its own columns: the terms and rates applied, stock per unit."""
    from pos.domain.settlement import Stock, totals_by_unit

    return {
        "terms": settlements.terms_in_period(statement),
        "rates": settlements.rates_applied(statement),
        "stock_totals": totals_by_unit(
            (
                ln.unit,
                Stock(ln.opening, ln.received, ln.sold, ln.refunded, ln.returned, ln.written_off, ln.adjusted),
            )
            for ln in statement.stock_lines
        ),
    }


def _detail(statement: Statement, error: str | None = None, status: int = 200, **forms: Any) -> Any:
    today = business_date(statement.outlet.timezone)
    pay_form = forms.get("pay_form") or PaymentForm(formdata=None, paid_on=today)
    return (
        render(
            "partnership/statement.html",
            s=statement,
            sign_form=forms.get("sign_form") or SignForm(formdata=None),
            **_figures(statement),
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
    form = SignForm()
    if not form.validate():
        return _detail(statement, first_error(form), 422, sign_form=form)
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
        "partnership/statement_print.html",
        s=statement,
        trail=audit.trail("statement", statement.uuid),
        **_figures(statement),
    )


@bp.route("/statements/<statement_uuid>/print")
@allow(*READERS)
def statement_print(statement_uuid: str) -> ResponseReturnValue:
    return _document(statement_in_scope(statement_uuid))


@bp.route("/statements/<statement_uuid>.pdf")
@allow(*READERS)
def statement_pdf(statement_uuid: str) -> ResponseReturnValue:
    statement = statement_in_scope(statement_uuid)
    return pdf_response(_document(statement), f"{statement.number}.pdf")


def _status(statement: Statement) -> str:
    if statement.nil:
        return _("nil")
    if statement.board_signed_at and statement.investor_signed_at:
        return _("signed by both sides") if statement.outstanding <= 0 else _("signed, payment outstanding")
    return _("waiting for signatures")


def _table(statement: Statement) -> tuple[list[object], list[str], list[list[object]]]:
    """The statement as a file: its header figures and stock block before the detail, every quantity with its
    unit, every late correction with the sale it corrects."""
    from pos.domain.money import format_percent
    from pos.web.exports import quantity_cell as qty
    from pos.web.templating import language

    def terms(version: AgreementVersion) -> str:
        parts = [format_percent(version.fee_bp, language())]
        parts += [f"{r.category.name} {format_percent(r.fee_bp, language())}" for r in version.category_rates]
        return "; ".join(parts)

    payer = (
        _("The cooperative pays the investor")
        if statement.direction.value == "to_investor"
        else _("The investor pays the cooperative")
    )
    preamble: list[list[object]] = [
        [_("Statement"), statement.number],
        [_("Status"), _status(statement)],
        [_("Cooperative"), statement.agreement.cooperative.name],
        [_("Outlet"), statement.outlet.name, statement.outlet.code],
        [_("Investor"), statement.investor.name, statement.investor.code],
        [_("Agreement"), statement.agreement.number],
        [_("Period"), statement.period_start, statement.period_end],
        *[
            [_("Terms applied"), first, last, terms(version)]
            for version, first, last in settlements.terms_in_period(statement)
        ],
        [_("Sales in the period"), statement.gross_sales],
        [_("Refunds in the period"), statement.refunds],
        [_("Late corrections from earlier periods"), statement.late_net],
        [_("Net sales"), statement.net_sales],
        [_("Cooperative fee"), statement.fee],
        [_("Investor share"), statement.investor_share],
        [payer, statement.amount_payable],
        [_("Paid"), statement.paid],
        [_("Outstanding"), statement.outstanding],
        [],
        [
            _("Stock"),
            _("Unit"),
            _("Opening"),
            _("Received"),
            _("Sold"),
            _("Refunded by customers"),
            _("Returned"),
            _("Written off"),
            _("Adjusted"),
            _("Closing"),
        ],
        *[
            [
                ln.product_name,
                ln.unit,
                *[
                    qty(getattr(ln, name), ln.unit)
                    for name in ("opening", "received", "sold", "refunded", "returned", "written_off", "adjusted")
                ],
                qty(ln.closing, ln.unit),
            ]
            for ln in statement.stock_lines
        ],
        [],
    ]
    header = [
        _("Date"),
        _("Product"),
        _("Late correction"),
        _("Corrects receipt"),
        _("Quantity"),
        _("Unit"),
        _("Rate"),
        _("Net sales"),
        _("Cooperative fee"),
        _("Investor share"),
    ]
    rows: list[list[object]] = [
        [
            ln.business_date,
            ln.product_name,
            _("yes") if ln.late else "",
            f"{ln.corrects_receipt} ({ln.corrects_date.isoformat()})"
            if ln.corrects_receipt and ln.corrects_date
            else "",
            qty(ln.quantity, ln.unit),
            ln.unit,
            format_percent(ln.fee_bp, language()) if ln.fee_bp is not None else "",
            ln.net,
            ln.fee,
            ln.investor_share,
        ]
        for ln in statement.lines
    ]
    rows.append(["", _("Total"), "", "", "", "", "", statement.net_sales, statement.fee, statement.investor_share])
    return preamble, header, rows


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
    preamble, header, rows = _table(statement)
    return export(statement.number, header, rows, money_columns=(7, 8, 9), preamble=preamble, fmt=fmt)


@bp.route("/fees")
@allow(R.BOARD, R.CENTRAL, R.ADMIN)
def fees() -> ResponseReturnValue:
    """The cooperative's own income (fees) kept apart from the money collected for investors, by month, outlet
    and investor (from the outlet × investor × day rollup), for a chosen period (this year by default)."""
    from datetime import date

    from pos.models import Investor, InvestorDayRollup
    from pos.reports.views.filters import choose

    chosen = choose(default_first=business_date(user_zone()).replace(month=1, day=1))  # a bad period: 422
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
        .where(r.day >= chosen.piece.first, r.day <= chosen.piece.last)
        .group_by(month, Outlet.name, Investor.name)
        .order_by(month.desc(), Outlet.name, Investor.name)
    )
    if chosen.outlets is not None:
        query = query.where(r.outlet_id.in_(chosen.outlets.scalar_subquery()))
    if chosen.investor is not None:
        query = query.where(r.investor_id == chosen.investor.id)
    rows = [
        (date.fromisoformat(f"{m}-01"), outlet, investor, int(net), int(fee), int(share))
        for m, outlet, investor, net, fee, share in db.session.execute(query.limit(5000))
    ]
    totals = tuple(sum(row[i] for row in rows) for i in (3, 4, 5))
    if request.args.get("format"):
        header = [
            _("Month"),
            _("Outlet"),
            _("Investor"),
            _("Net sales"),
            _("Cooperative fee (income)"),
            _("Collected for the investor"),
        ]
        table: list[list[object]] = [
            [format_date(m, "MMMM y"), outlet, investor, net, fee, share]
            for m, outlet, investor, net, fee, share in rows
        ]
        table.append([_("Total"), "", "", *totals])
        name = f"komisi-{chosen.piece.first}-{chosen.piece.last}"
        return export(name, header, table, money_columns=(3, 4, 5))
    return render("partnership/fees.html", rows=rows, totals=totals, c=chosen)
