"""How each register prints, set by the outlet's manager: the way (``PATHS``), the printer on the node, the paper
and what the printer does after a receipt (cut, open the drawer). The paper width is also the cashier's to
change from the receipt screen; the register remembers it."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from pos.core import audit
from pos.core.errors import PosError
from pos.domain.slip import MAX_WIDTH, MIN_WIDTH, WIDTHS
from pos.models import PrintJob, PrintKind, Register, Sale, Shift, User
from pos.receipts import connections, links, spool

PATHS = {
    "browser": _l("The browser's print dialog"),
    "node": _l("Through a printer on the outlet server"),
    "web_serial": _l("From the tablet: USB or Bluetooth printer (Web Serial)"),
    "web_bluetooth": _l("From the tablet: Bluetooth LE printer (Web Bluetooth)"),
    "rawbt": _l("From the tablet: the RawBT app (Android)"),
}
KINDS = {
    "network": _l("Network (port 9100)"),
    "usb": _l("USB"),
    "serial": _l("Bluetooth or serial port"),
}
FIELDS = ("print_via", "printer_kind", "printer_address", "paper_mm", "chars_per_line", "printer_cut", "drawer_kick")


def save(register: Register, user: User, **values: Any) -> None:
    """A register's printing, checked whole: a printer on the node needs an address its kind can reach."""
    if set(values) - set(FIELDS):
        raise TypeError(f"not a printer setting: {sorted(set(values) - set(FIELDS))}")
    merged = {name: values.get(name, getattr(register, name)) for name in FIELDS}
    if merged["paper_mm"] != register.paper_mm and merged["chars_per_line"] == WIDTHS.get(register.paper_mm):
        merged["chars_per_line"] = WIDTHS.get(merged["paper_mm"], merged["chars_per_line"])  # the new paper's width
    if merged["print_via"] not in PATHS or merged["printer_kind"] not in KINDS:
        raise PosError(_l("Choose how this register prints."), 422)
    if merged["paper_mm"] not in WIDTHS:
        raise PosError(_l("The paper is 58 or 80 mm wide."), 422)
    if not MIN_WIDTH <= merged["chars_per_line"] <= MAX_WIDTH:
        raise PosError(_l("A line holds %(low)d to %(high)d characters.", low=MIN_WIDTH, high=MAX_WIDTH), 422)
    address = (merged["printer_address"] or "").strip()
    if merged["print_via"] == "node" or address:
        try:
            connections.parse_address(merged["printer_kind"], address)
        except ValueError as exc:
            raise PosError(
                _l(
                    "The printer's address is not valid for this kind: for example 192.168.1.50:9100, "
                    "/dev/usb/lp0 or 0416:5011, /dev/rfcomm0@9600."
                ),
                422,
            ) from exc
    merged["printer_address"] = address
    changed = {k: v for k, v in merged.items() if getattr(register, k) != v}
    if not changed:
        return
    for name, value in changed.items():
        setattr(register, name, value)
    audit.record("register", register.uuid, "printer", user, ", ".join(f"{k}={v}" for k, v in changed.items()))


def set_paper(register: Register, user: User, paper_mm: int) -> None:
    """The paper the register's printer holds, from the receipt screen: the line width follows it."""
    if paper_mm not in WIDTHS:
        raise PosError(_l("The paper is 58 or 80 mm wide."), 422)
    save(register, user, paper_mm=paper_mm, chars_per_line=WIDTHS[paper_mm])


def reprint(register: Register, sale: Sale) -> PrintJob:
    """Print a receipt again on the node's printer: a new job, and the drawer stays shut."""
    job = spool.enqueue(register, PrintKind.RECEIPT, sale.uuid, link=links.receipt_link(sale.receipt_token))
    if job is None:
        raise PosError(_l("This register does not print through the outlet server."), 409)
    return job


def print_z_report(register: Register, shift: Shift) -> PrintJob:
    job = spool.enqueue(register, PrintKind.Z_REPORT, shift.uuid)
    if job is None:
        raise PosError(_l("This register does not print through the outlet server."), 409)
    return job


def test_print(register: Register) -> PrintJob:
    job = spool.enqueue(register, PrintKind.TEST, register.uuid)
    if job is None:
        raise PosError(_l("Set a printer on the outlet server for this register first."), 409)
    return job
