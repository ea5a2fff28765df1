"""The cashier's day through the test client: shift, scan, cart, pay, receipt."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
import time_machine
from flask import Flask
from sqlalchemy import func

from pos.core import clock
from pos.extensions import db
from pos.models import AuditEvent, OutboxEvent, Payment, Sale, SaleLine, StockBalance, StockMovement
from pos.stock import ledger
from tests.conftest import Client
from tests.web.checkout_helpers import (
    AQUA,
    MIE,
    barcode,
    cart_state,
    last_sale,
    open_shift,
    pay,
    receipt_uuid,
    scan,
    today_sales,
)


def test_cashier_without_shift_is_asked_to_open_one(login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    response = client.get("/cashier")
    assert response.status_code == 302 and response.headers["Location"].endswith("/cashier/shift/open")
    page = client.get("/cashier/shift/open").get_data(as_text=True)
    assert "Buka sesi" in page and "Kasir 1" in page


def test_open_shift_rejects_bad_floats(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    for bad in ["-5", "12,5", "abc", ""]:
        response = client.post("/cashier/shift/open", {"register": 1, "opening_float": bad})
        assert response.status_code == 422, bad
    response = client.post("/cashier/shift/open", {"register": 999, "opening_float": "100"})
    assert response.status_code == 422


def test_scan_adds_one_and_scanning_again_adds_another(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    open_shift(client, app)
    first = scan(client, MIE)
    assert first.status_code == 200
    body = first.get_data(as_text=True)
    assert 'id="cart"' in body and "<html" not in body  # a fragment for htmx
    assert "Indomie Mi Goreng" in body and "Rp3.500" in body
    second = scan(client, MIE).get_data(as_text=True)
    assert '<span class="qty">2</span>' in second and "Rp7.000" in second
    assert "HX-Request" in first.headers["Vary"]
    third = scan(client, AQUA).get_data(as_text=True)
    assert "2 baris · 3 barang" in third  # lines and units, not units alone


def test_plain_form_scan_redirects_to_the_register(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    open_shift(client, app)
    response = scan(client, MIE, htmx=False)
    assert response.status_code == 303
    page = client.get("/cashier").get_data(as_text=True)
    assert "Indomie Mi Goreng" in page and "<html" in page


def test_unknown_barcode_gets_a_clear_message(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    open_shift(client, app)
    response = scan(client, "1234567890128")
    assert response.status_code == 404
    assert "Barcode tidak dikenal" in response.get_data(as_text=True)
    assert response.headers["HX-Retarget"] == "#flash"
    # the title and the message are two lines, each a sentence of its own (not "Tidak ditemukan Barcode ...")
    toast = response.get_data(as_text=True)
    assert '<strong class="toast-title">Tidak ditemukan</strong>' in toast
    assert '<span class="toast-text">Barcode tidak dikenal: 1234567890128.</span>' in toast


def test_another_outlets_product_cannot_be_sold(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    open_shift(client, app)
    assert scan(client, "8993000000014").status_code == 404


def test_typing_a_name_searches(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    open_shift(client, app)
    response = client.hx("/cashier/search?q=indomie")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Indomie Mi Goreng" in body and "Indomie Soto Mie" in body and "Aqua" not in body


def test_weighed_goods_take_a_quantity_in_kg(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    open_shift(client, app)
    with app.app_context():
        from pos.models import Product

        rice = db.session.scalar(db.select(Product).where(Product.sku == "BRS-CURAH"))
        assert rice is not None
        rice_id = rice.id
    dialog = client.hx(f"/cashier/products/{rice_id}/quantity")
    assert "kg" in dialog.get_data(as_text=True)
    added = client.post(f"/cashier/products/{rice_id}/add", {"quantity": "1,25"}, htmx=True)
    assert added.status_code == 200
    assert "Rp16.875" in added.get_data(as_text=True)  # 1.25 kg x Rp13.500
    for bad in ["abc", "-1", "0", "1,2345", "1e3"]:
        assert client.post(f"/cashier/products/{rice_id}/add", {"quantity": bad}, htmx=True).status_code == 422


def test_whole_units_refuse_fractions(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    open_shift(client, app)
    scan(client, MIE)
    with app.app_context():
        from pos.models import CartLine

        line_id = db.session.scalar(db.select(CartLine.id))
    for bad in ["1,5", "-2", "abc", "99999999999"]:
        response = client.post(f"/cashier/lines/{line_id}/quantity", {"quantity": bad}, htmx=True)
        assert response.status_code == 422, bad
    ok = client.post(f"/cashier/lines/{line_id}/quantity", {"quantity": "4"}, htmx=True)
    assert "Rp14.000" in ok.get_data(as_text=True)
    minus = client.post(f"/cashier/lines/{line_id}/quantity", {"delta": "-1"}, htmx=True)
    assert "Rp10.500" in minus.get_data(as_text=True)


@pytest.mark.dates
def test_cash_sale_writes_everything_in_one_transaction(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    open_shift(client, app)
    scan(client, MIE)
    scan(client, MIE)
    scan(client, AQUA)  # 2 x 3.500 + 4.000 = 11.000
    with app.app_context():
        before = ledger.on_hand(1, db.session.scalar(db.select(StockMovement.product_id).limit(1)))
    page = client.get("/cashier/pay").get_data(as_text=True)
    assert "Rp11.000" in page and "Rp15.000" in page and "Rp20.000" in page  # quick amounts
    response = pay(client, app, cash="20000")
    assert response.status_code == 303
    sale = last_sale(app)
    assert sale.total == 11_000 and sale.paid == 20_000 and sale.change == 9_000
    assert sale.receipt_no.startswith("SRG-CPR-") and sale.receipt_no.endswith("-0001")
    with app.app_context():
        lines = db.session.scalars(db.select(SaleLine).where(SaleLine.sale_id == sale.id)).all()
        assert [ln.net for ln in lines] == [7_000, 4_000]
        assert all(ln.fee + ln.investor_share == ln.net for ln in lines)
        assert [ln.fee_bp for ln in lines] == [1200, 1500]  # SRB 12%, MNS 15%
        assert [ln.fee for ln in lines] == [840, 600]
        payments = db.session.scalars(db.select(Payment).where(Payment.sale_id == sale.id)).all()
        assert sum(p.amount for p in payments) - sale.change == sale.total
        moves = db.session.scalars(db.select(StockMovement).where(StockMovement.document_uuid == sale.uuid)).all()
        assert sorted(m.quantity for m in moves) == [-2, -1]
        event = db.session.scalar(
            db.select(OutboxEvent)
            .where(OutboxEvent.event_type == "sale.completed")
            .order_by(OutboxEvent.seq.desc())
            .limit(1)
        )
        assert event is not None and str(sale.uuid) in event.payload
        for balance in db.session.scalars(db.select(StockBalance)):
            assert balance.quantity == ledger.ledger_sum(balance.outlet_id, balance.product_id)
        assert before is not None
    page = client.get(f"/cashier/receipt/{receipt_uuid(response)}?done=1").get_data(as_text=True)
    receipt = " ".join(re.sub(r"<[^>]+>", " ", page[page.index('<article class="receipt"') :]).split())
    for text in [  # as the paper reads it, a long name wrapped onto the next line
        "Gerai KMP Cipare",
        "Koperasi Kelurahan Merah Putih Cipare",
        sale.receipt_no,
        "Rp11.000",
        "Rp9.000",
    ]:
        assert text in receipt
    assert "Sandi" not in receipt  # the cashier's first name only


def test_paying_twice_makes_one_sale(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    open_shift(client, app)
    scan(client, MIE)
    from tests.web.checkout_helpers import cart_state

    key, revision = cart_state(app, "kasir_pw")
    first = client.post("/cashier/pay", {"key": key, "revision": revision, "cash": "5000"})
    again = client.post("/cashier/pay", {"key": key, "revision": revision, "cash": "5000"})
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    with app.app_context():
        assert today_sales() == 1


def test_paying_less_than_the_total_is_refused(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    open_shift(client, app)
    scan(client, MIE)
    response = pay(client, app, cash="3000")
    assert response.status_code == 422
    assert "kurang dari total" in response.get_data(as_text=True)
    for bad in [{"cash": "3500,5"}, {"cash": "-3500"}, {"cash": "abc"}]:
        assert pay(client, app, **bad).status_code == 422
    with app.app_context():
        assert today_sales() == 0


def test_stale_cart_revision_is_refused(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    open_shift(client, app)
    scan(client, MIE)
    from tests.web.checkout_helpers import cart_state

    key, revision = cart_state(app, "kasir_pw")
    scan(client, MIE)  # another tablet added an item meanwhile
    response = client.post("/cashier/pay", {"key": key, "revision": revision, "cash": "10000"})
    assert response.status_code == 409
    with app.app_context():
        assert today_sales() == 0


def test_qris_sale_needs_confirmation_and_shows_a_dynamic_code(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    open_shift(client, app)
    scan(client, AQUA)
    page = client.get("/cashier/pay?method=qris").get_data(as_text=True)
    assert "<svg" in page and "tidak dapat melihat pembayaran" in page
    assert pay(client, app, qris="4000").status_code == 422
    assert pay(client, app, qris="5000", qris_confirmed="y").status_code == 422  # more than total
    key, _revision = cart_state(app, "kasir_pw")
    response = pay(client, app, qris="4000", qris_confirmed="y")
    assert response.status_code == 303
    sale = last_sale(app)
    assert sale.change == 0 and sale.paid == 4000
    # the reference the QR code carried (tag 62.05) is stored on the payment and printed on the receipt
    reference = f"SRG-CPR-{key[-8:]}"
    with app.app_context():
        payment = db.session.scalar(db.select(Payment).where(Payment.sale_id == sale.id))
        assert payment is not None and payment.reference == reference
    assert reference in client.get(f"/cashier/receipt/{sale.uuid}").get_data(as_text=True)


def test_the_qris_code_is_drawn_only_for_the_qris_tab_and_once_per_amount(app: Flask, login_as, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import segno

    from pos.cashier.views import payment

    drawn: list[str] = []
    real = segno.make

    def counted(payload: str, **kw: object) -> object:
        drawn.append(payload)
        return real(payload, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(payment.segno, "make", counted)
    payment._drawn.cache_clear()
    client = login_as("kasir_pw")
    open_shift(client, app)
    scan(client, AQUA)
    assert client.get("/cashier/pay").status_code == 200 and drawn == []  # cash: no image drawn
    assert client.get("/cashier/pay?method=split").status_code == 200 and drawn == []
    for _ in range(2):
        assert "<svg" in client.get("/cashier/pay?method=qris").get_data(as_text=True)
    assert len(drawn) == 1
    scan(client, AQUA)  # another amount: another code
    assert "<svg" in client.get("/cashier/pay?method=qris").get_data(as_text=True) and len(drawn) == 2


def test_split_payment_cash_and_qris(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    open_shift(client, app)
    scan(client, MIE)
    scan(client, AQUA)  # 7.500
    fragment = client.hx("/cashier/qris?qris=5000")
    assert fragment.status_code == 200 and "<svg" in fragment.get_data(as_text=True)
    plain = client.get("/cashier/qris?qris=5000")  # without htmx: the payment page, split open
    assert plain.status_code == 302 and "method=split" in plain.headers["Location"]
    response = pay(client, app, qris="5000", qris_confirmed="y", cash="5000")
    assert response.status_code == 303
    sale = last_sale(app)
    assert sale.change == 2500
    with app.app_context():
        methods = {
            p.method.value: p.amount for p in db.session.scalars(db.select(Payment).where(Payment.sale_id == sale.id))
        }
        assert methods == {"cash": 5000, "qris": 5000}


def test_transfer_needs_a_reference(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    open_shift(client, app)
    scan(client, MIE)
    assert pay(client, app, transfer="3500").status_code == 422
    assert pay(client, app, transfer="3500", transfer_reference="BRI 123456").status_code == 303


def test_discount_above_limit_needs_the_manager_pin(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    open_shift(client, app)
    for _ in range(10):
        scan(client, MIE)  # 35.000
    assert client.post("/cashier/cart/discount", {"discount": "1000"}, htmx=True).status_code == 200  # < 5%
    response = client.post("/cashier/cart/discount", {"discount": "5000"}, htmx=True)
    assert response.status_code == 403 and "PIN kepala gerai" in response.get_data(as_text=True)
    assert (
        client.post("/cashier/cart/discount", {"discount": "5000", "manager_pin": "1111"}, htmx=True).status_code == 403
    )
    ok = client.post("/cashier/cart/discount", {"discount": "5000", "manager_pin": "9999"}, htmx=True)
    assert ok.status_code == 200 and "Rp30.000" in ok.get_data(as_text=True)
    assert pay(client, app, cash="30000").status_code == 303
    sale = last_sale(app)
    assert sale.total == 30_000 and sale.discount == 5_000
    with app.app_context():
        lines = db.session.scalars(db.select(SaleLine).where(SaleLine.sale_id == sale.id)).all()
        assert sum(ln.net for ln in lines) == 30_000


def test_clear_cart_needs_confirmation(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    open_shift(client, app)
    scan(client, MIE)
    assert client.post("/cashier/cart/clear", {}, htmx=True).status_code == 422
    response = client.post("/cashier/cart/clear", {"confirm": "1"}, htmx=True)
    assert "Indomie" not in response.get_data(as_text=True)


def test_selling_more_than_stock_is_refused_unless_allowed(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    open_shift(client, app)
    assert scan(client, barcode(app, "SSU-DANCOW")).status_code == 200  # 18 in stock
    with app.app_context():
        from pos.models import CartLine

        line_id = db.session.scalar(db.select(CartLine.id))
    response = client.post(f"/cashier/lines/{line_id}/quantity", {"quantity": "19"}, htmx=True)
    assert response.status_code == 422 and "Hanya 18" in response.get_data(as_text=True)
    with app.app_context():
        from pos.models import Outlet

        outlet = db.session.get(Outlet, 1)
        assert outlet is not None
        outlet.allow_negative_stock = True
        db.session.commit()
    assert client.post(f"/cashier/lines/{line_id}/quantity", {"quantity": "19"}, htmx=True).status_code == 200
    assert pay(client, app, cash="1000000").status_code == 303
    with app.app_context():
        balance = db.session.scalar(db.select(StockBalance).where(StockBalance.quantity < 0))
        assert balance is not None and balance.quantity == -1 and balance.needs_count


def test_product_without_agreement_cannot_be_sold(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from pos.models import Agreement
    from pos.partnership import agreements

    client = login_as("kasir_pw")
    open_shift(client, app)
    assert scan(client, AQUA).status_code == 200
    with app.app_context():
        agreement = db.session.scalar(db.select(Agreement).where(Agreement.number.like("%MNS%")))
        assert agreement is not None
        agreement.start_date = date(2099, 1, 1)
        db.session.commit()
    # The sale prices with the agreements in force now, even if the scan was checked earlier.
    response = pay(client, app, cash="4000")
    assert response.status_code == 422
    assert "tidak ada perjanjian kemitraan" in response.get_data(as_text=True)
    with app.app_context():
        assert today_sales() == 0
    with app.app_context():
        agreements.forget_recent()
    response = scan(client, AQUA)
    assert response.status_code == 422 and "PT Mitra Niaga Serang" in response.get_data(as_text=True)


def test_line_editor_dialog_changes_quantity_and_closes(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    open_shift(client, app)
    scan(client, MIE)
    with app.app_context():
        from pos.models import CartLine

        line_id = db.session.scalar(db.select(CartLine.id))
    dialog = client.hx(f"/cashier/lines/{line_id}")
    assert dialog.headers["HX-Retarget"] == "#dialog" and 'role="dialog"' in dialog.get_data(as_text=True)
    assert "<html" in client.get(f"/cashier/lines/{line_id}").get_data(as_text=True)  # works without htmx
    changed = client.post(f"/cashier/lines/{line_id}/quantity", {"quantity": "3"}, htmx=True).get_data(as_text=True)
    assert 'id="dialog" hx-swap-oob="innerHTML"' in changed and "Rp10.500" in changed
    assert client.hx("/cashier/lines/999999").status_code == 404


def test_another_outlets_cashier_cannot_open_a_receipt(app: Flask, client: Client) -> None:
    client.login("kasir_pw", "kasir-pass-2026")
    open_shift(client, app)
    scan(client, MIE)
    response = pay(client, app, cash="5000")
    sale_uuid = receipt_uuid(response)
    client.logout()
    client.login("kasir_b", "other-pass-2026")
    for url in (f"/cashier/receipt/{sale_uuid}", f"/cashier/sales/{sale_uuid}"):
        assert client.get(url).status_code == 404
    assert "SRG-CPR" not in client.get("/cashier/sales?q=SRG").get_data(as_text=True)


@pytest.mark.dates
def test_refund_reverses_split_and_stock_exactly(app: Flask, login_as, today: date) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    open_shift(client, app)
    for _ in range(3):
        scan(client, MIE)  # 3 x 3.500 at 12%
    response = pay(client, app, cash="10500")
    sale_uuid = receipt_uuid(response)
    with app.app_context():
        sale = db.session.scalar(db.select(Sale).where(Sale.uuid == uuid.UUID(sale_uuid)))
        assert sale is not None and sale.receipt_no.endswith(f"-{today:%Y%m%d}-0001")
        line = sale.lines[0]
        line_id, fee, product_id = line.id, line.fee, line.product_id
        stock_before = ledger.on_hand(1, product_id)
    page = client.get(f"/cashier/sales/{sale_uuid}").get_data(as_text=True)
    assert f'name="qty-{line_id}"' in page
    import re as _re

    key = _re.search(r'name="key" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    bad = client.post(
        f"/cashier/sales/{sale_uuid}/refund", {"key": key, f"qty-{line_id}": "4", "reason": "x", "manager_pin": "9999"}
    )
    assert bad.status_code == 422
    wrong_pin = client.post(
        f"/cashier/sales/{sale_uuid}/refund", {"key": key, f"qty-{line_id}": "1", "reason": "x", "manager_pin": "1111"}
    )
    assert wrong_pin.status_code == 403
    typed = wrong_pin.get_data(as_text=True)
    assert f'name="qty-{line_id}" value="1"' in typed and 'name="reason" value="x"' in typed  # nothing retyped
    with app.app_context():
        # The refused refund writes nothing, yet the wrong PIN counts against the outlet (in the audit trail).
        assert db.session.scalar(db.select(func.count()).where(Sale.original_id == sale.id)) == 0
        failed = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "approval_failed")).all()
        assert len(failed) == 1 and failed[0].subject_type == "outlet" and failed[0].user.username == "kasir_pw"
    for _ in range(2):  # a retry with the same key does not refund twice
        done = client.post(
            f"/cashier/sales/{sale_uuid}/refund",
            {"key": key, f"qty-{line_id}": "1", "reason": "rusak", "manager_pin": "9999"},
        )
        assert done.status_code == 303
    key2 = str(__import__("uuid").uuid4())
    client.post(
        f"/cashier/sales/{sale_uuid}/refund",
        {"key": key2, f"qty-{line_id}": "2", "reason": "rusak", "manager_pin": "9999"},
    )
    with app.app_context():
        refunds = db.session.scalars(db.select(Sale).where(Sale.kind == "refund", Sale.original_id == sale.id)).all()
        assert len(refunds) == 2
        lines = [ln for r in refunds for ln in r.lines]
        assert sum(ln.quantity for ln in lines) == -3
        assert sum(ln.net for ln in lines) == -10_500
        assert sum(ln.fee for ln in lines) == -fee  # the whole line's fee comes back exactly
        assert all(ln.fee + ln.investor_share == ln.net for ln in lines)
        assert ledger.on_hand(1, product_id) == stock_before + 3
    again = client.post(
        f"/cashier/sales/{sale_uuid}/refund",
        {"key": str(__import__("uuid").uuid4()), f"qty-{line_id}": "1", "reason": "x", "manager_pin": "9999"},
    )
    assert again.status_code == 422  # nothing left to refund


def test_void_only_the_last_sale_of_the_shift(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    open_shift(client, app)
    scan(client, MIE)
    first = receipt_uuid(pay(client, app, cash="3500"))
    scan(client, AQUA)
    second = receipt_uuid(pay(client, app, cash="4000"))
    import uuid as _uuid

    data = {"key": str(_uuid.uuid4()), "reason": "salah input", "manager_pin": "9999"}
    assert client.post(f"/cashier/sales/{first}/void", data).status_code == 422
    assert client.post(f"/cashier/sales/{second}/void", data).status_code == 303
    with app.app_context():
        void = db.session.scalar(db.select(Sale).where(Sale.kind == "void", Sale.cashier.has(username="kasir_pw")))
        assert void is not None and void.total == -4000 and void.approved_by.username == "manajer"


@pytest.mark.dates
def test_close_shift_and_z_report(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    open_shift(client, app, float_="100000")
    scan(client, MIE)
    pay(client, app, cash="5000")
    assert (
        client.post("/cashier/shift/cash", {"kind": "out", "amount": "20000", "reason": "Bayar sopir"}).status_code
        == 303
    )
    assert client.post("/cashier/shift/cash", {"kind": "out", "amount": "999999", "reason": "x"}).status_code == 422
    # expected 100.000 + 3.500 - 20.000 = 83.500; counted 83.000: within the Rp5.000 tolerance
    close = client.post(
        "/cashier/shift/close", {"n50000": "1", "n20000": "1", "n10000": "1", "n2000": "1", "n1000": "1"}
    )
    assert close.status_code == 303
    z = client.get(close.headers["Location"]).get_data(as_text=True)
    for text in ["LAPORAN Z", "Rp83.500", "Rp83.000", "-Rp500", "Bayar sopir"]:
        assert text in z, text
    assert client.get("/cashier").status_code == 302  # no open shift any more
    assert client.post("/cashier/scan", {"code": MIE}, htmx=True).status_code == 409


def test_the_z_report_reads_the_same_few_statements_however_many_sales(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import event

    from pos.cashier import shifts
    from pos.models import Shift

    client = login_as("kasir_pw")
    open_shift(client, app, float_="100000")
    counted: list[int] = []
    for sales in (2, 6):
        while len(counted) < sales:  # sell until the shift has ``sales`` sales
            scan(client, MIE)
            pay(client, app, cash="5000")
            counted.append(1)
        statements: list[str] = []
        with app.app_context():
            shift = db.session.scalar(db.select(Shift).where(Shift.status == "open"))
            assert shift is not None

            def keep(_c, _cu, sql, *_a, into: list[str] = statements) -> None:  # type: ignore[no-untyped-def]
                into.append(sql)

            event.listen(db.engine, "before_cursor_execute", keep)
            try:
                report = shifts.z_report(shift)
            finally:
                event.remove(db.engine, "before_cursor_execute", keep)
        assert report.sales_count == sales and report.sales_total == 3_500 * sales
        assert report.by_method["cash"] == 3_500 * sales  # 5.000 paid, 1.500 change each time
        if sales == 2:
            few = len(statements)
        else:
            assert len(statements) == few <= 6, statements


def test_close_shift_refuses_bad_counts(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    open_shift(client, app)
    for bad in ({"n1000": "-1"}, {"n1000": "1,5"}, {"n1000": "abc"}):
        response = client.post("/cashier/shift/close", bad)
        assert response.status_code == 422
    big = client.post("/cashier/shift/close", {"n100000": "9"})
    assert big.status_code == 422 and "PIN" in big.get_data(as_text=True)
    assert client.get("/cashier").status_code == 200  # still open


def test_a_sale_waits_for_the_disk_and_a_scan_does_not(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import event

    client = login_as("kasir_pw")
    open_shift(client, app)
    seen: list[str] = []

    def record(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        if statement.startswith("PRAGMA synchronous"):
            seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        scan(client, MIE)
        assert seen == ["PRAGMA synchronous=NORMAL"]  # a cart edit: consistent, but not fsynced
        seen.clear()
        assert pay(client, app, cash="20000").status_code == 303
        assert seen and set(seen) == {"PRAGMA synchronous=FULL"}  # the sale is on disk before the receipt
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_fully_discounted_sale_completes_with_no_tender(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    open_shift(client, app)
    scan(client, MIE)  # 3.500
    assert (
        client.post("/cashier/cart/discount", {"discount": "3500", "manager_pin": "9999"}, htmx=True).status_code == 200
    )
    response = pay(client, app, cash="0")
    assert response.status_code == 303  # the README's rule: a Rp0 sale completes, with no payment rows
    sale = last_sale(app)
    assert (sale.total, sale.paid, sale.change, sale.discount) == (0, 0, 0, 3_500)
    with app.app_context():
        assert db.session.scalar(db.select(func.count()).where(Payment.sale_id == sale.id)) == 0
        lines = db.session.scalars(db.select(SaleLine).where(SaleLine.sale_id == sale.id)).all()
        assert [(ln.net, ln.fee, ln.investor_share) for ln in lines] == [(0, 0, 0)]
    assert client.get(f"/cashier/receipt/{sale.uuid}").status_code == 200


def test_a_cart_beyond_the_money_limit_is_refused_and_the_till_keeps_working(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    from pos.domain.money import MAX_AMOUNT
    from pos.models import CartLine, Product

    with app.app_context():
        product = db.session.scalar(db.select(Product).where(Product.barcode == MIE))
        assert product is not None
        product.price = MAX_AMOUNT - 1  # a price typed with too many digits, synced from central
        db.session.commit()
    client = login_as("kasir_pw")
    open_shift(client, app)
    assert scan(client, MIE).status_code == 200
    second = scan(client, MIE)
    assert second.status_code == 422 and "Rp" in second.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(func.sum(CartLine.quantity))) == 1  # nothing of the refused scan
    assert client.get("/cashier").status_code == 200
    assert client.get("/cashier/pay").status_code == 200


def test_five_wrong_manager_pins_lock_approvals_at_the_outlet_for_15_minutes(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    open_shift(client, app)
    for _ in range(10):
        scan(client, MIE)  # 35.000: a 5.000 discount is above the 5% a cashier may give
    for _ in range(5):
        wrong = client.post("/cashier/cart/discount", {"discount": "5000", "manager_pin": "1111"}, htmx=True)
        assert wrong.status_code == 403
    locked = client.post("/cashier/cart/discount", {"discount": "5000", "manager_pin": "9999"}, htmx=True)
    assert locked.status_code == 429 and "dikunci" in locked.get_data(as_text=True)  # even the right PIN waits
    with app.app_context():
        actions = list(db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.subject_type == "outlet")))
        assert actions.count("approval_failed") == 5 and actions.count("approvals_locked") == 1
    with time_machine.travel(clock.now() + timedelta(minutes=16), tick=True):
        ok = client.post("/cashier/cart/discount", {"discount": "5000", "manager_pin": "9999"}, htmx=True)
        assert ok.status_code == 200 and "Rp30.000" in ok.get_data(as_text=True)
