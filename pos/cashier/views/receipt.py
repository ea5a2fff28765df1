"""The receipt screen: the receipt as it prints, how this register prints it, its paper, the customer's link and
WhatsApp; the ESC/POS bytes for the tablet; printing a Z report."""

from __future__ import annotations

import base64
from typing import Any

import segno
from flask import Response, abort, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from pos.cashier import shifts
from pos.cashier.views import bp
from pos.cashier.views.common import STAFF, current_shift, sale_in_scope, shift_in_scope
from pos.core.errors import PosError
from pos.domain.slip import Slip, as_text, lay_out
from pos.models import PaymentMethod, PrintJob, Register, Sale
from pos.receipts import documents, links, printers, spool
from pos.receipts.forms import PaperForm, WhatsAppForm
from pos.web.access import allow
from pos.web.forms import first_error, url_args
from pos.web.headers import CSP_TO_WHATSAPP
from pos.web.htmx import render, wants_fragment
from pos.web.transaction import attempt

REASONS = {
    "paper out": lambda: _("The printer is out of paper."),
    "offline": lambda: _("The printer is offline: check its cover and its light."),
    "no answer": lambda: _("The printer does not answer."),
    "unreachable": lambda: _("The printer cannot be reached: check that it is on and connected."),
    "not printed in time": lambda: _("It waited too long and was not printed."),
    "interrupted": lambda: _("The outlet server stopped while printing."),
}


def print_problem(job: PrintJob | None) -> str:
    if job is None or not job.error:
        return ""
    reason = REASONS.get(job.error.split(":", 1)[0])
    return reason() if reason else _("The printer could not print.")


def register_for(sale: Sale) -> Register:
    """The register the receipt is printed at: the cashier's own while a shift is open, else the sale's."""
    shift = current_shift()
    if shift is not None and shift.outlet_id == sale.outlet_id:
        return shift.register
    register = sale.shift.register if sale.shift is not None else None
    if register is None:
        abort(404)
    return register


def _cash_moved(sale: Sale) -> bool:
    return any(p.method == PaymentMethod.CASH and p.amount for p in sale.payments)


def _slip(sale: Sale) -> Any:
    return documents.receipt(sale, links.receipt_link(sale.receipt_token) or None)


def _qr_svg(link: str) -> str:
    """The link's QR code. A fixed mask: choosing the best of eight was three quarters of the receipt screen's time,
    and any mask reads (the screen's code is decoded from a screenshot in ``tests/e2e/test_receipts.py``)."""
    code = segno.make(link, error="m", micro=False, mask=0)
    return str(code.svg_inline(scale=4, border=4, dark="#000", light="#fff"))


def _page(sale: Sale, status: int = 200, error: str | None = None, wa: WhatsAppForm | None = None) -> Any:
    register = register_for(sale)
    done = url_args().text("done") == "1"
    slip = _slip(sale)
    link = slip.link or ""
    drawer = done and register.drawer_kick and _cash_moved(sale)
    context: dict[str, Any] = {
        "sale": sale,
        "register": register,
        "width": str(register.paper_mm),
        "lines": lay_out(slip.rows, register.chars_per_line),
        "link": link,
        "qr_svg": _qr_svg(link) if link else None,
        "done": done,
        "job": spool.latest(sale.outlet_id, sale.uuid) if register.print_via == "node" else None,
        "escpos_url": url_for("cashier.receipt_escpos", sale_uuid=sale.uuid, drawer=1 if drawer else None),
        "rawbt_href": None,
        "wa": wa or WhatsAppForm(formdata=None),
        "error": error,
        "paper": PaperForm(formdata=None),
        "print_problem": print_problem,
    }
    if register.print_via == "rawbt":
        data = spool.bytes_for(register, slip, open_drawer=drawer)
        context["rawbt_href"] = "rawbt:base64," + base64.b64encode(data).decode()
    if wants_fragment() and url_args().text("show") == "print":
        return render("cashier/receipt.html", "print_status", **context), status
    return render("cashier/receipt.html", **context), status, {"Content-Security-Policy": CSP_TO_WHATSAPP}


@bp.route("/receipt/<sale_uuid>")
@allow(*STAFF)
def receipt(sale_uuid: str) -> ResponseReturnValue:
    return _page(sale_in_scope(sale_uuid))


@bp.route("/receipt/<sale_uuid>/escpos")
@allow(*STAFF)
def receipt_escpos(sale_uuid: str) -> ResponseReturnValue:
    """The receipt's ESC/POS bytes, for the tablet to hand to its printer (Web Serial, Web Bluetooth)."""
    sale = sale_in_scope(sale_uuid)
    register = register_for(sale)
    drawer = request.args.get("drawer") == "1"
    data = spool.bytes_for(register, _slip(sale), open_drawer=drawer and _cash_moved(sale))
    return Response(data, mimetype="application/octet-stream", headers={"Cache-Control": "no-store"})


@bp.route("/receipt/<sale_uuid>/print", methods=["POST"])
@allow(*STAFF)
def reprint(sale_uuid: str) -> ResponseReturnValue:
    sale = sale_in_scope(sale_uuid)
    with attempt():
        printers.reprint(register_for(sale), sale)
    if wants_fragment():
        return _page(sale)
    return redirect(url_for("cashier.receipt", sale_uuid=sale.uuid), 303)


@bp.route("/receipt/paper", methods=["POST"])
@allow(*STAFF)
def receipt_paper() -> ResponseReturnValue:
    form = PaperForm()
    sale = sale_in_scope(form.sale.data or "")
    if not form.validate():
        return _page(sale, 422, first_error(form))
    try:
        with attempt():
            printers.set_paper(register_for(sale), current_user, form.paper_mm.data)
    except PosError as exc:
        return _page(sale, exc.status, str(exc))
    return redirect(url_for("cashier.receipt", sale_uuid=sale.uuid), 303)


@bp.route("/receipt/<sale_uuid>/whatsapp")
@allow(*STAFF)
def receipt_whatsapp(sale_uuid: str) -> ResponseReturnValue:
    """Open WhatsApp with the receipt and its link for the number the cashier typed (the number is not kept)."""
    sale = sale_in_scope(sale_uuid)
    if "phone" not in request.args:  # the form itself is on the receipt screen
        return redirect(url_for("cashier.receipt", sale_uuid=sale.uuid))
    form = WhatsAppForm(formdata=request.args)
    number = None
    if form.validate():
        try:
            number = links.whatsapp_number(form.phone.data)
        except ValueError:
            number = None
    if number is None:
        message = _("Invalid WhatsApp number: type the customer's mobile number, for example 0812 3456 7890.")
        return _page(sale, 422, message, wa=form)
    slip = _slip(sale)
    with force_locale(documents.PRINT_LANGUAGE):  # the message's own words too
        text = "```\n" + as_text(Slip(slip.rows), 32) + "```"  # WhatsApp's monospace keeps the columns
        if slip.link:
            text += "\n" + _("Your receipt: %(link)s", link=slip.link)
    return redirect(links.whatsapp_url(number, text), 303)


@bp.route("/shifts/<shift_uuid>/z/print", methods=["POST"])
@allow(*STAFF)
def print_z_report(shift_uuid: str) -> ResponseReturnValue:
    shift = shift_in_scope(shift_uuid)
    with attempt():
        printers.print_z_report(shift.register, shift)
    return redirect(url_for("cashier.z_report", shift_uuid=shift.uuid, printing=1), 303)


@bp.route("/shifts/<shift_uuid>/z/escpos")
@allow(*STAFF)
def z_report_escpos(shift_uuid: str) -> ResponseReturnValue:
    shift = shift_in_scope(shift_uuid)
    slip = documents.z_report(shifts.z_report(shift))
    data = spool.bytes_for(shift.register, slip)
    return Response(data, mimetype="application/octet-stream", headers={"Cache-Control": "no-store"})
