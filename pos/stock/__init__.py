from flask import Blueprint

bp = Blueprint("stock", __name__)

from pos.stock import catalogue, counts, deliveries, documents, views  # noqa: E402,F401
