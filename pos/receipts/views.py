"""The customer's receipt at ``/r/<token>``: no login, only that receipt (on central once the sale has synced, on
the outlet node from the moment it is made)."""

from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue

from pos.domain.ids import RECEIPT_TOKEN
from pos.domain.slip import WIDTHS, lay_out
from pos.extensions import db, limiter
from pos.models import Sale
from pos.receipts import documents
from pos.web.access import public
from pos.web.htmx import render

bp = Blueprint("receipts", __name__)


@bp.route("/r/<token>")
@public
@limiter.limit("60/minute")
def customer_receipt(token: str) -> ResponseReturnValue:
    sale = None
    if RECEIPT_TOKEN.match(token):
        sale = db.session.scalar(db.select(Sale).where(Sale.receipt_token == token).limit(1))
    if sale is None:  # a wrong link, or a sale that has not reached central yet
        return render("receipts/customer.html", sale=None, lines=[]), 404
    slip = documents.receipt(sale)
    return render("receipts/customer.html", sale=sale, lines=lay_out(slip.rows, WIDTHS[58]))
