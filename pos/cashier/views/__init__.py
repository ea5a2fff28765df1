"""The cashier screens; one module per screen."""

from flask import Blueprint

bp = Blueprint("cashier", __name__, url_prefix="/cashier")

from pos.cashier.views import member, payment, printers, receipt, register, sales, settings, shift  # noqa: E402,F401
