from flask import Blueprint

bp = Blueprint("cashier", __name__, url_prefix="/cashier")

from pos.cashier import views  # noqa: E402,F401
