"""The sync screens; one module per screen."""

from flask import Blueprint

bp = Blueprint("sync", __name__)

from pos.sync.views import api, health  # noqa: E402,F401
