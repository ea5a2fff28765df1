"""The reports screens; one module per screen."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from pos.reports.views import board, investor, monthly, overview, transparency  # noqa: E402,F401
