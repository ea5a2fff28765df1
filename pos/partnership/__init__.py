from flask import Blueprint

bp = Blueprint("partnership", __name__)

from pos.partnership import settlement_views, views  # noqa: E402,F401
