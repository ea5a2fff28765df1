"""The staff register: managed at the outlet or centrally; national ID numbers only for those who may see them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, DateField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, EqualTo, InputRequired, Length, Optional, Regexp

from pos.core.clock import business_date
from pos.core.errors import PosError
from pos.core.zones import zone_of
from pos.extensions import db
from pos.models import Employer, Outlet, Role, StaffMember, StaffRole, User
from pos.partnership import supply
from pos.staff import logins, roster
from pos.staff.roster import ROLE_LABELS
from pos.web.access import allow, one_by_uuid, scope_for
from pos.web.exports import export
from pos.web.fields import plausible_date
from pos.web.forms import ConfirmForm, Form, first_error, url_args
from pos.web.htmx import render
from pos.web.transaction import attempt

bp = Blueprint("staff", __name__)

R = Role
READERS = (R.MANAGER, R.BOARD, R.CENTRAL, R.ADMIN)
WRITERS = (R.MANAGER, R.CENTRAL, R.ADMIN)


class StaffForm(Form):
    full_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    role = SelectField(_l("Role"))
    role_note = StringField(_l("Role (details)"), validators=[Optional(), Length(max=60)])
    employer = SelectField(_l("Employed by"))
    investor = SelectField(_l("Investor"), coerce=int, validators=[Optional()])
    start_date = DateField(_l("Start date"), validators=[InputRequired(), plausible_date])
    end_date = DateField(_l("End date"), validators=[Optional(), plausible_date])
    new_job = BooleanField(_l("New job (not employed here before the partnership)"))
    national_id = StringField(
        _l("National ID number (NIK, optional)"),
        validators=[Optional(), Regexp(r"^[0-9]{16}$", message=_l("A national ID number (NIK) has 16 digits."))],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )


def sees_national_id() -> bool:
    """Only the central office and the outlet's own manager see national ID numbers."""
    return current_user.role in (R.MANAGER, R.CENTRAL, R.ADMIN)


def _outlets() -> list[Outlet]:
    scope = scope_for(current_user)
    query = db.select(Outlet).order_by(Outlet.name)
    if scope.outlet_ids is not None:
        query = query.where(Outlet.id.in_(scope.outlet_ids))
    return list(db.session.scalars(query))


def _visible() -> ResponseReturnValue:
    scope = scope_for(current_user)
    query = db.select(StaffMember).order_by(
        StaffMember.outlet_id, StaffMember.end_date.is_not(None), StaffMember.full_name
    )
    if scope.outlet_ids is not None:
        query = query.where(StaffMember.outlet_id.in_(scope.outlet_ids))
    return query


@bp.route("/staff")
@allow(*READERS)
def staff_list() -> ResponseReturnValue:
    outlets = _outlets()
    code = url_args().text("outlet") or ""
    query = _visible()
    chosen = None
    if code:
        chosen = next((o for o in outlets if o.code == code), None)
        if chosen is None:
            abort(404)
        query = query.where(StaffMember.outlet_id == chosen.id)
    members = db.session.scalars(query.limit(5000)).all()
    today = business_date(zone_of(chosen))
    if url_args().text("format"):
        header = [_("Outlet"), _("Name"), _("Role"), _("Employed by"), _("Start date"), _("End date"), _("New job")]
        if sees_national_id():
            header.append(_("NIK"))
        rows = []
        for m in members:
            row: list[Any] = [
                m.outlet.code,
                m.full_name,
                str(ROLE_LABELS[m.role]) + (f" ({m.role_note})" if m.role_note else ""),
                m.investor.name if m.investor else _("Cooperative"),
                m.start_date,
                m.end_date,
                _("yes") if m.new_job else _("no"),
            ]
            if sees_national_id():
                row.append(m.national_id or "")
            rows.append(row)
        return export("tenaga-kerja", header, rows)
    return render(
        "staff/list.html",
        members=members,
        outlets=outlets,
        chosen=chosen,
        jobs=roster.jobs([chosen] if chosen else outlets, today),
        target=roster.JOBS_TARGET,
        labels=ROLE_LABELS,
        today=today,
        show_nik=sees_national_id(),
        can_edit=current_user.role in WRITERS,
    )


def _form(outlet: Outlet, formdata: Any = None, **data: Any) -> StaffForm:
    form = StaffForm(formdata=formdata, **data) if formdata is not None else StaffForm(formdata=None, **data)
    form.role.choices = [SelectChoice(k.value, label) for k, label in ROLE_LABELS.items()]
    form.employer.choices = [
        SelectChoice(Employer.INVESTOR.value, _l("Investor")),
        SelectChoice(Employer.COOPERATIVE.value, _l("Cooperative")),
    ]
    form.investor.choices = [SelectChoice(0, "—")] + [
        SelectChoice(i.id, i.name) for i in supply.investors_of(outlet.id)
    ]
    return form


def _data(form: StaffForm) -> roster.StaffData:
    return roster.StaffData(
        full_name=form.full_name.data or "",
        role=StaffRole(form.role.data),
        role_note=form.role_note.data or "",
        employer=Employer(form.employer.data),
        investor_id=form.investor.data or None,
        start_date=form.start_date.data,
        end_date=form.end_date.data,
        new_job=bool(form.new_job.data),
        national_id=(form.national_id.data or "").strip() or None,
    )


def _page(outlet: Outlet, form: StaffForm, member: StaffMember | None, error: Any = None, status: int = 200) -> Any:
    return render("staff/form.html", form=form, outlet=outlet, member=member, error=error), status


def _outlet_for_new() -> Outlet:
    if current_user.role == R.MANAGER:
        if current_user.outlet is None:
            abort(404)
        return current_user.outlet
    code = url_args().text("outlet") or ""
    outlet = next((o for o in _outlets() if o.code == code), None)
    if outlet is None:
        abort(404)
    return outlet


@bp.route("/staff/new", methods=["GET", "POST"])
@allow(*WRITERS)
def staff_new() -> ResponseReturnValue:
    outlet = _outlet_for_new()
    if request.method == "GET":
        return _page(outlet, _form(outlet, start_date=business_date(outlet.timezone), new_job=True), None)
    return _save(outlet, None)


@bp.route("/staff/<member_uuid>", methods=["GET", "POST"])
@allow(*WRITERS)
def staff_edit(member_uuid: str) -> ResponseReturnValue:
    member = one_by_uuid(_visible(), StaffMember, member_uuid)
    if request.method == "GET":
        form = _form(member.outlet, obj=member, investor=member.investor_id or 0)
        form.role.data = member.role.value
        form.employer.data = member.employer.value
        return _page(member.outlet, form, member)
    return _save(member.outlet, member)


def _save(outlet: Outlet, member: StaffMember | None) -> Any:
    form = _form(outlet, request.form)
    if not form.validate():
        return _page(outlet, form, member, _("Check the entries."), 422)
    try:
        with attempt():
            saved = roster.save(outlet, _data(form), current_user, member)
    except PosError as exc:
        return _page(outlet, form, member, str(exc), exc.status)
    flash(_("%(name)s saved in the staff register.", name=saved.full_name), "success")
    return redirect(url_for("staff.staff_list", outlet=outlet.code), 303)


class OwnPinForm(Form):
    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=200)])
    pin = PasswordField(
        _l("New approval PIN (6 to 8 digits)"),
        validators=[DataRequired(), Length(max=8)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    again = PasswordField(
        _l("The same PIN again"),
        validators=[DataRequired(), EqualTo("pin", message=_l("The two PINs differ."))],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )


class PersonForm(Form):
    member = SelectField(_l("Person in the staff register"))


class ActiveForm(Form):
    active = StringField(validators=[AnyOf(["0", "1"])])


def _manager_outlet() -> Outlet:
    if current_user.outlet is None:
        abort(404)
    return current_user.outlet


def _without_login(outlet: Outlet) -> list[StaffMember]:
    today = business_date(zone_of(outlet))
    named = {u.full_name for u in logins.till_logins(outlet)}
    return [
        m
        for m in db.session.scalars(
            db.select(StaffMember).where(StaffMember.outlet_id == outlet.id).order_by(StaffMember.full_name)
        )
        if m.works_on(today) and m.full_name not in named
    ]


def _logins_page(
    outlet: Outlet,
    *,
    handed: tuple[User, str] | None = None,
    pin_form: OwnPinForm | None = None,
    error: object = None,
    status: int = 200,
) -> Any:
    person_form = PersonForm(formdata=None)
    people = _without_login(outlet)
    person_form.member.choices = [SelectChoice(str(m.uuid), m.full_name) for m in people]
    return (
        render(
            "staff/logins.html",
            outlet=outlet,
            people=logins.till_logins(outlet),
            person_form=person_form,
            pin_form=pin_form or OwnPinForm(formdata=None),
            confirm=ActiveForm(formdata=None),
            handed=handed,
            error=error,
            can_add=bool(people),
        ),
        status,
    )


@bp.route("/staff/logins")
@allow(R.MANAGER)
def till_logins() -> ResponseReturnValue:
    return _logins_page(_manager_outlet())


@bp.route("/staff/logins/new", methods=["POST"])
@allow(R.MANAGER)
def login_new() -> ResponseReturnValue:
    outlet = _manager_outlet()
    form = PersonForm()
    form.member.choices = [SelectChoice(str(m.uuid), m.full_name) for m in _without_login(outlet)]
    if not form.validate():
        return _logins_page(outlet, error=_("Choose a person in the staff register without a login."), status=422)
    member = one_by_uuid(
        db.select(StaffMember).where(StaffMember.outlet_id == outlet.id), StaffMember, form.member.data
    )
    try:
        with attempt():
            handed = logins.create_cashier(outlet, member, current_user)
    except PosError as exc:
        return _logins_page(outlet, error=str(exc), status=exc.status)
    return _logins_page(outlet, handed=handed)


def _login(outlet: Outlet, key: str) -> User:
    try:
        return logins.login_of(outlet, key)
    except PosError:
        abort(404)


@bp.route("/staff/logins/<user_uuid>/pin", methods=["POST"])
@allow(R.MANAGER)
def login_pin(user_uuid: str) -> ResponseReturnValue:
    outlet = _manager_outlet()
    user = _login(outlet, user_uuid)
    if not ConfirmForm().validate():
        abort(400)
    try:
        with attempt():
            pin = logins.reset_pin(user, current_user)
    except PosError as exc:
        return _logins_page(outlet, error=str(exc), status=exc.status)
    return _logins_page(outlet, handed=(user, pin))


@bp.route("/staff/logins/<user_uuid>/active", methods=["POST"])
@allow(R.MANAGER)
def login_active(user_uuid: str) -> ResponseReturnValue:
    outlet = _manager_outlet()
    user = _login(outlet, user_uuid)
    form = ActiveForm()
    if not form.validate():
        abort(400)
    try:
        with attempt():
            logins.set_active(user, form.active.data == "1", current_user)
    except PosError as exc:
        return _logins_page(outlet, error=str(exc), status=exc.status)
    message = _("%(name)s can sign in again.") if user.active else _("%(name)s can no longer sign in.")
    flash(message % {"name": user.full_name}, "success")
    return redirect(url_for("staff.till_logins"), 303)


@bp.route("/staff/logins/my-pin", methods=["POST"])
@allow(R.MANAGER)
def own_pin() -> ResponseReturnValue:
    outlet = _manager_outlet()
    form = OwnPinForm()
    if not form.validate():
        return _logins_page(outlet, pin_form=form, error=first_error(form), status=422)
    try:
        with attempt():
            logins.set_own_pin(current_user, form.password.data or "", form.pin.data or "")
    except PosError as exc:
        return _logins_page(outlet, pin_form=form, error=str(exc), status=exc.status)
    flash(_("Your approval PIN is set."), "success")
    return redirect(url_for("staff.till_logins"), 303)
