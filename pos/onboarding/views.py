"""Onboarding pages for the central office and the administrator. Central is the system of record for
organisations and logins, so an outlet node does not serve them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func
from wtforms.fields.choices import SelectChoice

from pos.core.errors import PosError
from pos.extensions import db
from pos.models import Category, Cooperative, Investor, Outlet, Register, Role, User
from pos.onboarding import checklist, organisations
from pos.onboarding.forms import CategoryForm, CooperativeForm, InvestorForm, OutletForm, RegisterForm, UserForm
from pos.web.access import allow
from pos.web.forms import ConfirmForm, Form, first_error, url_args
from pos.web.htmx import render
from pos.web.templating import ROLE_LABELS
from pos.web.transaction import attempt

bp = Blueprint("onboarding", __name__, url_prefix="/setup")
R = Role
SETUP = (R.CENTRAL, R.ADMIN)


def syncing() -> bool:
    """Outlets sync to this server (central); a single all-in-one server has no nodes to set up."""
    return current_app.config.get("POS_ROLE") == "central"


def _steps(outlet: Outlet) -> list[checklist.Step]:
    return checklist.steps(outlet, syncing=syncing())


@bp.route("")
@allow(*SETUP)
def index() -> ResponseReturnValue:
    outlets = db.session.scalars(db.select(Outlet).order_by(Outlet.name)).all()
    cooperatives = db.session.scalars(db.select(Cooperative).order_by(Cooperative.name)).all()
    investors = db.session.scalars(db.select(Investor).order_by(Investor.name)).all()
    categories = db.session.scalars(db.select(Category).order_by(Category.name)).all()
    logins = dict(db.session.execute(db.select(User.role, func.count(User.id)).group_by(User.role)).all())
    progress = {o.id: _steps(o) for o in outlets}
    return render(
        "onboarding/index.html",
        outlets=outlets,
        cooperatives=cooperatives,
        investors=investors,
        categories=categories,
        logins=logins,
        steps_of=progress,
        role_labels=ROLE_LABELS,
    )


def _form_page(form: Form, title: str, back: str, error: object = None, status: int = 200, **extra: Any) -> Any:
    return render("onboarding/form.html", form=form, title=title, back=back, error=error, **extra), status


def _create(form: Form, title: str, back: str, work: Callable[[], tuple[str, str]]) -> ResponseReturnValue:
    """A form posted: checked, the operation attempted (nothing kept when refused), then on to what was made."""
    if not form.validate():
        return _form_page(form, title, back, first_error(form), 422)
    try:
        with attempt():
            message, target = work()
    except PosError as exc:
        return _form_page(form, title, back, str(exc), exc.status)
    flash(message, "success")
    return redirect(target, 303)


@bp.route("/cooperatives/new", methods=["GET", "POST"])
@allow(*SETUP)
def cooperative_new() -> ResponseReturnValue:
    form = CooperativeForm()
    title = _("New cooperative")
    if request.method == "GET":
        return _form_page(form, title, url_for(".index"))

    def work() -> tuple[str, str]:
        data = organisations.CooperativeData(
            form.code.data or "",
            form.name.data or "",
            form.region.data or "",
            form.address.data or "",
            form.chair_name.data or "",
        )
        coop = organisations.create_cooperative(data, current_user)
        return _("Cooperative %(name)s created.", name=coop.name), url_for(".outlet_new", cooperative=coop.code)

    return _create(form, title, url_for(".index"), work)


def _outlet_form() -> OutletForm:
    form = OutletForm()
    form.cooperative.choices = [
        SelectChoice(c.id, f"{c.name} ({c.code})")
        for c in db.session.scalars(db.select(Cooperative).order_by(Cooperative.name))
    ]
    return form


@bp.route("/outlets/new", methods=["GET", "POST"])
@allow(*SETUP)
def outlet_new() -> ResponseReturnValue:
    form = _outlet_form()
    title = _("New outlet")
    if not form.cooperative.choices:
        flash(_("Create the cooperative first."), "error")
        return redirect(url_for(".cooperative_new"), 303)
    if request.method == "GET":
        chosen = db.session.scalar(db.select(Cooperative.id).where(Cooperative.code == url_args().text("cooperative")))
        if chosen:
            form.cooperative.data = chosen
        return _form_page(form, title, url_for(".index"), note=_("The outlet gets its first register, Kasir 1."))

    def work() -> tuple[str, str]:
        data = organisations.OutletData(
            form.code.data or "",
            form.name.data or "",
            form.cooperative.data or 0,
            form.address.data or "",
            form.timezone.data or "Asia/Jakarta",
        )
        outlet = organisations.create_outlet(data, current_user)
        return _("Outlet %(name)s created with its first register.", name=outlet.name), url_for(
            ".outlet_detail", code=outlet.code
        )

    return _create(form, title, url_for(".index"), work)


def _outlet(code: str) -> Outlet:
    outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == code[:20]))
    if outlet is None:
        abort(404)
    return outlet


@bp.route("/outlets/<code>")
@allow(*SETUP)
def outlet_detail(code: str) -> ResponseReturnValue:
    outlet = _outlet(code)
    return _outlet_page(outlet, RegisterForm(formdata=None))


def _outlet_page(outlet: Outlet, form: RegisterForm, error: object = None, status: int = 200) -> Any:
    registers = db.session.scalars(
        db.select(Register).where(Register.outlet_id == outlet.id).order_by(Register.code)
    ).all()
    people = db.session.scalars(
        db.select(User).where(User.outlet_id == outlet.id).order_by(User.role, User.full_name)
    ).all()
    return (
        render(
            "onboarding/outlet.html",
            outlet=outlet,
            steps=_steps(outlet),
            registers=registers,
            people=people,
            form=form,
            error=error,
            role_labels=ROLE_LABELS,
        ),
        status,
    )


@bp.route("/outlets/<code>/registers", methods=["POST"])
@allow(*SETUP)
def register_new(code: str) -> ResponseReturnValue:
    outlet = _outlet(code)
    form = RegisterForm()
    if not form.validate():
        return _outlet_page(outlet, form, first_error(form), 422)
    try:
        with attempt():
            register = organisations.create_register(outlet, form.code.data or "", form.name.data or "", current_user)
    except PosError as exc:
        return _outlet_page(outlet, form, str(exc), exc.status)
    flash(_("Register %(name)s added.", name=register.name), "success")
    return redirect(url_for(".outlet_detail", code=outlet.code), 303)


@bp.route("/investors/new", methods=["GET", "POST"])
@allow(*SETUP)
def investor_new() -> ResponseReturnValue:
    form = InvestorForm()
    title = _("New investor")
    if request.method == "GET":
        return _form_page(form, title, url_for(".index"))

    def work() -> tuple[str, str]:
        data = organisations.InvestorData(
            form.code.data or "",
            form.name.data or "",
            form.contact_name.data or "",
            form.phone.data or "",
            form.address.data or "",
        )
        investor = organisations.create_investor(data, current_user)
        if form.username.data or form.password.data:
            account = organisations.AccountData(
                username=form.username.data or "",
                full_name=form.contact_name.data or investor.name,
                role=R.INVESTOR,
                investor_id=investor.id,
                password=form.password.data or None,
            )
            organisations.create_user(account, current_user)
        return _("Investor %(name)s created.", name=investor.name), url_for(".index")

    return _create(form, title, url_for(".index"), work)


@bp.route("/categories/new", methods=["GET", "POST"])
@allow(*SETUP)
def category_new() -> ResponseReturnValue:
    form = CategoryForm()
    title = _("New category")
    if request.method == "GET":
        return _form_page(form, title, url_for(".index"))

    def work() -> tuple[str, str]:
        category = organisations.create_category(form.code.data or "", form.name.data or "", current_user)
        return _("Category %(name)s created.", name=category.name), url_for(".index")

    return _create(form, title, url_for(".index"), work)


def _user_form() -> UserForm:
    form = UserForm()
    roles = [r for r in Role if current_user.role == R.ADMIN or r not in (R.ADMIN, R.CENTRAL)]
    form.role.choices = [SelectChoice(r.value, str(ROLE_LABELS[r])) for r in roles]
    none = SelectChoice(0, "—")
    form.outlet.choices = [none] + [
        SelectChoice(o.id, f"{o.name} ({o.code})") for o in db.session.scalars(db.select(Outlet).order_by(Outlet.name))
    ]
    form.cooperative.choices = [none] + [
        SelectChoice(c.id, c.name) for c in db.session.scalars(db.select(Cooperative).order_by(Cooperative.name))
    ]
    form.investor.choices = [none] + [
        SelectChoice(i.id, i.name) for i in db.session.scalars(db.select(Investor).order_by(Investor.name))
    ]
    return form


@bp.route("/users")
@allow(*SETUP)
def users() -> ResponseReturnValue:
    role = url_args().text("role") or ""
    query = db.select(User).order_by(User.role, User.username)
    if role in {r.value for r in Role}:
        query = query.where(User.role == Role(role))
    return render(
        "onboarding/users.html", people=db.session.scalars(query.limit(2000)).all(), role=role, role_labels=ROLE_LABELS
    )


@bp.route("/users/new", methods=["GET", "POST"])
@allow(*SETUP)
def user_new() -> ResponseReturnValue:
    form = _user_form()
    title = _("New login")
    if request.method == "GET":
        outlet = db.session.scalar(db.select(Outlet.id).where(Outlet.code == (url_args().text("outlet") or "")))
        if outlet:
            form.outlet.data = outlet
            form.role.data = url_args().text("role") or R.CASHIER.value
        return _form_page(form, title, url_for(".users"))

    def work() -> tuple[str, str]:
        account = organisations.AccountData(
            username=form.username.data or "",
            full_name=form.full_name.data or "",
            role=Role(form.role.data),
            outlet_id=form.outlet.data or None,
            cooperative_id=form.cooperative.data or None,
            investor_id=form.investor.data or None,
            password=form.password.data or None,
            pin=form.pin.data or None,
        )
        user = organisations.create_user(account, current_user)
        target = url_for(".outlet_detail", code=user.outlet.code) if user.outlet else url_for(".users")
        return _("Login %(name)s created.", name=user.username), target

    return _create(form, title, url_for(".users"), work)


def _user(user_uuid: str) -> User:
    import uuid

    try:
        key = uuid.UUID(user_uuid)
    except ValueError:
        abort(404)
    user = db.session.scalar(db.select(User).where(User.uuid == key))
    if user is None:
        abort(404)
    return user


def _user_page(user: User, handed: tuple[str, str] | None = None, error: object = None, status: int = 200) -> Any:
    return (
        render(
            "onboarding/user.html",
            person=user,
            handed=handed,
            error=error,
            confirm=ConfirmForm(formdata=None),
            role_labels=ROLE_LABELS,
        ),
        status,
    )


@bp.route("/users/<user_uuid>")
@allow(*SETUP)
def user_detail(user_uuid: str) -> ResponseReturnValue:
    return _user_page(_user(user_uuid))


@bp.route("/users/<user_uuid>/reset", methods=["POST"])
@allow(*SETUP)
def user_reset(user_uuid: str) -> ResponseReturnValue:
    user = _user(user_uuid)
    if not ConfirmForm().validate():
        abort(400)
    try:
        with attempt():
            handed = organisations.reset_secret(user, current_user)
    except PosError as exc:
        return _user_page(user, error=str(exc), status=exc.status)
    return _user_page(user, handed=handed)


@bp.route("/users/<user_uuid>/active", methods=["POST"])
@allow(*SETUP)
def user_active(user_uuid: str) -> ResponseReturnValue:
    user = _user(user_uuid)
    wanted = request.form.get("active")
    if not ConfirmForm().validate() or wanted not in ("0", "1"):
        abort(400)
    try:
        with attempt():
            organisations.set_active(user, wanted == "1", current_user)
    except PosError as exc:
        return _user_page(user, error=str(exc), status=exc.status)
    message = _("%(name)s can sign in again.") if user.active else _("%(name)s can no longer sign in.")
    flash(message % {"name": user.full_name}, "success")
    return redirect(url_for(".user_detail", user_uuid=user.uuid), 303)
