from flask import Blueprint

bp = Blueprint("sync", __name__)

from pos.sync import api, views  # noqa: E402,F401
