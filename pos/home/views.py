"""Landing pages: each role starts where its work is."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import func

from pos.extensions import db
from pos.models import Cooperative, Investor, Outlet, Product, Role, User
from pos.stock import catalog
from pos.web.access import ALL_ROLES, allow, scope_for
from pos.web.htmx import render

bp = Blueprint("home", __name__)

R = Role


@bp.route("/")
@allow(*ALL_ROLES)
def index():  # type: ignore[no-untyped-def]
    if current_user.role in (R.CASHIER, R.MANAGER) and "cashier.register" in current_app.view_functions:
        return redirect(url_for("cashier.register"))
    return redirect(url_for("home.dashboard"))


@bp.route("/dashboard")
@allow(*ALL_ROLES)
def dashboard():  # type: ignore[no-untyped-def]
    scope = scope_for(current_user)
    outlets = db.select(func.count(Outlet.id))
    if scope.outlet_ids is not None:
        outlets = outlets.where(Outlet.id.in_(scope.outlet_ids))
    products = db.select(func.count(Product.id)).where(Product.active.is_(True))
    if scope.investor_ids is not None:
        products = products.where(Product.investor_id.in_(scope.investor_ids))
    figures = {
        "outlets": db.session.scalar(outlets) or 0,
        "products": db.session.scalar(products) or 0,
    }
    if scope.investor_ids is None:
        figures["investors"] = db.session.scalar(db.select(func.count(Investor.id))) or 0
    if current_user.role in (R.CENTRAL, R.ADMIN):
        figures["cooperatives"] = db.session.scalar(db.select(func.count(Cooperative.id))) or 0
        figures["users"] = db.session.scalar(db.select(func.count(User.id))) or 0
    return render("home/dashboard.html", figures=figures)


@bp.route("/products")
@allow(R.MANAGER, R.INVESTOR, R.CENTRAL, R.ADMIN)
def products():  # type: ignore[no-untyped-def]
    text = request.args.get("q", "")
    page_number = request.args.get("page", "1")
    page = catalog.search_products(scope_for(current_user), text, int(page_number) if page_number.isdigit() else 1)
    return render("home/products.html", "results", page=page, q=text)


@bp.route("/outlets")
@allow(R.BOARD, R.CENTRAL, R.ADMIN, R.FACILITATOR, R.MANAGER)
def outlets():  # type: ignore[no-untyped-def]
    scope = scope_for(current_user)
    query = db.select(Outlet).join(Outlet.cooperative).order_by(Cooperative.name, Outlet.name)
    if scope.outlet_ids is not None:
        query = query.where(Outlet.id.in_(scope.outlet_ids))
    return render("home/outlets.html", outlets=db.session.scalars(query).all())
