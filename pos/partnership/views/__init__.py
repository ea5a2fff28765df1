"""The partnership screens; one module per screen."""

from flask import Blueprint

bp = Blueprint("partnership", __name__)

from pos.partnership.views import agreements, settlements  # noqa: E402,F401
