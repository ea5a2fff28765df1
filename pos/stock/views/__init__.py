"""The stock screens; one module per screen."""

from flask import Blueprint

bp = Blueprint("stock", __name__)

from pos.stock.views import catalogue, counts, deliveries, documents, stock  # noqa: E402,F401
