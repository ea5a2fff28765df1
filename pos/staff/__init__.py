from flask import Blueprint

bp = Blueprint("staff", __name__)

from pos.staff import views  # noqa: E402,F401
