"""A cashier's whole shift in Chromium: open, scan, cash sale, QRIS sale, refund, close, Z report."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import LiveServer, pin_login

MIE = "8991001003010"  # Rp3.500
AQUA = "8992002001012"  # Rp4.000
MINYAKITA = "8991001002013"  # Rp15.700


def scanner(page: Any, code: str) -> None:
    """A USB scanner types the digits fast, then Enter, into whatever has focus."""
    before = page.locator("#cart-total").inner_text()
    page.keyboard.type(code, delay=3)
    page.keyboard.press("Enter")
    page.wait_for_function("t => document.querySelector('#cart-total').innerText !== t", arg=before)


def test_full_shift(page: Any, live_server: LiveServer) -> None:
    base = live_server.url
    pin_login(page, live_server)
    page.wait_for_url(base + "/cashier/shift/open")
    page.fill("#opening_float", "200.000")
    page.get_by_role("button", name="Buka sesi").last.click()
    page.wait_for_url(base + "/cashier")

    # Sale 1: scan three items (the scan box keeps the focus), pay cash with a quick amount.
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'scan'")
    scanner(page, MIE)
    scanner(page, AQUA)
    scanner(page, MINYAKITA)
    assert page.evaluate("document.activeElement.id") == "scan"
    assert page.locator(".cart-line").count() == 3
    assert page.locator("#cart-total").inner_text() == "Rp23.200"
    page.click("#pay-button")
    page.get_by_role("button", name="Rp25.000").click()
    page.wait_for_url("**/cashier/receipt/**")
    assert "Rp1.800" in page.locator(".done-banner").inner_text()  # change
    receipt = page.locator(".receipt").inner_text()
    assert "TOTAL" in receipt and "Rp23.200" in receipt and "Siti" in receipt and "Rahmawati" not in receipt
    cash_receipt_url = page.url

    # Sale 2: QRIS, confirmed by hand after the dynamic code is shown.
    page.get_by_role("link", name="Transaksi baru").click()
    page.wait_for_url(base + "/cashier")
    scanner(page, AQUA)
    page.click("#pay-button")
    page.get_by_role("tab", name="QRIS").click()
    assert page.locator(".qris-box svg").is_visible()
    page.get_by_role("button", name="QRIS diterima — selesaikan").click()
    assert "/cashier/receipt/" not in page.url  # the confirmation box was not ticked
    page.locator("input[name=qris_confirmed]").check()
    page.get_by_role("button", name="QRIS diterima — selesaikan").click()
    page.wait_for_url("**/cashier/receipt/**")
    assert "QRIS" in page.locator(".receipt").inner_text()

    # Refund one line of the first sale with the manager's PIN.
    page.goto(cash_receipt_url)
    page.get_by_role("link", name="Rincian transaksi").click()
    page.locator("input[name^=qty-]").first.fill("1")
    page.fill("input[name=reason]", "Kemasan rusak")
    page.fill("input[name=manager_pin]", "9999")
    page.get_by_role("button", name="Retur yang dipilih").click()
    page.wait_for_url("**/cashier/receipt/**")
    refund = page.locator(".receipt").inner_text()
    assert "RETUR" in refund and "-Rp3.500" in refund

    # Close with a counted difference (beyond tolerance: the manager approves).
    page.goto(base + "/cashier/shift/close")
    page.fill("input[name=n100000]", "2")
    page.fill("input[name=n10000]", "1")  # expected 219.700: 9.700 short
    assert page.locator("[data-difference]").count() == 0  # counted blind: no expected cash before the count
    assert page.locator("[data-counted]").inner_text() == "Rp210.000"
    page.get_by_role("button", name="Tutup sesi dan cetak laporan Z").click()
    page.locator(".toast-error").wait_for()  # needs the manager PIN; the counts stay
    assert page.locator("input[name=n100000]").input_value() == "2"
    assert page.locator("[data-difference]").inner_text() == "-Rp9.700"  # shown once the count is in
    page.fill("input[name=manager_pin]", "9999")
    page.get_by_role("button", name="Tutup sesi dan cetak laporan Z").click()
    page.wait_for_url("**/z")
    z = page.locator(".zreport").inner_text()
    assert "LAPORAN Z" in z and "Retur (1)" in z and "Hendra Wijaya" in z
    # Printing: the print stylesheet hides the app around the report, and Chromium renders a PDF.
    page.emulate_media(media="print")
    assert not page.locator(".topbar").is_visible()
    pdf = page.pdf(width="80mm")
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
