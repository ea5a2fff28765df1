"""Password and PIN login, logout, language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from pos.auth import accounts
from pos.auth.forms import LanguageForm, LoginForm, PinForm
from pos.extensions import db, limiter, login_manager
from pos.models import Outlet, User
from pos.web.access import public
from pos.web.forms import local_path, url_args
from pos.web.htmx import render

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(token: str) -> User | None:
    user = accounts.user_for_session(token)
    if user is not None:
        user.session_token = token
    return user


def _safe_next(target: str | None) -> str:
    return local_path(target, url_for("home.index"))


def _begin(user: User, method: str) -> None:
    token = accounts.start_session(user, method, accounts.policy())
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    user.session_token = token
    login_user(user)


def _refusal(error: accounts.AuthError) -> str:
    """One answer for a wrong password, an unknown name and a locked account: the login page never tells
    which names exist (a real account still locks after repeated failures)."""
    return _("The username or password is wrong, or the account is locked for a while after too many wrong attempts.")


def pin_outlet() -> Outlet | None:
    if current_app.config["POS_ROLE"] == "central":
        return None
    code = current_app.config["POS_OUTLET_CODE"] or url_args().text("outlet")
    query = db.select(Outlet).where(Outlet.active.is_(True))
    if code:
        return db.session.scalar(query.where(Outlet.code == code))
    outlets = db.session.scalars(query.limit(2)).all()
    return outlets[0] if len(outlets) == 1 else None


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit("30/minute", methods=["POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("home.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = url_args().text("next") or ""
    error = None
    status = 200
    if form.validate_on_submit():
        try:
            user = accounts.login_with_password(form.username.data, form.password.data, accounts.policy())
        except accounts.AuthError as exc:
            error, status = _refusal(exc), 401
        else:
            _begin(user, "password")
            return redirect(_safe_next(form.next.data))
    elif request.method == "POST":
        status = 422
    outlets: list[Outlet] = []
    outlet = pin_outlet()
    if outlet is None and current_app.config["POS_ROLE"] != "central":
        outlets = list(db.session.scalars(db.select(Outlet).where(Outlet.active.is_(True))))
    cashiers = accounts.pin_users(outlet.id) if outlet else []
    return (
        render(
            "auth/login.html",
            form=form,
            error=error,
            outlet=outlet,
            outlets=outlets,
            cashiers=cashiers,
        ),
        status,
    )


@bp.route("/login/pin/<user_uuid>", methods=["GET", "POST"])
@public
@limiter.limit("30/minute", methods=["POST"])
def pin_login(user_uuid: str) -> ResponseReturnValue:
    outlet = pin_outlet()
    if outlet is None:
        abort(404)
    cashier = accounts.cashier_at(user_uuid, outlet.id)
    if cashier is None or not cashier.active:
        abort(404)
    form = PinForm()
    error = None
    status = 200
    if form.validate_on_submit():
        try:
            user = accounts.login_with_pin(user_uuid, form.pin.data, outlet.id, accounts.policy())
        except accounts.AuthError as exc:
            status = 401
            error = {
                "locked": _("Too many wrong attempts. This account is locked for a while; ask your manager."),
                "short_pin": _(
                    "PINs of 4 digits are no longer accepted here: ask your manager for a new PIN of 6 digits."
                ),
            }.get(exc.reason, _("Wrong PIN. Try again."))
        else:
            _begin(user, "pin")
            return redirect(url_for("home.index"))
    elif request.method == "POST":
        status = 422
    return render("auth/pin.html", form=form, cashier=cashier, outlet=outlet, error=error), status


@bp.route("/logout", methods=["POST"])
@public
def logout() -> ResponseReturnValue:
    if current_user.is_authenticated and current_user.session_token:
        accounts.end_session(current_user.session_token)
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
@public
def language() -> ResponseReturnValue:
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    session["lang"] = form.language.data
    if current_user.is_authenticated:
        current_user.language = form.language.data
    return redirect(_safe_next(form.next.data or (request.referrer and urlsplit(request.referrer).path)))
