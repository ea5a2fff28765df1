"""The business day on the outlet's wall clock: a shift open across midnight, receipts numbered per day,
rollups and the Z report that follow the day a sale was made on."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from flask import Flask

from pos.extensions import db
from pos.models import Outlet, OutletDayRollup, Sale
from tests.timeline import Moment
from tests.web.checkout_helpers import MIE, open_shift, pay, scan


def _sell(client, app: Flask) -> Sale:  # type: ignore[no-untyped-def]
    assert scan(client, MIE).status_code == 200
    assert pay(client, app, cash="3500").status_code == 303
    with app.app_context():
        sale = db.session.scalar(db.select(Sale).order_by(Sale.id.desc()).limit(1))
        assert sale is not None
        db.session.expunge(sale)
        return sale


@pytest.mark.dates
def test_a_shift_open_across_midnight_sells_on_each_business_day(app: Flask, login_as, moment: Moment) -> None:  # type: ignore[no-untyped-def]
    zone = ZoneInfo(moment.timezone)
    local = moment.at.astimezone(zone)
    before_midnight = datetime.combine(local.date(), time(23, 58), zone)
    after_midnight = datetime.combine(local.date() + timedelta(days=1), time(0, 1), zone)
    with time_machine.travel(before_midnight, tick=True):
        client = login_as("kasir_pw")
        open_shift(client, app)
        first, second = _sell(client, app), _sell(client, app)
    with time_machine.travel(after_midnight, tick=True):
        third = _sell(client, app)
        # counted blind: the expected cash shows once a count is in (this one is short, so the shift stays open)
        z = client.post("/cashier/shift/close", {"n1000": "1"}).get_data(as_text=True)
    day, next_day = local.date(), local.date() + timedelta(days=1)
    assert (first.business_date, second.business_date, third.business_date) == (day, day, next_day)
    with app.app_context():
        before = db.session.scalar(
            db.select(db.func.count(Sale.id)).where(Sale.business_date == day, Sale.receipt_no.like("SRG-CPR-%"))
        )
    assert first.receipt_no.startswith(f"SRG-CPR-{day:%Y%m%d}-")
    assert int(second.receipt_no.rsplit("-", 1)[1]) == int(first.receipt_no.rsplit("-", 1)[1]) + 1
    assert third.receipt_no == f"SRG-CPR-{next_day:%Y%m%d}-0001"  # numbering starts again on the new day
    assert first.shift_id == third.shift_id and before >= 2
    assert "Rp210.500" in z  # the float and the shift's cash sales on both days
    with app.app_context():
        outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-CPR"))
        assert outlet is not None
        rollups = {
            r.day: r.total
            for r in db.session.scalars(
                db.select(OutletDayRollup).where(OutletDayRollup.outlet_id == outlet.id, OutletDayRollup.day >= day)
            )
        }
    assert rollups[next_day] == 3500 and rollups[day] >= 7000
