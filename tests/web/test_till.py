"""The till at the server: a scan sent again is applied once, the changed line is marked, the drawer is counted
blind, an empty register names the last sale."""

from __future__ import annotations

from flask import Flask

from pos.extensions import db
from pos.models import Outlet
from tests.web.checkout_helpers import AQUA, MIE, open_shift, pay


def test_a_scan_sent_again_is_applied_once(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    open_shift(client, app)
    for _ in range(3):  # the answer was lost twice: the till sends the same scan again
        page = client.post("/cashier/scan", {"code": MIE, "scan_id": "scan-1"}, htmx=True).get_data(as_text=True)
        assert "1 baris · 1 barang" in page
    page = client.post("/cashier/scan", {"code": MIE, "scan_id": "scan-2"}, htmx=True).get_data(as_text=True)
    assert "1 baris · 2 barang" in page and 'class="cart-line changed"' in page
    assert client.post("/cashier/scan", {"code": MIE, "scan_id": "bad id!"}, htmx=True).status_code == 422


def test_the_drawer_is_counted_blind_unless_the_outlet_shows_the_expected_cash(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    open_shift(client, app, float_="123400")
    page = client.get("/cashier/shift/close").get_data(as_text=True)
    assert "Rp123.400" not in page and "data-expected" not in page and "Hitung laci dulu" in page
    short = client.post("/cashier/shift/close", {"n50000": "1"})  # 73.400 short: needs the manager
    text = short.get_data(as_text=True)
    assert short.status_code == 422 and "Rp123.400" in text and "-Rp73.400" in text
    with app.app_context():
        outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-CPR"))
        assert outlet is not None
        outlet.show_expected_cash = True
        db.session.commit()
    assert "Rp123.400" in client.get("/cashier/shift/close").get_data(as_text=True)


def test_an_empty_register_names_the_last_sale(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    open_shift(client, app)
    assert "Transaksi terakhir tersimpan" not in client.get("/cashier").get_data(as_text=True)
    client.post("/cashier/scan", {"code": AQUA}, htmx=True)
    pay(client, app, cash="4000")
    page = client.get("/cashier").get_data(as_text=True)
    assert "Transaksi terakhir tersimpan" in page and "Rp4.000" in page
