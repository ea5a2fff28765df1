"""Helpers for cashier tests: open a shift, scan, pay."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from pos.extensions import db
from pos.models import Cart, Product, Register, Sale, User
from tests.conftest import Client

MIE = "8991001003010"  # Indomie Mi Goreng, Rp3.500
AQUA = "8992002001012"  # Aqua 600 ml, Rp4.000 (investor MNS)


def barcode(app: Flask, sku: str) -> str:
    with app.app_context():
        product = db.session.scalar(db.select(Product).where(Product.sku == sku))
        assert product is not None and product.barcode
        return product.barcode


def open_shift(client: Client, app: Flask, float_: str = "200000", register: str = "KASIR-1") -> Any:
    with app.app_context():
        reg = db.session.scalar(db.select(Register).where(Register.code == register, Register.outlet_id == 1))
        assert reg is not None
        reg_id = reg.id
    response = client.post("/cashier/shift/open", {"register": reg_id, "opening_float": float_})
    assert response.status_code == 303, response.get_data(as_text=True)[:800]
    return response


def scan(client: Client, code: str, htmx: bool = True) -> Any:
    return client.post("/cashier/scan", {"code": code}, htmx=htmx)


def cart_state(app: Flask, username: str) -> tuple[str, int]:
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == username))
        cart = db.session.scalar(
            db.select(Cart).join(Cart.shift).where(Cart.closed.is_(False)).where(Cart.shift.has(cashier_id=user.id))
        )
        assert cart is not None
        return str(cart.uuid), cart.revision


def pay(client: Client, app: Flask, username: str = "kasir_pw", **fields: Any) -> Any:
    key, revision = cart_state(app, username)
    data = {"key": key, "revision": revision, **fields}
    return client.post("/cashier/pay", data)


def last_sale(app: Flask) -> Sale:
    with app.app_context():
        sale = db.session.scalar(db.select(Sale).order_by(Sale.id.desc()).limit(1))
        assert sale is not None
        db.session.expunge_all()
        return sale


def receipt_uuid(response: Any) -> str:
    match = re.search(r"/cashier/receipt/([0-9a-f-]{36})", response.headers["Location"])
    assert match
    return match.group(1)


def today_sales() -> int:
    """Sales made today (the demo's recorded history ends yesterday). Call inside an app context."""
    from pos.core.clock import business_date
    from pos.models import Outlet

    outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-CPR"))
    assert outlet is not None
    return db.session.query(Sale).where(Sale.business_date == business_date(outlet.timezone)).count()
