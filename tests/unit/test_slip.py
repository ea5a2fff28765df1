"""The slip's layout, the ESC/POS it becomes, and the helpers of the customer's copy."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos.domain.slip import RULE, Row, Slip, as_text, lay_out, plain
from pos.receipts.connections import parse_address
from pos.receipts.escpos import encode
from pos.receipts.links import whatsapp_number
from tests.thermal import decode

text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=120)


@given(left=text, right=text, style=st.sampled_from(["", "bold", "center", "title", "rule"]), width=st.integers(24, 64))
def test_every_line_fits_the_paper_and_keeps_the_right_column(left: str, right: str, style: str, width: int) -> None:
    lines = lay_out([Row(left, right, style)], width)  # type: ignore[arg-type]
    assert lines and all(len(line.text) <= width for line in lines)
    assert all(line.text.isascii() for line in lines)
    if right.strip() and plain(right).strip() and style not in ("rule", "center", "title"):
        assert lines[-1].text.endswith(plain(right).strip()[-width:])


def test_a_row_and_its_amount_share_a_line_or_the_amount_takes_its_own() -> None:
    assert [ln.text for ln in lay_out([Row("TOTAL", "Rp56.450")], 32)] == ["TOTAL" + " " * 19 + "Rp56.450"]
    long = lay_out([Row("  2,5 kg x Rp13.500/kg tambahan kata", "Rp33.750")], 32)
    assert [ln.text for ln in long] == ["  2,5 kg x Rp13.500/kg tambahan", "  kata                  Rp33.750"]
    assert lay_out([RULE], 48)[0].text == "-" * 48
    assert plain("Kopi × 2 — Café") == "Kopi x 2 - Cafe"
    with pytest.raises(ValueError):
        lay_out([Row("x")], 20)


def test_the_bytes_read_back_as_the_text_with_its_qr_cut_and_drawer() -> None:
    slip = Slip((Row("Gerai KMP", style="title"), RULE, Row("TOTAL", "Rp3.500", "bold")), "https://pusat.example/r/abc")
    printed = decode(encode(slip, 32, cut=True, open_drawer=True))
    assert printed.lines[: len(as_text(Slip(slip.rows), 32).splitlines())] == as_text(Slip(slip.rows), 32).splitlines()
    assert printed.qr == ["https://pusat.example/r/abc"] and printed.cuts == 1 and printed.kicks == [0]
    assert printed.tall == ["           Gerai KMP"] and printed.bold[-1].startswith("TOTAL")
    plain_slip = decode(encode(Slip((Row("a"),)), 32, cut=False))
    assert plain_slip.cuts == 0 and plain_slip.kicks == [] and plain_slip.qr == []


@pytest.mark.parametrize(
    ("typed", "number"),
    [("0812-3456-7890", "6281234567890"), ("+62 812 3456 7890", "6281234567890"), ("81234567890", "6281234567890")],
)
def test_whatsapp_numbers_are_read_as_indonesian_mobiles(typed: str, number: str) -> None:
    assert whatsapp_number(typed) == number


@pytest.mark.parametrize("typed", ["", "12", "021 555 0100", "+1 555 0100", "0812abc", "0" * 20])
def test_other_numbers_are_refused(typed: str) -> None:
    with pytest.raises(ValueError):
        whatsapp_number(typed)


def test_printer_addresses() -> None:
    assert parse_address("network", "192.168.1.50").port == 9100
    assert parse_address("network", "printer.local:9101").host == "printer.local"
    assert parse_address("usb", "0416:5011").vendor == 0x0416
    assert parse_address("usb", "/dev/usb/lp0").device == "/dev/usb/lp0"
    assert parse_address("serial", "/dev/rfcomm0@115200").baud == 115200
    for kind, bad in [
        ("network", "a b"),
        ("network", "x:99999"),
        ("usb", "/etc/../dev/sda"),
        ("serial", "COM3"),
        ("fax", "1"),
    ]:
        with pytest.raises(ValueError):
            parse_address(kind, bad)
