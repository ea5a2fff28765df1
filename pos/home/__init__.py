from flask import Blueprint

bp = Blueprint("home", __name__)

from pos.home import views  # noqa: E402,F401
