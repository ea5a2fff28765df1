"""Receipts that reach the customer: the receipt's words, the paper width a register remembers, printing on the
node's printer (a loopback network printer reads what it was sent), the customer's link and WhatsApp."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from flask import Flask

from pos.extensions import db
from pos.models import PrintJob, PrintStatus, Product, Register, Sale
from tests.conftest import Client
from tests.thermal import LoopbackPrinter, decode, refused_port
from tests.web.checkout_helpers import MIE, barcode, last_sale, open_shift, pay, receipt_uuid, scan


def _register(app: Flask, **values: Any) -> None:
    with app.app_context():
        register = db.session.scalar(db.select(Register).where(Register.code == "KASIR-1", Register.outlet_id == 1))
        assert register is not None
        for name, value in values.items():
            setattr(register, name, value)
        db.session.commit()


def _product_id(app: Flask, sku: str) -> int:
    with app.app_context():
        product = db.session.scalar(db.select(Product).where(Product.sku == sku))
        assert product is not None
        return product.id


def _jobs(app: Flask) -> list[tuple[str, int, str]]:
    with app.app_context():
        return [
            (job.status.value, job.attempts, job.error)
            for job in db.session.scalars(db.select(PrintJob).order_by(PrintJob.id))
        ]


def _wait_for(check: Any, seconds: float = 30) -> Any:
    """Until ``check()`` is true: what the print thread does happens after the sale's answer."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError("not done in time")


def _mixed_sale(client: Client, app: Flask) -> Any:
    """Two packs of noodles, a bottle of cooking oil and 2,5 kg of rice, paid in cash."""
    open_shift(client, app)
    scan(client, MIE)
    scan(client, MIE)
    scan(client, barcode(app, "MYK-KITA1"))
    rice = _product_id(app, "BRS-CURAH")
    assert client.post(f"/cashier/products/{rice}/add", {"quantity": "2,5"}, htmx=True).status_code == 200
    response = pay(client, app, cash="100000")  # 7.000 + 15.700 + 33.750 = 56.450
    assert response.status_code == 303
    return response


@pytest.fixture
def printer() -> Iterator[LoopbackPrinter]:
    found = LoopbackPrinter()
    yield found
    found.close()


def test_the_receipt_names_units_in_indonesian_and_the_cashier_by_first_name(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    page = client.get(f"/cashier/receipt/{receipt_uuid(_mixed_sale(client, app))}?done=1").get_data(as_text=True)
    assert "2 pcs x Rp3.500" in page
    assert "1 botol x Rp15.700" in page
    assert "2,5 kg x Rp13.500/kg" in page  # a weighed line says kg
    assert "bottle" not in page and " pack" not in page
    printed = page[page.index('<article class="receipt"') :]
    assert re.search(r"Kasir\s+Kasir\b", printed)  # "Kasir Sandi": the first name only
    assert "Sandi" not in printed
    assert "Rp56.450" in page


def test_the_paper_width_is_named_as_chosen_and_remembered_per_register(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    sale = receipt_uuid(_mixed_sale(client, app))
    page = client.get(f"/cashier/receipt/{sale}?done=1").get_data(as_text=True)
    assert 'aria-pressed="true">58 mm' in page and 'aria-pressed="false">80 mm' in page
    assert "receipt-page w58" in page
    chosen = client.post("/cashier/receipt/paper", {"paper_mm": "80", "sale": sale})
    assert chosen.status_code == 303
    page = client.get(f"/cashier/receipt/{sale}").get_data(as_text=True)
    assert "receipt-page w80" in page and 'aria-pressed="true">80 mm' in page
    assert "-" * 48 in page  # 48 characters a line at 80 mm
    with app.app_context():
        register = db.session.scalar(db.select(Register).where(Register.code == "KASIR-1", Register.outlet_id == 1))
        assert register is not None and (register.paper_mm, register.chars_per_line) == (80, 48)
    assert client.post("/cashier/receipt/paper", {"paper_mm": "75", "sale": sale}).status_code == 422


def test_a_node_printer_prints_the_receipt_the_qr_link_and_opens_the_drawer(
    app: Flask,
    login_as,
    printer: LoopbackPrinter,  # type: ignore[no-untyped-def]
) -> None:
    _register(app, print_via="node", printer_kind="network", printer_address=printer.address, drawer_kick=True)
    client = login_as("kasir_pw")
    response = _mixed_sale(client, app)
    assert printer.received.wait(20)
    printed = decode(printer.jobs[0])
    sale = last_sale(app)
    with app.app_context():
        full = db.session.get_one(Sale, (sale.id, sale.outlet_id))
        lines = [(ln.name, ln.gross) for ln in full.lines]
    for text in ("Gerai KMP Cipare", sale.receipt_no, "TOTAL", "Rp56.450", "Kembalian", "Rp43.550"):
        assert text in printed.text, text
    for name, _gross in lines:
        assert name[:20] in printed.text
    assert all(len(line) <= 32 for line in printed.lines)
    assert any("TOTAL" in line for line in printed.bold)
    assert any("Gerai KMP Cipare" in line for line in printed.tall)
    assert printed.qr == [f"http://localhost/r/{sale.receipt_token}"]
    assert printed.cuts == 1 and printed.kicks == [0]  # pin 2 (the 0 bit), once
    _wait_for(lambda: _jobs(app) == [("printed", 1, "")])
    page = client.get(f"/cashier/receipt/{receipt_uuid(response)}?done=1").get_data(as_text=True)
    assert "Struk tercetak" in page


def test_a_printer_that_refuses_fails_the_print_not_the_sale_and_reprints(
    app: Flask,
    login_as,
    printer: LoopbackPrinter,  # type: ignore[no-untyped-def]
) -> None:
    from pos.receipts import spool

    _register(app, print_via="node", printer_kind="network", printer_address=f"127.0.0.1:{refused_port()}")
    client = login_as("kasir_pw")
    open_shift(client, app)
    scan(client, MIE)
    response = pay(client, app, cash="5000")
    assert response.status_code == 303  # the sale is complete whatever the printer does
    sale = receipt_uuid(response)
    _wait_for(lambda: _jobs(app) and _jobs(app)[0][1] >= 1)
    spool.stop(app)  # the print thread ends its round; the retries are driven here, without waiting for them
    with app.app_context():
        db.session.execute(db.update(PrintJob).values(next_try_at=db.func.current_timestamp()))
        db.session.commit()
        for _ in range(4):
            db.session.execute(
                db.update(PrintJob).where(PrintJob.status == PrintStatus.QUEUED).values(next_try_at=PrintJob.created_at)
            )
            db.session.commit()
            spool.run_due()
    assert _jobs(app)[0][0] == "failed"
    page = client.get(f"/cashier/receipt/{sale}?done=1").get_data(as_text=True)
    assert "Struk belum tercetak" in page and "Cetak ulang" in page
    _register(app, printer_address=printer.address)  # the printer is back
    again = client.post(f"/cashier/receipt/{sale}/print")
    assert again.status_code == 303
    assert printer.received.wait(20)
    assert "Rp3.500" in decode(printer.jobs[0]).text
    assert decode(printer.jobs[0]).kicks == []  # a reprint never opens the drawer
    _wait_for(lambda: [j[0] for j in _jobs(app)] == ["failed", "printed"])


def test_a_hanging_printer_never_delays_the_next_sale(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    hanging = LoopbackPrinter("hang")
    try:
        _register(app, print_via="node", printer_kind="network", printer_address=hanging.address)
        client = login_as("kasir_pw")
        open_shift(client, app)
        scan(client, MIE)
        assert pay(client, app, cash="5000").status_code == 303
        assert hanging.held.wait(20)  # the print thread is stuck on the printer now
        scan(client, MIE)
        assert pay(client, app, cash="5000").status_code == 303  # and the till sells on
        assert not hanging._release.is_set()
        with app.app_context():
            assert db.session.query(Sale).count() >= 2
    finally:
        hanging.close()
    _wait_for(lambda: _jobs(app)[0][2] != "")  # the stuck try ends in an error the cashier sees


def test_a_printer_out_of_paper_says_so(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    empty = LoopbackPrinter("paper_out")
    try:
        _register(app, print_via="node", printer_kind="network", printer_address=empty.address)
        client = login_as("kasir_pw")
        open_shift(client, app)
        scan(client, MIE)
        sale = receipt_uuid(pay(client, app, cash="5000"))
        _wait_for(lambda: _jobs(app)[0][2] == "paper out")
        assert "Kertas printer habis" in client.get(f"/cashier/receipt/{sale}").get_data(as_text=True)
    finally:
        empty.close()


def test_the_z_report_prints_on_the_node_printer(app: Flask, login_as, printer: LoopbackPrinter) -> None:  # type: ignore[no-untyped-def]
    _register(app, print_via="node", printer_kind="network", printer_address=printer.address)
    client = login_as("kasir_pw")
    open_shift(client, app, float_="100000")
    with app.app_context():
        from pos.models import Shift

        shift = db.session.scalar(db.select(Shift).order_by(Shift.id.desc()).limit(1))
        assert shift is not None
        shift_uuid = str(shift.uuid)
    assert client.post(f"/cashier/shifts/{shift_uuid}/z/print").status_code == 303
    assert printer.received.wait(20)
    printed = decode(printer.jobs[0])
    assert "LAPORAN Z" in printed.text and "Rp100.000" in printed.text and printed.cuts == 1
    printer.received.clear()
    closed = client.post("/cashier/shift/close", {"n100000": "1"})  # the drawer counted: the Z report prints itself
    assert closed.status_code == 303
    assert printer.received.wait(20)
    final = decode(printer.jobs[1])
    assert (
        "Ditutup" in final.text
        and "masih buka" not in final.text
        and re.search(r"Uang terhitung\s+Rp100.000", final.text)
    )
    assert re.search(r"  1 x Rp100.000\s+Rp100.000", final.text)  # the count by denomination


def test_the_tablet_gets_the_same_escpos_bytes(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    _register(app, print_via="web_serial", drawer_kick=True)
    client = login_as("kasir_pw")
    sale = receipt_uuid(_mixed_sale(client, app))
    page = client.get(f"/cashier/receipt/{sale}?done=1").get_data(as_text=True)
    assert f'data-escpos="/cashier/receipt/{sale}/escpos?drawer=1"' in page
    first = client.get(f"/cashier/receipt/{sale}/escpos?drawer=1")
    assert first.status_code == 200 and first.mimetype == "application/octet-stream"
    printed = decode(first.data)
    assert "2,5 kg x Rp13.500/kg" in printed.text and printed.kicks == [0] and printed.qr
    assert decode(client.get(f"/cashier/receipt/{sale}/escpos").data).kicks == []
    _register(app, print_via="rawbt")
    page = client.get(f"/cashier/receipt/{sale}").get_data(as_text=True)
    assert 'href="rawbt:base64,' in page


def test_the_receipt_link_shows_that_receipt_to_anyone_and_nothing_else(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    response = _mixed_sale(client, app)
    sale = last_sale(app)
    assert sale.receipt_token and len(sale.receipt_token) >= 22
    page = client.get(f"/cashier/receipt/{receipt_uuid(response)}?done=1").get_data(as_text=True)
    link = f"http://localhost/r/{sale.receipt_token}"
    assert link in page and "<svg" in page  # the link and its QR code on screen
    stranger = Client(app.test_client())
    public = stranger.get(f"/r/{sale.receipt_token}")
    assert public.status_code == 200
    text = public.get_data(as_text=True)
    for shown in (sale.receipt_no, "Gerai KMP Cipare", "Rp56.450", "Beras medium curah", "Tunai"):
        assert shown in text
    assert "Sandi" not in text and "Keluar" not in text  # no full name; no menu of the till
    assert stranger.get("/r/" + "A" * 22).status_code == 404
    assert stranger.get("/r/short").status_code == 404
    assert stranger.get(f"/r/{sale.receipt_token[:-1]}x").status_code == 404
    assert stranger.get(f"/cashier/receipt/{sale.uuid}").status_code in (302, 401)


def test_whatsapp_opens_wa_me_with_the_receipt_and_its_link(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    sale_uuid = receipt_uuid(_mixed_sale(client, app))
    sale = last_sale(app)
    sent = client.get(f"/cashier/receipt/{sale_uuid}/whatsapp?phone=0812-3456-7890")
    assert sent.status_code == 303
    target = urlparse(sent.headers["Location"])
    assert (target.scheme, target.netloc, target.path) == ("https", "wa.me", "/6281234567890")
    message = parse_qs(target.query)["text"][0]
    assert sale.receipt_no in message and "Rp56.450" in message and f"/r/{sale.receipt_token}" in message
    assert client.get(f"/cashier/receipt/{sale_uuid}/whatsapp").status_code == 302  # the form is on the receipt
    for bad in ("12", "abc", "+1 555 0100", ""):
        refused = client.get(f"/cashier/receipt/{sale_uuid}/whatsapp?phone={bad}")
        assert refused.status_code == 422, bad
        assert "Nomor WhatsApp tidak valid" in refused.get_data(as_text=True)
    with app.app_context():  # the number is not kept anywhere
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(db.select(table)).all():
                assert "81234567890" not in " ".join(str(v) for v in row), table.name


def test_printer_settings_are_the_managers_and_refuse_bad_addresses(
    app: Flask, login_as, printer: LoopbackPrinter
) -> None:  # type: ignore[no-untyped-def]
    cashier = login_as("kasir_pw")
    assert cashier.get("/cashier/printers").status_code == 403
    client = login_as("manajer")
    page = client.get("/cashier/printers").get_data(as_text=True)
    assert "Kasir 1" in page and "Lewat printer di server gerai" in page
    with app.app_context():
        register_id = db.session.scalar(db.select(Register.id).where(Register.code == "KASIR-1"))
    form = {
        "register": register_id,
        "print_via": "node",
        "printer_kind": "network",
        "printer_address": printer.address,
        "paper_mm": "58",
        "chars_per_line": "32",
        "printer_cut": "y",
        "drawer_kick": "y",
    }
    for name, bad in (
        ("printer_address", "; rm -rf /"),
        ("printer_address", ""),
        ("chars_per_line", "200"),
        ("paper_mm", "70"),
        ("print_via", "fax"),
        ("printer_kind", "parallel"),
    ):
        refused = client.post("/cashier/printers", {**form, name: bad})
        assert refused.status_code == 422, (name, bad)
    with app.app_context():
        assert db.session.get_one(Register, register_id).print_via == "browser"  # nothing written
    assert client.post("/cashier/printers", {**form, "register": "999"}).status_code in (404, 422)
    saved = client.post("/cashier/printers", form)
    assert saved.status_code == 303
    assert client.post(f"/cashier/printers/{register_id}/test").status_code == 303
    assert printer.received.wait(20)
    assert "Tes printer" in decode(printer.jobs[0]).text


def test_the_managers_npwp_nitku_and_footer_print_and_travel_to_central(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    import json

    from pos.models import OutboxEvent

    manager = login_as("manajer")
    page = manager.get("/cashier/settings").get_data(as_text=True)
    assert page.count('id="receipt"') == 1 and "<title>Pengaturan kasir · KMP POS</title>" in page
    form = {
        "receipt-npwp": "01.234.567.8-901.000",
        "receipt-nitku": "",
        "receipt-receipt_footer": "Barang tidak dapat ditukar.",
    }
    for name, bad in (("receipt-npwp", "12345"), ("receipt-npwp", "01.234.567.8-901.00A"), ("receipt-nitku", "1" * 21)):
        refused = manager.post("/cashier/settings/receipt", {**form, name: bad})
        assert refused.status_code == 422, bad
        assert "NPWP" in refused.get_data(as_text=True)
    assert manager.post("/cashier/settings/receipt", {**form, "receipt-receipt_footer": "x" * 161}).status_code == 422
    assert manager.post("/cashier/settings/receipt", form).status_code == 303
    with app.app_context():
        event = db.session.scalar(
            db.select(OutboxEvent).where(OutboxEvent.event_type == "outlet.settings").order_by(OutboxEvent.seq.desc())
        )
        assert event is not None
        sent = json.loads(event.payload)
        assert (sent["npwp"], sent["nitku"], sent["receipt_footer"]) == (
            "012345678901000",
            "",
            "Barang tidak dapat ditukar.",
        )
    client = login_as("kasir_pw")
    open_shift(client, app)
    scan(client, MIE)
    page = client.get(f"/cashier/receipt/{receipt_uuid(pay(client, app, cash='5000'))}").get_data(as_text=True)
    assert "NPWP 012345678901000" in page and "Barang tidak dapat ditukar." in page and "NITKU" not in page


def test_a_refund_prints_its_slip_and_opens_the_drawer(app: Flask, login_as, printer: LoopbackPrinter) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    open_shift(client, app)
    scan(client, MIE)
    scan(client, MIE)
    sale_uuid = receipt_uuid(pay(client, app, cash="7000"))
    sold = last_sale(app)
    _register(app, print_via="node", printer_kind="network", printer_address=printer.address, drawer_kick=True)
    with app.app_context():
        line_id = db.session.get_one(Sale, (sold.id, sold.outlet_id)).lines[0].id
    page = client.get(f"/cashier/sales/{sale_uuid}").get_data(as_text=True)
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    form = {"key": key, f"qty-{line_id}": "1", "reason": "kemasan rusak", "manager_pin": "9999"}
    assert client.post(f"/cashier/sales/{sale_uuid}/refund", form).status_code == 303
    assert printer.received.wait(20)
    slip = decode(printer.jobs[0])
    assert "RETUR" in slip.text and f"atas {sold.receipt_no}" in slip.text and "Alasan: kemasan rusak" in slip.text
    assert re.search(r"Disetujui oleh\s+Hendra", slip.text)  # the manager who approved it, by first name
    assert "-Rp3.500" in slip.text and slip.kicks == [0] and slip.cuts == 1
