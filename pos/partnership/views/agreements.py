"""Partnership agreements: the registry, a new agreement, new versions of its terms."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from pos.core import audit
from pos.core.errors import PosError
from pos.domain.money import format_percent, parse_percent
from pos.extensions import db
from pos.models import Agreement, Category, Collector, Cooperative, Investor, Outlet, Role, SettlementPeriod
from pos.partnership import agreements
from pos.partnership.forms import AgreementForm, TermsForm, VersionForm
from pos.partnership.views import bp
from pos.web.access import allow, one_by_uuid, scope_for
from pos.web.htmx import render
from pos.web.transaction import attempt

R = Role
READERS = (R.CENTRAL, R.ADMIN, R.BOARD, R.INVESTOR, R.FACILITATOR, R.MANAGER)
EDITORS = (R.CENTRAL, R.ADMIN)


def visible_agreements() -> ResponseReturnValue:
    scope = scope_for(current_user)
    query = db.select(Agreement).order_by(Agreement.start_date.desc(), Agreement.number)
    if scope.investor_ids is not None:
        query = query.where(Agreement.investor_id.in_(scope.investor_ids))
    if scope.cooperative_ids is not None:
        query = query.where(Agreement.cooperative_id.in_(scope.cooperative_ids))
    if current_user.role == R.MANAGER:
        query = query.where(Agreement.outlets.any(Outlet.id == current_user.outlet_id))
    return query


def agreement_in_scope(agreement_uuid: str) -> Agreement:
    return one_by_uuid(visible_agreements(), Agreement, agreement_uuid)


def _category_choices(form: TermsForm) -> None:
    categories = [SelectChoice(0, "—")] + [
        SelectChoice(c.id, c.name) for c in db.session.scalars(db.select(Category).order_by(Category.name))
    ]
    for entry in form.overrides:
        entry.form.category.choices = categories


def _overrides(form: TermsForm) -> dict[int, int]:
    out = {}
    for entry in form.overrides:
        if entry.form.category.data and entry.form.percent.data:
            out[entry.form.category.data] = parse_percent(entry.form.percent.data)
    return out


def _terms(form: TermsForm) -> agreements.VersionTerms:
    """The terms a form describes."""
    return agreements.VersionTerms(
        fee_bp=parse_percent(form.fee_percent.data),
        category_bp=_overrides(form),
        collector=Collector(form.collector.data),
        period=SettlementPeriod(form.period.data),
        staff_count=form.staff_count.data,
        note=form.note.data or "",
    )


@bp.route("/agreements")
@allow(*READERS)
def agreements_list() -> ResponseReturnValue:
    rows = db.session.scalars(visible_agreements()).all()
    return render("partnership/agreements.html", agreements=rows)


@bp.route("/agreements/new", methods=["GET", "POST"])
@allow(*EDITORS)
def agreement_new() -> ResponseReturnValue:
    form = AgreementForm()
    form.cooperative.choices = [SelectChoice(c.id, c.name) for c in db.session.scalars(db.select(Cooperative))]
    form.investor.choices = [SelectChoice(i.id, i.name) for i in db.session.scalars(db.select(Investor))]
    form.outlets.choices = [
        SelectChoice(o.id, f"{o.name} ({o.code})") for o in db.session.scalars(db.select(Outlet).order_by(Outlet.name))
    ]
    _category_choices(form)
    status, error = 200, None
    if form.validate_on_submit():
        try:
            with attempt():
                agreement = agreements.create(
                    number=form.number.data.strip(),
                    cooperative=db.session.get(Cooperative, form.cooperative.data),
                    investor=db.session.get(Investor, form.investor.data),
                    outlets=[db.session.get(Outlet, oid) for oid in form.outlets.data],
                    start=form.start.data,
                    end=form.end.data,
                    terms=_terms(form),
                    user_id=current_user.id,
                )
        except PosError as exc:
            error, status = str(exc), exc.status
        else:
            flash(_("Agreement saved."), "success")
            return redirect(url_for("partnership.agreement_detail", agreement_uuid=agreement.uuid), 303)
    elif request.method == "POST":
        status = 422
    return render("partnership/agreement_form.html", form=form, error=error), status


def _detail(agreement: Agreement, form: VersionForm | None = None, error: str | None = None, status: int = 200) -> Any:
    if form is None and current_user.role in EDITORS:
        latest = agreement.versions[-1]
        form = VersionForm(
            formdata=None,
            effective_from=max(agreements.earliest_change(agreement), agreement.start_date),
            fee_percent=format_percent(latest.fee_bp, "id").rstrip("%"),
            collector=latest.collector.value,
            period=latest.period.value,
            staff_count=latest.staff_count,
            overrides=[
                {"category": r.category_id, "percent": format_percent(r.fee_bp, "id").rstrip("%")}
                for r in latest.category_rates
            ],
        )
        _category_choices(form)
    return (
        render(
            "partnership/agreement.html",
            agreement=agreement,
            form=form,
            error=error,
            trail=audit.trail("agreement", agreement.uuid),
            categories={c.id: c.name for c in db.session.scalars(db.select(Category))},
            can_edit=current_user.role in EDITORS,
            earliest=agreements.earliest_change(agreement) if current_user.role in EDITORS else None,
        ),
        status,
    )


@bp.route("/agreements/<agreement_uuid>")
@allow(*READERS)
def agreement_detail(agreement_uuid: str) -> ResponseReturnValue:
    return _detail(agreement_in_scope(agreement_uuid))


@bp.route("/agreements/<agreement_uuid>/versions", methods=["POST"])
@allow(*EDITORS)
def agreement_version(agreement_uuid: str) -> ResponseReturnValue:
    agreement = agreement_in_scope(agreement_uuid)
    form = VersionForm()
    _category_choices(form)
    if not form.validate():
        return _detail(agreement, form, _("Check the form."), 422)
    try:
        with attempt():
            agreements.add_version(
                agreement,
                effective_from=form.effective_from.data,
                terms=_terms(form),
                user_id=current_user.id,
            )
    except PosError as exc:
        return _detail(agreement_in_scope(agreement_uuid), form, str(exc), exc.status)
    flash(_("New terms saved."), "success")
    return redirect(url_for("partnership.agreement_detail", agreement_uuid=agreement.uuid), 303)
