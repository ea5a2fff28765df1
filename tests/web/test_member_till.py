"""The member buying, at the till: a card scanned into the same box as products (or the member found by number,
name or phone), on the cart, the sale, the receipt and the customer's copy; a refund keeps the sale's member;
the year's purchases per member are kept with the sale and equal the sales themselves."""

from __future__ import annotations

import re
import uuid

from flask import Flask

from pos.core import clock
from pos.extensions import db
from pos.members import purchases
from pos.members.register import card_code
from pos.models import Cart, Cooperative, Member, OutboxEvent, Sale
from tests.web.checkout_helpers import MIE, open_shift, pay, receipt_uuid, scan

CARD = "AGT:KMP-CIPARE:CPR-0001"  # Siti Aminah, the demo's first member


def _open_cart_member(app: Flask) -> str | None:
    with app.app_context():
        cart = db.session.scalar(db.select(Cart).where(Cart.closed.is_(False)).order_by(Cart.id.desc()))
        return cart.member.number if cart is not None and cart.member is not None else None


def _member(app: Flask, number: str, coop: str = "KMP-CIPARE") -> Member:
    with app.app_context():
        member = db.session.scalar(
            db.select(Member).join(Member.cooperative).where(Member.number == number, Cooperative.code == coop)
        )
        assert member is not None
        db.session.expunge(member)
        return member


def test_a_scanned_card_names_the_member_on_the_cart_sale_receipt_and_customer_copy(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    open_shift(client, app)
    page = scan(client, CARD.lower()).get_data(as_text=True)  # a scanner in lower case reads the same card
    assert re.search(r"Siti Aminah</strong>\s*<span class=\"mono\">CPR-0001", page)
    scan(client, MIE)
    scan(client, MIE)
    response = pay(client, app, cash="7000")
    sale_uuid = receipt_uuid(response)
    receipt = client.get(f"/cashier/receipt/{sale_uuid}?done=1").get_data(as_text=True)
    printed = receipt[receipt.index('<article class="receipt"') :]
    assert re.search(r"Anggota\s+CPR-0001", printed) and "Siti Aminah" in printed
    assert 'value="0812' in receipt  # WhatsApp offers the member's number
    with app.app_context():
        sale = db.session.scalar(db.select(Sale).where(Sale.uuid == uuid.UUID(sale_uuid)))
        assert sale is not None and sale.member is not None and sale.member.number == "CPR-0001"
        assert (sale.total, sale.fee) == (7000, 840)  # the member changes neither the price nor the split
        event = db.session.scalar(
            db.select(OutboxEvent)
            .where(OutboxEvent.event_type == "sale.completed")
            .order_by(OutboxEvent.id.desc())
            .limit(1)
        )
        assert event is not None and str(sale.member.uuid) in event.payload
        token = sale.receipt_token
    client.logout()
    public = app.test_client().get(f"/r/{token}").get_data(as_text=True)
    assert "CPR-0001" in public and "Siti Aminah" in public
    assert _open_cart_member(app) is None  # the next cart starts without a member


def test_a_refund_keeps_the_member_and_the_year_s_purchases_equal_the_sales(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    siti = _member(app, "CPR-0001")
    with app.app_context():
        coop = db.session.get_one(Cooperative, siti.cooperative_id)
        year = purchases.current_year(coop, clock.today())
        before = purchases.of_year(coop.id, year).get(siti.id, (0, 0, 0))
    client = login_as("kasir_pw")
    open_shift(client, app)
    scan(client, CARD)
    for _ in range(3):
        scan(client, MIE)
    sale_uuid = receipt_uuid(pay(client, app, cash="10500"))
    page = client.get(f"/cashier/sales/{sale_uuid}").get_data(as_text=True)
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    line_id = re.search(r'name="qty-(\d+)"', page).group(1)  # type: ignore[union-attr]
    done = client.post(
        f"/cashier/sales/{sale_uuid}/refund",
        {"key": key, f"qty-{line_id}": "1", "reason": "rusak", "manager_pin": "9999"},
    )
    assert done.status_code == 303
    with app.app_context():
        refund = db.session.scalar(db.select(Sale).where(Sale.kind == "refund").order_by(Sale.id.desc()).limit(1))
        assert refund is not None and refund.member_id == siti.id
        after = purchases.of_year(coop.id, year)[siti.id]
        assert after == (before[0] + 10_500 - 3_500, before[1] + 1, before[2] + 1)
        assert purchases.of_year(coop.id, year) == purchases.raw(coop.id, year)  # the rollup is the sales
        purchases.rebuild()
        assert purchases.of_year(coop.id, year) == purchases.raw(coop.id, year)


def test_the_cashier_finds_a_member_by_name_and_can_take_them_off(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    open_shift(client, app)
    dialog = client.hx("/cashier/member?q=ujang").get_data(as_text=True)
    assert "Ujang Supriatna" in dialog and "Siti Aminah" not in dialog
    resigned = client.hx("/cashier/member?q=Imas").get_data(as_text=True)  # CPR-0007 resigned
    assert "Imas Masitoh" not in resigned
    ujang = _member(app, "CPR-0002")
    page = client.post(f"/cashier/member/{ujang.uuid}", {}, htmx=True).get_data(as_text=True)
    assert "Ujang Supriatna" in page and _open_cart_member(app) == "CPR-0002"
    plain = client.post("/cashier/member/remove", {})  # a plain form works too
    assert plain.status_code == 303 and _open_cart_member(app) is None
    other = _member(app, "CPR-0001", "KMP-KDR")
    assert client.post(f"/cashier/member/{other.uuid}", {}, htmx=True).status_code == 404
    assert _open_cart_member(app) is None


def test_cards_that_cannot_be_used_here_are_refused_with_a_message_and_nothing_changes(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    open_shift(client, app)
    for code, status, words in (
        ("AGT:KMP-KDR:CPR-0001", 422, "koperasi lain"),
        ("AGT:KMP-CIPARE:CPR-9999", 404, "tidak dikenal"),
        ("AGT:KMP-CIPARE:CPR-0007", 422, "bukan anggota lagi"),
        ("AGT:rusak", 422, "tidak dapat dibaca"),
    ):
        response = scan(client, code)
        assert response.status_code == status, code
        assert words in response.get_data(as_text=True), code
        assert _open_cart_member(app) is None


def test_the_card_code_is_what_the_till_reads(app: Flask) -> None:
    with app.app_context():
        member = db.session.scalar(db.select(Member).where(Member.number == "CPR-0003"))
        assert member is not None and card_code(member) == "AGT:KMP-CIPARE:CPR-0003"
