"""The receipt screen in Chromium: the HTML receipt at 58 and 80 mm as the printer's last resort, the paper width
the register keeps, the customer's QR code and the WhatsApp button, and the link opened by a stranger."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.e2e.conftest import LiveServer, pin_login

MIE = "8991001003010"  # Rp3.500
MINYAKITA = "8991001002013"  # Rp15.700


def _sell(page: Any, server: LiveServer) -> None:
    pin_login(page, server)
    page.wait_for_url(server.url + "/cashier/shift/open")
    page.fill("#opening_float", "200.000")
    page.get_by_role("button", name="Buka sesi").last.click()
    page.wait_for_url(server.url + "/cashier")
    for code in (MIE, MINYAKITA):
        before = page.locator("#cart-total").inner_text()
        page.keyboard.type(code, delay=3)
        page.keyboard.press("Enter")
        page.wait_for_function("t => document.querySelector('#cart-total').innerText !== t", arg=before)
    page.click("#pay-button")
    page.get_by_role("button", name="Rp20.000").click()
    page.wait_for_url("**/cashier/receipt/**")


def _next_sale(page: Any, server: LiveServer) -> None:
    """From the receipt screen, the next sale: one pack of noodles paid with Rp5.000."""
    page.get_by_role("link", name="Transaksi baru").click()
    page.wait_for_url(server.url + "/cashier")
    page.keyboard.type(MIE, delay=3)
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#cart-total').innerText === 'Rp3.500'")
    page.click("#pay-button")
    page.get_by_role("button", name="Rp5.000").click()
    page.wait_for_url("**/cashier/receipt/**")


def _printed_lines_fit(page: Any) -> list[str]:
    """On paper (print media): the receipt's lines, each checked to stay on one line inside the paper."""
    page.emulate_media(media="print")
    try:
        assert not page.locator(".receipt-actions").is_visible()  # only the receipt is printed
        return page.evaluate(
            """() => [...document.querySelectorAll('.receipt .r-line')].map(l => {
                 const one = parseFloat(getComputedStyle(l).lineHeight);
                 if (l.scrollWidth > l.clientWidth + 1 || l.offsetHeight > one * 1.5)
                   throw new Error('wraps or overflows: ' + l.textContent);
                 return l.textContent; })"""
        )
    finally:
        page.emulate_media(media="screen")


def test_the_html_receipt_prints_at_58_and_80_mm_and_the_register_keeps_the_width(
    page: Any, live_server: LiveServer
) -> None:
    _sell(page, live_server)
    paper = page.get_by_role("group", name="Kertas")
    assert paper.get_by_role("button", name="58 mm").get_attribute("aria-pressed") == "true"
    narrow = _printed_lines_fit(page)
    assert max(len(line) for line in narrow) == 32
    assert any("1 botol x Rp15.700" in line for line in narrow)
    page.emulate_media(media="print")
    width_58 = page.locator(".receipt").bounding_box()["width"]
    page.emulate_media(media="screen")
    paper.get_by_role("button", name="80 mm").click()
    page.wait_for_load_state("load")
    assert (
        page.get_by_role("group", name="Kertas").get_by_role("button", name="80 mm").get_attribute("aria-pressed")
        == "true"
    )
    wide = _printed_lines_fit(page)
    assert max(len(line) for line in wide) == 48
    page.emulate_media(media="print")
    width_80 = page.locator(".receipt").bounding_box()["width"]
    page.emulate_media(media="screen")
    assert 170 < width_58 < 200 and 260 < width_80 < 290  # 48 and 72 mm: the printable width of each paper
    _next_sale(page, live_server)  # the next sale's receipt keeps 80 mm
    assert (
        page.get_by_role("group", name="Kertas").get_by_role("button", name="80 mm").get_attribute("aria-pressed")
        == "true"
    )
    assert max(len(line) for line in _printed_lines_fit(page)) == 48


def test_the_customer_gets_the_qr_link_and_a_whatsapp_message(page: Any, live_server: LiveServer, browser: Any) -> None:
    import zxingcpp
    from PIL import Image

    _sell(page, live_server)
    link = page.locator(".share-link a").inner_text()
    assert "/r/" in link
    shot = page.locator(".share-qr").screenshot()
    found = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))]
    assert found == [link]  # the QR on screen is the link
    opened: list[str] = []
    page.route("https://wa.me/**", lambda route: (opened.append(route.request.url), route.fulfill(body="WhatsApp")))
    page.fill("#wa-phone", "0812 1111 2222")
    page.get_by_role("button", name="Kirim via WhatsApp").click()
    page.wait_for_url("https://wa.me/**")
    target = urlparse(opened[0])
    assert target.path == "/6281211112222"
    message = parse_qs(target.query)["text"][0]
    assert link in message and "Rp19.200" in message and "Minyakita" in message
    page.go_back()
    page.fill("#wa-phone", "12")
    page.get_by_role("button", name="Kirim via WhatsApp").click()
    assert "Nomor WhatsApp tidak valid" in page.locator(".toast-error").inner_text()
    stranger = browser.new_context(viewport={"width": 390, "height": 800}, locale="id-ID")
    try:
        phone = stranger.new_page()
        response = phone.goto(link)
        assert response.status == 200
        receipt = phone.locator(".receipt").inner_text()
        assert "Rp19.200" in receipt and "Siti" in receipt and "Rahmawati" not in receipt
        assert phone.locator(".mainnav").count() == 0
    finally:
        stranger.close()


SERIAL_PORT = """
window.__printed = [];
const port = {
  writable: null,
  open: async () => { port.writable = { getWriter: () => ({
      write: async (data) => { window.__printed.push(Array.from(data)); }, releaseLock: () => {} }) }; },
};
window.__granted = %s;
Object.defineProperty(navigator, 'serial', { value: {
  getPorts: async () => (window.__granted ? [port] : []),
  requestPort: async () => { window.__granted = true; return port; },
} });
"""


def test_web_serial_prints_the_nodes_bytes_and_prints_by_itself_once_the_printer_was_chosen(
    page: Any, live_server: LiveServer
) -> None:
    """The browser's serial port is a stand-in here (no serial port in a headless browser): what is tested is that
    the page hands the node's ESC/POS bytes to it, asks for the printer once, and prints on its own after."""
    from pos.extensions import db
    from pos.models import Register
    from tests.thermal import decode

    with live_server.app.app_context():
        db.session.execute(db.update(Register).values(print_via="web_serial", drawer_kick=True))
        db.session.commit()
    page.add_init_script(SERIAL_PORT % "false")
    _sell(page, live_server)
    page.wait_for_function("() => document.querySelector('[data-escpos-status]').textContent.includes('Pilih printer')")
    assert page.evaluate("window.__printed.length") == 0  # never chosen: it waits for a tap
    page.get_by_role("button", name="Cetak struk").first.click()
    page.wait_for_function("() => window.__printed.length === 1")
    printed = decode(bytes(page.evaluate("window.__printed[0]")))
    assert "Rp19.200" in printed.text and printed.qr and printed.kicks == [0] and printed.cuts == 1
    assert "Struk tercetak" in page.locator("[data-escpos-status]").inner_text()
    page.add_init_script(SERIAL_PORT % "true")  # the browser remembers the printer it was given
    _next_sale(page, live_server)
    page.wait_for_function("() => window.__printed.length === 1")  # printed by itself on the new page
    assert "Rp3.500" in decode(bytes(page.evaluate("window.__printed[0]"))).text


BLE_PRINTER = """
window.__chunks = [];
const characteristic = {
  properties: { write: false, writeWithoutResponse: true },
  writeValueWithoutResponse: async (data) => { window.__chunks.push(Array.from(new Uint8Array(data.buffer || data))); },
};
const device = { gatt: { connected: false, connect: async () => { device.gatt.connected = true; return server; } } };
characteristic.service = { device };
const server = {
  getPrimaryService: async (uuid) => {
    if (uuid !== '000018f0-0000-1000-8000-00805f9b34fb') throw new Error('no such service');
    return { getCharacteristics: async () => [characteristic] };
  },
};
Object.defineProperty(navigator, 'bluetooth', { value: {
  getDevices: async () => [],
  requestDevice: async (options) => { window.__asked = options; return device; },
} });
"""


def test_web_bluetooth_sends_the_bytes_in_small_writes_to_the_printers_service(
    page: Any, live_server: LiveServer
) -> None:
    """A stand-in BLE printer (no Bluetooth adapter here): the page finds the printer's write characteristic among
    the common printer services and sends the node's bytes in writes of at most 180 bytes, in order."""
    from pos.extensions import db
    from pos.models import Register
    from tests.thermal import decode

    with live_server.app.app_context():
        db.session.execute(db.update(Register).values(print_via="web_bluetooth"))
        db.session.commit()
    page.add_init_script(BLE_PRINTER)
    _sell(page, live_server)
    page.get_by_role("button", name="Cetak struk").first.click()
    page.wait_for_function("() => document.querySelector('[data-escpos-status]').textContent.includes('tercetak')")
    chunks = page.evaluate("window.__chunks")
    assert len(chunks) > 1 and all(len(chunk) <= 180 for chunk in chunks)
    printed = decode(bytes(b for chunk in chunks for b in chunk))
    assert "Rp19.200" in printed.text and printed.qr and printed.cuts == 1
    assert "000018f0-0000-1000-8000-00805f9b34fb" in page.evaluate("window.__asked.optionalServices")
