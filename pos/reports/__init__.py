from flask import Blueprint

bp = Blueprint("reports", __name__)

from pos.reports import board, investor, monthly, transparency, views  # noqa: E402,F401
