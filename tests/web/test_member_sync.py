"""Members travel central → outlet (their own cooperative's only); a pushed sale's member is checked by central
against its own register, a refund keeps its sale's member, and central's purchases per member equal the sales."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from flask import Flask

from pos.core import clock
from pos.extensions import db
from pos.members import purchases
from pos.models import Cooperative, Member, MemberMonthRollup, Outlet, Sale
from pos.sync import changes
from tests.web.test_sync_trust import Central, _refused, _sale


def _member_uuid(app: Flask, number: str, coop: str) -> str:
    with app.app_context():
        key = db.session.scalar(
            db.select(Member.uuid).join(Member.cooperative).where(Member.number == number, Cooperative.code == coop)
        )
        assert key is not None
        return str(key)


def _refund_of(central: Central, sale: dict[str, Any]) -> dict[str, Any]:
    refund = copy.deepcopy(sale)
    refund["id"], refund["seq"], refund["type"] = str(uuid.uuid4()), central.seq, "sale.refund"
    central.seq += 1
    p = refund["payload"]
    p["uuid"] = p["idempotency_key"] = str(uuid.uuid4())
    p["kind"], p["original"], p["receipt_no"] = "refund", sale["payload"]["uuid"], f"{central.code}-R{central.seq}"
    p.pop("receipt_token", None)
    for line, original in zip(p["lines"], sale["payload"]["lines"], strict=True):
        line["uuid"], line["original_line"] = str(uuid.uuid4()), original["uuid"]
        for name in ("quantity", "gross", "discount", "net", "fee", "investor_share"):
            line[name] = -line[name]
    for name in ("subtotal", "discount", "total", "fee", "investor_share", "paid"):
        p[name] = -p[name]
    p["change"], p["rounding"] = 0, 0
    p["payments"] = [{"uuid": str(uuid.uuid4()), "method": "cash", "amount": p["total"], "reference": ""}]
    p["movements"] = [
        {**m, "uuid": str(uuid.uuid4()), "kind": "refund", "quantity": -m["quantity"]} for m in p["movements"]
    ]
    return refund


def test_a_sale_to_a_member_is_stored_with_them_and_counted_in_their_year(app: Flask) -> None:
    central = Central(app)
    events = central.events()
    sale = _sale(events)
    sale["payload"]["member"] = _member_uuid(app, "CPR-0004", "KMP-CIPARE")
    refund = _refund_of(central, sale)
    results = central.push([*events, refund])
    assert {r["status"] for r in results.values()} == {"accepted"}, results
    with app.app_context():
        stored = db.session.scalar(db.select(Sale).where(Sale.uuid == uuid.UUID(sale["payload"]["uuid"])))
        assert stored is not None and stored.member is not None and stored.member.number == "CPR-0004"
        taken_back = db.session.scalar(db.select(Sale).where(Sale.uuid == uuid.UUID(refund["payload"]["uuid"])))
        assert taken_back is not None and taken_back.member_id == stored.member_id
        coop = db.session.get_one(Cooperative, stored.member.cooperative_id)
        year = purchases.current_year(coop, stored.business_date)
        assert purchases.of_year(coop.id, year) == purchases.raw(coop.id, year)
        row = db.session.get(
            MemberMonthRollup, (central.outlet_id, stored.member_id, stored.business_date.replace(day=1))
        )
        assert row is not None and row.refunds >= 1


def test_a_member_of_another_cooperative_or_unknown_is_refused(app: Flask) -> None:
    central = Central(app)
    events = central.events()
    _sale(events)["payload"]["member"] = _member_uuid(app, "CPR-0001", "KMP-KDR")
    _refused(central, events, "foreign_reference")
    events = central.events()
    _sale(events)["payload"]["member"] = str(uuid.uuid4())
    _refused(central, events, "unknown_reference")


def test_a_refund_naming_another_member_than_its_sale_is_refused(app: Flask) -> None:
    central = Central(app)
    events = central.events()
    sale = _sale(events)
    sale["payload"]["member"] = _member_uuid(app, "CPR-0004", "KMP-CIPARE")
    central.push(events)
    refund = _refund_of(central, sale)
    refund["payload"]["member"] = _member_uuid(app, "CPR-0005", "KMP-CIPARE")
    _refused(central, [refund], "invalid")
    refund = _refund_of(central, sale)
    refund["payload"].pop("member")  # nor none
    _refused(central, [refund], "invalid")


def test_an_outlet_receives_its_own_cooperatives_members_and_a_change_to_one(app: Flask) -> None:
    with app.app_context():
        kaduagung = db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-KDR"))
        assert kaduagung is not None
        page = changes.page_for(kaduagung, 0, 5000)
        members = [c["data"] for c in page["changes"] if c["entity"] == "member"]
        assert [(m["number"], m["full_name"]) for m in members] == [("CPR-0001", "Anggota Kaduagung")]
        cursor = page["cursor"]
        member = db.session.scalar(db.select(Member).where(Member.cooperative_id == kaduagung.cooperative_id))
        assert member is not None
        member.phone = "081299990000"
        member.updated_at = clock.now()
        db.session.commit()
        later = changes.page_for(kaduagung, cursor, 5000)
        assert [c["data"]["phone"] for c in later["changes"] if c["entity"] == "member"] == ["081299990000"]
