"""A member card's two codes: a QR code and a Code 128 barcode of the card code the till reads
(``register.card_code``), as inline SVG for the A4 sheet and the 58 mm print."""

from __future__ import annotations

import re

import segno

_PROLOGUE = re.compile(rb"^.*?(?=<svg)", re.S)


def qr_svg(code: str, scale: int = 3) -> str:
    qr = segno.make(code, error="m", micro=False)
    return str(qr.svg_inline(scale=scale, border=2, dark="#000", light="#fff", omitsize=True))


def code128_svg(code: str, module_um: int = 250, height_mm: int = 9) -> str:
    """The barcode without its XML prologue, to sit inside a page, sized in millimetres: ``module_um`` is one
    bar's width in µm (a card code of 23 characters is about 300 bars)."""
    from barcode import Code128  # with Pillow: loaded when a card is printed, not when the node starts
    from barcode.writer import SVGWriter

    rendered = Code128(code, writer=SVGWriter()).render(
        {"module_width": module_um / 1000, "module_height": height_mm, "quiet_zone": 2.5, "write_text": False}
    )
    return _PROLOGUE.sub(b"", rendered).decode()
