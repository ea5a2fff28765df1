"""Scheduled prices take effect without a scheduler: the first request after their time applies them."""

from __future__ import annotations

import time

from flask import Flask, current_app, request
from sqlalchemy.exc import OperationalError

from pos.extensions import db
from pos.stock import products

CHECK_EVERY_SECONDS = 20.0


def _apply_due_prices() -> None:
    if request.endpoint == "static":
        return
    state = current_app.extensions.setdefault("pos_price_clock", {"next": 0.0})
    now = time.monotonic()
    if now < state["next"]:
        return
    state["next"] = now + CHECK_EVERY_SECONDS
    try:
        if products.apply_due():
            db.session.commit()
        else:
            db.session.rollback()
    except OperationalError:  # another writer holds the database: the next request tries again
        db.session.rollback()
        state["next"] = now


def register(app: Flask) -> None:
    app.before_request(_apply_due_prices)
