"""A member card in Chromium: the manager prints a member's 58 mm card, its QR code and Code 128 barcode are read
off the screen by a decoder (what a scanner sees), and the cashier scans that card then products: the member is
on the cart and the receipt, and the prices are the same."""

from __future__ import annotations

import io
from typing import Any

import zxingcpp
from PIL import Image

from tests.e2e.conftest import LiveServer, pin_login

MIE = "8991001003010"  # Rp3.500
MINYAKITA = "8991001002013"  # Rp15.700


def _login(page: Any, server: LiveServer, username: str) -> None:
    page.goto(server.url + "/login")
    page.fill("#username", username)
    page.fill("#password", "demo-kmp-2026")
    page.get_by_role("button", name="Masuk").last.click()
    page.wait_for_load_state()


def _read(page: Any, selector: str) -> list[str]:
    shot = Image.open(io.BytesIO(page.locator(selector).screenshot(scale="device")))
    return [found.text for found in zxingcpp.read_barcodes(shot)]


def _printed_card(browser: Any, server: LiveServer) -> list[str]:
    """What a scanner reads off the manager's 58 mm card, seen at about 300 dpi: the QR code and the barcode."""
    context = browser.new_context(viewport={"width": 800, "height": 1280}, device_scale_factor=3, locale="id-ID")
    try:
        page = context.new_page()
        _login(page, server, "manajer")
        page.goto(server.url + "/members?q=CPR-0003")
        with page.expect_navigation():
            page.get_by_role("link", name="Kartu Nurhayati (58 mm)").click()
        page.emulate_media(media="print")
        return [*_read(page, ".qr"), *_read(page, ".bars")]
    finally:
        context.close()


def test_a_printed_member_card_scans_at_the_till_before_the_products(
    page: Any, browser: Any, live_server: LiveServer
) -> None:
    assert _printed_card(browser, live_server) == ["AGT:KMP-CIPARE:CPR-0003"] * 2
    code = "AGT:KMP-CIPARE:CPR-0003"
    pin_login(page, live_server)
    page.wait_for_url(live_server.url + "/cashier/shift/open")
    page.fill("#opening_float", "200.000")
    page.get_by_role("button", name="Buka sesi").last.click()
    page.wait_for_url(live_server.url + "/cashier")
    page.keyboard.type(code, delay=3)  # the scanner types the card like any barcode, then Enter
    page.keyboard.press("Enter")
    member = page.locator("#cart-member")
    member.wait_for()
    assert "Nurhayati" in member.inner_text() and "CPR-0003" in member.inner_text()
    for product in (MIE, MINYAKITA):
        before = page.locator("#cart-total").inner_text()
        page.keyboard.type(product, delay=3)
        page.keyboard.press("Enter")
        page.wait_for_function("t => document.querySelector('#cart-total').innerText !== t", arg=before)
    assert page.locator("#cart-total").inner_text() == "Rp19.200"  # a member pays the same prices
    assert "Nurhayati" in page.locator("#cart-member").inner_text()
    page.click("#pay-button")
    page.get_by_role("button", name="Rp20.000").click()
    page.wait_for_url("**/cashier/receipt/**")
    receipt = page.locator(".receipt").inner_text()
    assert "CPR-0003" in receipt and "Nurhayati" in receipt
    page.get_by_role("link", name="Transaksi baru").click()
    page.wait_for_url(live_server.url + "/cashier")
    assert page.locator("#cart-member").count() == 0  # the next customer starts without a member
    page.keyboard.type("AGT:KMP-KDR:CPR-0001", delay=3)
    page.keyboard.press("Enter")
    page.get_by_text("kartu anggota koperasi lain").wait_for()
    assert page.locator("#cart-member").count() == 0
