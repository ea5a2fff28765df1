"""Rollups equal the sales they sum, on an all-in-one server (no central ingest)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func

from pos.extensions import db
from pos.models import InvestorDayRollup, OutletDayRollup, Sale, SaleLine
from tests.web.checkout_helpers import MIE, open_shift, pay, scan


def _rolled(app: Flask) -> tuple[int, int, int, int]:
    with app.app_context():
        total, fee = db.session.execute(db.select(func.sum(OutletDayRollup.total), func.sum(OutletDayRollup.fee))).one()
        net, share = db.session.execute(
            db.select(func.sum(InvestorDayRollup.net), func.sum(InvestorDayRollup.investor_share))
        ).one()
        return int(total or 0), int(fee or 0), int(net or 0), int(share or 0)


def _raw(app: Flask) -> tuple[int, int, int, int]:
    with app.app_context():
        total, fee = db.session.execute(db.select(func.sum(Sale.total), func.sum(Sale.fee))).one()
        net, share = db.session.execute(db.select(func.sum(SaleLine.net), func.sum(SaleLine.investor_share))).one()
        return int(total), int(fee), int(net), int(share)


def test_rollups_equal_the_raw_sales_after_the_demo_and_after_each_sale(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    assert _rolled(app) == _raw(app)  # the demo's history, rebuilt once
    client = login_as("kasir_pw")
    open_shift(client, app)
    scan(client, MIE)
    scan(client, MIE)
    before = _rolled(app)
    assert pay(client, app, cash="10000").status_code == 303
    after = _rolled(app)
    assert after[0] - before[0] == 7_000
    assert after == _raw(app)
