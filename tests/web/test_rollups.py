"""Rollups equal the sales they sum, on an all-in-one server (no central ingest)."""

from __future__ import annotations

import re
import uuid

import pytest
from flask import Flask

from pos.extensions import db
from pos.models import Sale
from tests.rollup_check import assert_rollups_match
from tests.web.checkout_helpers import MIE, open_shift, pay, receipt_uuid, scan


@pytest.mark.dates
def test_every_rollup_equals_the_raw_sales_after_the_demo_a_sale_and_a_refund(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        assert_rollups_match()  # the demo's history, rebuilt once
    client = login_as("kasir_pw")
    open_shift(client, app)
    scan(client, MIE)
    scan(client, MIE)
    sale_uuid = receipt_uuid(pay(client, app, cash="10000"))
    with app.app_context():
        assert_rollups_match()
        line_id = db.session.scalar(db.select(Sale).where(Sale.uuid == uuid.UUID(sale_uuid))).lines[0].id  # type: ignore[union-attr]
    page = client.get(f"/cashier/sales/{sale_uuid}").get_data(as_text=True)
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    refund = client.post(
        f"/cashier/sales/{sale_uuid}/refund",
        {"key": key, f"qty-{line_id}": "1", "reason": "rusak", "manager_pin": "9999"},
    )
    assert refund.status_code == 303
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Sale.id)).where(Sale.kind == "refund")) >= 1
        assert_rollups_match()
