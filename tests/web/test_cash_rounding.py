"""Cash rounding per outlet: the cash part of a payment goes to Rp100 or Rp500 as the sale's own line, shown on the
pay screen, the receipt, the sale and the Z report; fee and investor share never change; a void gives it back.
The manager sets it (with the blind count) on the till settings page, audited and sent to central."""

from __future__ import annotations

import json
import re
import uuid

from flask import Flask

from pos.extensions import db
from pos.models import AuditEvent, OutboxEvent, Outlet, Product, Sale
from tests.web.checkout_helpers import AQUA, open_shift, pay, receipt_uuid


def _rounding(app: Flask, step: int) -> None:
    with app.app_context():
        outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-CPR"))
        assert outlet is not None
        outlet.cash_rounding = step
        db.session.commit()


def _rice(app: Flask) -> int:
    with app.app_context():
        rice = db.session.scalar(db.select(Product).where(Product.sku == "BRS-CURAH"))
        assert rice is not None
        return rice.id


def _sale(app: Flask, sale_uuid: str) -> Sale:
    with app.app_context():
        sale = db.session.scalar(db.select(Sale).where(Sale.uuid == uuid.UUID(sale_uuid)))
        assert sale is not None
        sale.lines, sale.payments  # noqa: B018 - loaded before the session closes
        db.session.expunge_all()
        return sale


def test_cash_is_rounded_to_the_outlets_step_as_its_own_line(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    _rounding(app, 100)
    client = login_as("kasir_pw")
    open_shift(client, app, float_="100000")
    client.post(f"/cashier/products/{_rice(app)}/add", {"quantity": "1,234"}, htmx=True)  # 1.234 kg × Rp13.500
    page = client.get("/cashier/pay").get_data(as_text=True)
    assert "Rp16.659" in page and "Tunai: Rp16.700" in page and "+Rp41" in page
    assert 'name="cash" value="16700"' in page  # "Exact" is the rounded cash
    short = pay(client, app, cash="16659")
    assert short.status_code == 422 and "kurang" in short.get_data(as_text=True).lower()
    sale_uuid = receipt_uuid(pay(client, app, cash="20000"))
    sale = _sale(app, sale_uuid)
    assert (sale.total, sale.rounding, sale.paid, sale.change) == (16_659, 41, 20_000, 3_300)
    assert sale.fee + sale.investor_share == sale.total == sum(ln.net for ln in sale.lines)  # goods only
    receipt = client.get(f"/cashier/receipt/{sale_uuid}").get_data(as_text=True)
    assert "Pembulatan" in receipt and "+Rp41" in receipt and "Rp16.700" in receipt and "Rp3.300" in receipt
    assert "+Rp41" in client.get(f"/cashier/sales/{sale_uuid}").get_data(as_text=True)
    with app.app_context():
        event = db.session.scalars(
            db.select(OutboxEvent).where(OutboxEvent.event_type == "sale.completed").order_by(OutboxEvent.id.desc())
        ).first()
        assert event is not None and json.loads(event.payload)["rounding"] == 41
    drawer = {"n100000": "1", "n10000": "1", "n5000": "1", "n1000": "1", "n500": "1", "n200": "1"}
    closed = client.post("/cashier/shift/close", drawer)  # 100.000 + 16.700 in the drawer: no difference
    assert closed.status_code == 303, closed.get_data(as_text=True)[:500]
    z = client.get(closed.headers["Location"]).get_data(as_text=True)
    assert "Pembulatan tunai" in z and "+Rp41" in z and "Rp116.700" in z


def test_a_void_gives_back_the_rounding_and_qris_is_never_rounded(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    _rounding(app, 500)
    client = login_as("kasir_pw")
    open_shift(client, app)
    client.post(f"/cashier/products/{_rice(app)}/add", {"quantity": "1,234"}, htmx=True)
    sale_uuid = receipt_uuid(pay(client, app, cash="16500"))  # Rp16.659 to the nearest Rp500: Rp16.500
    assert _sale(app, sale_uuid).rounding == -159
    page = client.get(f"/cashier/sales/{sale_uuid}").get_data(as_text=True)
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    voided = client.post(
        f"/cashier/sales/{sale_uuid}/void", {"key": key, "reason": "salah timbang", "manager_pin": "9999"}
    )
    assert voided.status_code == 303, voided.get_data(as_text=True)[:500]
    with app.app_context():
        void = db.session.scalar(db.select(Sale).where(Sale.kind == "void"))
        assert void is not None
        assert (void.total, void.rounding, void.paid) == (-16_659, 159, -16_500)  # exactly what was taken
    client.post("/cashier/scan", {"code": AQUA}, htmx=True)
    client.post("/cashier/scan", {"code": AQUA}, htmx=True)
    client.post(f"/cashier/products/{_rice(app)}/add", {"quantity": "1,234"}, htmx=True)
    with app.app_context():
        outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-CPR"))
        assert outlet is not None
        outlet.qris_static = None
        db.session.commit()
    transfer = receipt_uuid(pay(client, app, transfer="24659", transfer_reference="BCA 1234"))
    assert _sale(app, transfer).rounding == 0  # nothing is due in cash: nothing is rounded


def test_the_manager_sets_rounding_and_the_blind_count(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("manajer")
    page = client.get("/cashier/settings")
    assert page.status_code == 200 and "Pembulatan tunai" in page.get_data(as_text=True)
    for bad in ({"till-cash_rounding": "50"}, {"till-cash_rounding": "abc"}, {"till-cash_rounding": "100" * 30}):
        refused = client.post("/cashier/settings", bad)
        assert refused.status_code == 422, bad
    saved = client.post("/cashier/settings", {"till-cash_rounding": "500", "till-show_expected_cash": "y"})
    assert saved.status_code == 303
    with app.app_context():
        outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-CPR"))
        assert outlet is not None and outlet.cash_rounding == 500 and outlet.show_expected_cash
        assert outlet.settings_updated_at is not None
        trail = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "till_settings")).all()
        assert len(trail) == 1 and "cash_rounding=500" in trail[0].detail
        sent = db.session.scalars(db.select(OutboxEvent).where(OutboxEvent.event_type == "outlet.settings")).all()
        assert len(sent) == 1 and json.loads(sent[0].payload)["cash_rounding"] == 500
    assert (
        client.post("/cashier/settings", {"till-cash_rounding": "500", "till-show_expected_cash": "y"}).status_code
        == 303
    )
    with app.app_context():  # nothing changed: nothing audited or sent again
        assert db.session.query(OutboxEvent).where(OutboxEvent.event_type == "outlet.settings").count() == 1
    bad_qris = client.post("/cashier/settings/qris", {"qris-payload": "000201 not a qris"})
    assert bad_qris.status_code == 422 and "QRIS" in bad_qris.get_data(as_text=True)
    cashier = login_as("kasir_pw")
    assert cashier.get("/cashier/settings").status_code == 403


def test_a_pull_never_undoes_a_newer_setting_of_the_node(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    from pos.sync.codecs import CODECS

    client = login_as("manajer")
    assert client.post("/cashier/settings", {"till-cash_rounding": "100"}).status_code == 303
    with app.app_context():
        outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-CPR"))
        assert outlet is not None
        key, codec = str(outlet.uuid), CODECS["outlet"]
        central_copy = codec.snapshot(outlet, None)
        # central renamed the outlet and never saw the manager's change (its copy has no settings time)
        stale = {**central_copy, "name": "Gerai Cepuri Baru", "cash_rounding": 0, "settings_updated_at": None}
        codec.apply(key, stale, "SRG-CPR")
        assert (outlet.name, outlet.cash_rounding) == ("Gerai Cepuri Baru", 100)
        older = {**stale, "cash_rounding": 500, "settings_updated_at": "2020-01-01T00:00:00+00:00"}
        codec.apply(key, older, "SRG-CPR")
        assert outlet.cash_rounding == 100
        newer = {**stale, "cash_rounding": 500, "settings_updated_at": "2099-01-01T00:00:00+00:00"}
        codec.apply(key, newer, "SRG-CPR")
        assert outlet.cash_rounding == 500
        db.session.rollback()
