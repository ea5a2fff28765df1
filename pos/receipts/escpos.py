"""A slip as the ESC/POS commands a thermal printer takes, built once here for every way of printing (the outlet
node's printer, the tablet's Web Serial or Web Bluetooth, the RawBT app), with python-escpos.

Text goes in the printer's standard font, one laid-out line at a time (``pos.domain.slip``): bold for totals,
double height for titles; the QR code of the customer's link is drawn by the printer itself (GS ( k), which
every ESC/POS printer sold for receipts since about 2015 understands and which takes a few dozen bytes.
"""

from __future__ import annotations

from pos.domain.slip import Slip, lay_out

QR_MODULE_DOTS = {58: 5, 80: 7}  # dots a QR module: about 2.5 cm square at 58 mm, 3.5 cm at 80 mm


def encode(slip: Slip, width: int, *, paper_mm: int = 58, cut: bool = True, open_drawer: bool = False) -> bytes:
    """The bytes to send: initialise, the lines, the QR code, the drawer kick (pin 2, the drawer's usual
    socket) and the cut after feeding the paper past the cutter."""
    from escpos.constants import QR_ECLEVEL_M  # loaded with the first print: python-escpos brings Pillow and more
    from escpos.printer import Dummy

    printer = Dummy()
    printer.hw("INIT")
    printer.charcode("CP437")
    style = None
    for line in lay_out(slip.rows, width):
        if line.style != style:
            bold = line.style in ("bold", "title")
            printer.set(bold=bold, double_height=line.style == "title", normal_textsize=line.style != "title")
            style = line.style
        printer.textln(line.text)
    if slip.link:
        printer.set(align="center", bold=False, normal_textsize=True)
        printer.qr(slip.link, ec=QR_ECLEVEL_M, size=QR_MODULE_DOTS.get(paper_mm, 5), native=True)
        printer.set(align="left")
    if open_drawer:
        printer.cashdraw(2)
    if cut:
        printer.cut()
    else:
        printer.ln(4)
    return bytes(printer.output)
