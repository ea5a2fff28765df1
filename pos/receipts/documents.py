"""What a receipt, a refund slip and a Z report say, as rows of a slip (``pos.domain.slip``) in the reader's
language: the same rows go to the thermal printer, the WhatsApp message and the customer's page."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec

from flask_babel import force_locale
from flask_babel import gettext as _

from pos.cashier.shifts import ZReport
from pos.domain.cash import DENOMINATIONS
from pos.domain.slip import RULE, Row, Slip
from pos.domain.units import unit
from pos.models import Sale, SaleKind, Shift
from pos.web.labels import unit_name
from pos.web.templating import local_time, qty, rp, rp_signed

PRINT_LANGUAGE = "id"  # receipts are printed in Indonesian, whatever the cashier's screen reads
P = ParamSpec("P")


def _printed(make: Callable[P, Slip]) -> Callable[P, Slip]:
    """A document in the print language, wherever it is made: the till, the print thread, the customer's page."""

    @wraps(make)
    def in_print_language(*args: P.args, **kwargs: P.kwargs) -> Slip:
        with force_locale(PRINT_LANGUAGE):
            return make(*args, **kwargs)

    return in_print_language


HONORIFICS = frozenset({"h.", "hj.", "dr.", "ir.", "drs.", "bpk.", "ibu", "bu", "pak", "kak"})


def first_name(full_name: str) -> str:
    """The name a customer may see: the first word that is not a title ("H. Ahmad Fauzi" -> "Ahmad")."""
    words = full_name.split()
    for word in words:
        if word.lower() not in HONORIFICS:
            return word
    return words[0] if words else ""


def method_name(method: str) -> str:
    return {"cash": _("Cash"), "qris": "QRIS", "transfer": _("Transfer")}.get(method, method)


def _header(outlet: object) -> list[Row]:
    rows = [Row(outlet.name, style="title"), Row(outlet.cooperative.name, style="center")]  # type: ignore[attr-defined]
    if outlet.address:  # type: ignore[attr-defined]
        rows.append(Row(outlet.address, style="center"))  # type: ignore[attr-defined]
    if outlet.npwp:  # type: ignore[attr-defined]
        rows.append(Row(f"NPWP {outlet.npwp}", style="center"))  # type: ignore[attr-defined]
    if outlet.nitku:  # type: ignore[attr-defined]
        rows.append(Row(f"NITKU {outlet.nitku}", style="center"))  # type: ignore[attr-defined]
    return rows


def quantity_text(quantity: int, unit_code: str) -> str:
    """ "2 bungkus", "1,25 kg": the quantity with its unit in the reader's language."""
    return f"{qty(quantity, unit_code)} {unit_name(unit_code)}"


@_printed
def receipt(sale: Sale, link: str | None = None) -> Slip:
    """A sale's receipt, or a refund's or void's slip, with the QR code of the customer's link."""
    outlet = sale.outlet
    rows = _header(outlet)
    rows.append(RULE)
    if sale.kind != SaleKind.SALE:
        rows.append(Row(_("REFUND") if sale.kind == SaleKind.REFUND else _("VOID"), style="title"))
        if sale.original is not None:
            rows.append(Row(f"{_('of')} {sale.original.receipt_no}", style="center"))
        if sale.reason:
            rows.append(Row(f"{_('Reason')}: {sale.reason}"))
        if sale.approved_by is not None:
            rows.append(Row(_("Approved by"), first_name(sale.approved_by.full_name)))
    rows += [
        Row(_("No."), sale.receipt_no),
        Row(_("Date"), local_time(sale.created_at, outlet.timezone, "dd/MM/yyyy HH:mm")),
        Row(_("Cashier"), first_name(sale.cashier.full_name)),
    ]
    if sale.member is not None:
        rows += [Row(_("Member"), sale.member.number), Row(f"  {sale.member.full_name}")]
    rows.append(RULE)
    for line in sale.lines:
        rows.append(Row(line.name))
        per = f"/{unit_name(line.unit)}" if unit(line.unit).by_measure else ""
        rows.append(Row(f"  {quantity_text(line.quantity, line.unit)} x {rp(line.unit_price)}{per}", rp(line.gross)))
        if line.discount:
            rows.append(Row(f"  {_('Discount')}", rp(-line.discount)))
    rows.append(RULE)
    if sale.discount:
        rows += [Row(_("Subtotal"), rp(sale.subtotal)), Row(_("Discount"), rp(-sale.discount))]
    rows.append(Row(_("TOTAL"), rp(sale.total), style="bold"))
    if sale.rounding:
        due = _("TO PAY") if sale.kind == SaleKind.SALE else _("PAID BACK")
        rows += [Row(_("Rounding"), rp_signed(sale.rounding)), Row(due, rp(sale.total + sale.rounding), style="bold")]
    for payment in sale.payments:
        rows.append(Row(method_name(payment.method.value), rp(payment.amount)))
        if payment.reference and payment.method.value in ("qris", "transfer"):
            rows.append(Row(f"  {_('Ref.')} {payment.reference}"))
    if sale.change:
        rows.append(Row(_("Change"), rp(sale.change)))
    rows += [RULE, Row(outlet.receipt_footer or _("Thank you for shopping at your cooperative."), style="center")]
    if link:
        rows.append(Row(_("Scan for your digital receipt"), style="center"))
    return Slip(tuple(rows), link)


@_printed
def z_report(report: ZReport) -> Slip:
    """The shift's Z report, to sign: the figures of the screen's Z report, in the same order, with the drawer's
    count by denomination."""
    shift: Shift = report.shift
    outlet = shift.outlet
    zone = outlet.timezone
    rows = [
        Row(_("Z REPORT"), style="title"),
        Row(outlet.name, style="center"),
        Row(f"{shift.register.name} - {shift.cashier.full_name}", style="center"),
        RULE,
        Row(_("Opened"), local_time(shift.opened_at, zone, "dd/MM/yyyy HH:mm")),
        Row(_("Closed"), local_time(shift.closed_at, zone, "dd/MM/yyyy HH:mm") if shift.closed_at else _("still open")),
        RULE,
        Row(f"{_('Sales')} ({report.sales_count})", rp(report.sales_total)),
        Row(_("Discounts given"), rp(report.discount_total)),
        Row(f"{_('Refunds')} ({report.refunds_count})", rp(report.refunds_total)),
        Row(f"{_('Voids')} ({report.voids_count})", rp(report.voids_total)),
        Row(_("Net sales"), rp(report.net_total), style="bold"),
        Row(_("Cooperative fee"), rp(report.fee_total)),
        Row(_("Investors’ share"), rp(report.investor_total)),
    ]
    if report.rounding_total or outlet.cash_rounding:
        rows.append(Row(_("Cash rounding"), rp_signed(report.rounding_total)))
    rows += [RULE, Row(_("By payment method"), style="bold")]
    names = {"cash": _("Cash (net of change)"), "qris": "QRIS", "transfer": _("Transfer")}
    rows += [Row(names.get(method, method), rp(amount)) for method, amount in report.by_method.items()]
    rows += [RULE, Row(_("Opening float"), rp(shift.opening_float))]
    rows += [Row(f"+ {m.reason}", rp(m.amount)) for m in report.cash_in]
    rows += [Row(f"- {m.reason}", rp(m.amount)) for m in report.cash_out]
    rows.append(Row(_("Expected cash"), rp(report.expected_cash)))
    if shift.counted_cash is not None:
        rows += [
            Row(_("Counted cash"), rp(shift.counted_cash)),
            Row(_("Difference"), rp_signed(shift.difference), style="bold"),
        ]
        if shift.difference_approved_by is not None:
            rows.append(Row(_("Approved by"), shift.difference_approved_by.full_name))
        counts = json.loads(shift.cash_counts) if shift.cash_counts else {}
        rows += [
            Row(f"  {counts[str(d)]} x {rp(d)}", rp(d * int(counts[str(d)])))
            for d in DENOMINATIONS
            if int(counts.get(str(d), 0) or 0)
        ]
    if shift.closing_note:
        rows.append(Row(shift.closing_note))
    rows += [RULE, Row(_("Cashier"), _("Manager")), Row(""), Row(""), Row("(____________)", "(____________)")]
    return Slip(tuple(rows))


@_printed
def test_page(register_name: str, width: int) -> Slip:
    """What a manager prints to check a register's printer: its name, the width, and a ruler of that width."""
    ruler = ("1234567890" * 7)[:width]
    return Slip(
        (
            Row(_("Printer test"), style="title"),
            Row(register_name, style="center"),
            RULE,
            Row(_("Characters a line"), str(width)),
            Row(ruler),
            RULE,
        )
    )
