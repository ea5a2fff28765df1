"""Central trusts no outlet: every pushed sale is recomputed against central's own agreements and ownership,
and any one malformed event is refused alone while the rest of its batch is stored (central on SQLite here;
tests/pg repeats the essentials on PostgreSQL)."""

from __future__ import annotations

import copy
import random
import uuid
from typing import Any

import pytest
from flask import Flask

from pos.extensions import db
from pos.models import Outlet, Sale, Shift, StaffMember, SyncConflict, SyncEvent, User
from pos.sync import tokens
from tests.sync_factories import catalogue_of, events_for


class Central:
    """The all-in-one app as central, with a token for one outlet, and valid events that outlet would send."""

    def __init__(self, app: Flask, code: str = "SRG-CPR", cashier: str = "kasir_pw") -> None:
        self.app, self.code = app, code
        with app.app_context():
            outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == code))
            user = db.session.scalar(db.select(User).where(User.username == cashier))
            assert outlet and user
            self.outlet_id = outlet.id
            self.token = tokens.issue(outlet, None)
            self.catalogue = catalogue_of(outlet.id)
            self.cashier = str(user.uuid)
            # sequence numbers after any this outlet has used (a PostgreSQL test module shares one database)
            self.seq = (
                db.session.scalar(db.select(db.func.max(SyncEvent.seq)).where(SyncEvent.outlet_id == outlet.id)) or 0
            ) + 1000
            db.session.commit()
        self.api = app.test_client()

    def events(self, sales: int = 1) -> list[dict[str, Any]]:
        node = {"code": self.code, "cashier": self.cashier}
        made = events_for(node, self.catalogue, sales, random.Random(self.seq), self.seq)
        for event in made:
            event["payload"]["receipt_no"] = f"{self.code}-T{uuid.uuid4().hex[:12]}"
        self.seq += len(made)
        return made

    def push(self, events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        answer = self.api.post(
            "/api/v1/sync/push", json={"events": events}, headers={"Authorization": f"Bearer {self.token}"}
        )
        assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
        return {r["id"]: r for r in answer.get_json()["results"]}

    def stored(self, sale_uuid: str) -> bool:
        with self.app.app_context():
            return db.session.scalar(db.select(Sale.id).where(Sale.uuid == uuid.UUID(sale_uuid))) is not None


def _sale(events: list[dict[str, Any]]) -> dict[str, Any]:
    return next(e for e in events if e["type"].startswith("sale."))


def _refused(central: Central, events: list[dict[str, Any]], code: str) -> None:
    results = central.push(events)
    bad = _sale(events)
    assert results[bad["id"]]["status"] == "rejected", results[bad["id"]]
    assert results[bad["id"]]["code"] == code, results[bad["id"]]
    assert not central.stored(bad["payload"]["uuid"])
    with central.app.app_context():
        reasons = db.session.scalars(
            db.select(SyncConflict.reason).where(SyncConflict.event_uuid == uuid.UUID(bad["id"]))
        )
        assert code in set(reasons)


def test_a_valid_sale_is_stored(app: Flask) -> None:
    central = Central(app)
    events = central.events(2)
    results = central.push(events)
    assert {r["status"] for r in results.values()} == {"accepted"}
    assert all(central.stored(e["payload"]["uuid"]) for e in events if e["type"] == "sale.completed")


def test_a_fee_the_split_does_not_give_is_refused(app: Flask) -> None:
    central = Central(app)
    events = central.events()
    line = _sale(events)["payload"]["lines"][0]
    moved = line["fee"]
    line["fee"], line["investor_share"] = 0, line["net"]  # the cooperative's fee handed to the investor
    _sale(events)["payload"]["fee"] -= moved
    _sale(events)["payload"]["investor_share"] += moved
    _refused(central, events, "wrong_split")


def test_a_rate_other_than_the_agreements_is_refused(app: Flask) -> None:
    central = Central(app)
    events = central.events()
    sale = _sale(events)["payload"]
    line = sale["lines"][0]
    old_fee = line["fee"]
    line["fee_bp"], line["fee"], line["investor_share"] = 10_000, line["net"], 0  # consistent, but not agreed
    sale["fee"] += line["fee"] - old_fee
    sale["investor_share"] = sale["total"] - sale["fee"]
    _refused(central, events, "wrong_rate")


def test_a_sale_on_another_outlets_shift_is_refused(app: Flask) -> None:
    """References are looked for within the pushing outlet only: another outlet's shift is not there."""
    other = Central(app, "SRG-KDR", "kasir_b")
    theirs = other.events()
    assert {r["status"] for r in other.push(theirs).values()} == {"accepted"}
    central = Central(app)
    events = central.events()
    _sale(events)["payload"]["shift"] = theirs[0]["payload"]["uuid"]
    _refused(central, events[1:], "unknown_reference")
    assert other.stored(_sale(theirs)["payload"]["uuid"])


def test_a_shift_opened_under_another_outlets_shift_or_cashier_is_refused(app: Flask) -> None:
    other = Central(app, "SRG-KDR", "kasir_b")
    theirs = other.events()
    other.push(theirs)
    central = Central(app)
    events = central.events()
    opened = events[0]
    opened["payload"]["cashier"] = other.cashier
    results = central.push([opened])
    assert (results[opened["id"]]["status"], results[opened["id"]]["code"]) == ("rejected", "foreign_reference")
    # A UUID is unique within its outlet: the same one at another outlet is that outlet's own record, and
    # neither is ever read or changed through the other.
    again = central.events()[0]
    again["payload"]["uuid"] = theirs[0]["payload"]["uuid"]
    results = central.push([again])
    assert results[again["id"]]["status"] == "accepted"
    with app.app_context():
        shifts = db.session.scalars(db.select(Shift).where(Shift.uuid == uuid.UUID(theirs[0]["payload"]["uuid"])))
        by_outlet = {s.outlet.code: (s.cashier.uuid, s.opening_float) for s in shifts}
    assert set(by_outlet) == {"SRG-KDR", central.code}
    assert str(by_outlet["SRG-KDR"][0]) == other.cashier


def test_a_refund_of_another_outlets_sale_is_refused(app: Flask) -> None:
    other = Central(app, "SRG-KDR", "kasir_b")
    theirs = other.events()
    other.push(theirs)
    central = Central(app)
    events = central.events()
    central.push(events)
    their_sale = _sale(theirs)["payload"]
    refund = copy.deepcopy(_sale(events))
    refund["id"], refund["seq"], refund["type"] = str(uuid.uuid4()), central.seq + 1, "sale.refund"
    p = refund["payload"]
    p["uuid"] = p["idempotency_key"] = str(uuid.uuid4())
    p["kind"], p["original"], p["receipt_no"] = "refund", their_sale["uuid"], f"{central.code}-R1"
    for line, original in zip(p["lines"], their_sale["lines"], strict=False):
        line["uuid"], line["original_line"] = str(uuid.uuid4()), original["uuid"]
    for item in (*p["payments"], *p["movements"]):
        item["uuid"] = str(uuid.uuid4())
    _refused(central, [refund], "unknown_reference")


def test_a_line_under_another_cooperatives_agreement_is_refused(app: Flask) -> None:
    central = Central(app)
    with app.app_context():
        foreign = catalogue_of(db.session.scalar(db.select(Outlet.id).where(Outlet.code == "SRG-KDR")))
    events = central.events()
    line = _sale(events)["payload"]["lines"][0]
    line["agreement_version"] = foreign[0][2]  # UD Lain Jaya's terms with Kaduagung, not this outlet's
    _refused(central, events, "agreement_not_in_force")


def test_staff_of_another_outlet_cannot_be_overwritten(app: Flask) -> None:
    """Kaduagung saving a member under Cipare's member's UUID saves its own member; Cipare's is untouched."""
    with app.app_context():
        member = db.session.scalar(
            db.select(StaffMember).join(Outlet, StaffMember.outlet_id == Outlet.id).where(Outlet.code == "SRG-CPR")
        )
        assert member is not None
        key, name, nik = str(member.uuid), member.full_name, member.national_id
    central = Central(app, "SRG-KDR", "kasir_b")
    event = {
        "id": str(uuid.uuid4()),
        "seq": 1,
        "type": "staff.saved",
        "schema_version": 1,
        "payload": {
            "uuid": key,
            "full_name": "Diambil alih",
            "role": "cashier",
            "role_note": "",
            "employer": "cooperative",
            "investor": None,
            "start_date": "2026-01-01",
            "end_date": None,
            "new_job": False,
            "national_id": "3604019999990001",
            "updated_at": "2026-11-30T03:00:00+00:00",
        },
    }
    results = central.push([event])
    assert results[event["id"]]["status"] == "accepted"
    with app.app_context():
        members = db.session.scalars(db.select(StaffMember).where(StaffMember.uuid == uuid.UUID(key)))
        found = {m.outlet.code: (m.full_name, m.national_id) for m in members}
    assert found == {"SRG-CPR": (name, nik), "SRG-KDR": ("Diambil alih", "3604019999990001")}


def test_two_cashiers_created_at_an_outlet_within_a_minute_do_not_collide(app: Flask) -> None:
    central = Central(app)
    prefix = uuid.uuid4().hex[:8]
    opened = []
    for n in range(2):
        cashier = uuid.UUID(prefix + uuid.uuid4().hex[8:])
        event = central.events()[0]
        event["payload"]["cashier"], event["payload"]["cashier_name"] = str(cashier), f"Kasir baru {n}"
        opened.append(event)
    results = central.push(opened)
    assert [results[e["id"]]["status"] for e in opened] == ["accepted", "accepted"]


def _poisoned(event: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    bad = copy.deepcopy(event)
    target = bad["payload"]
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return bad


POISONS = [
    (("created_at",), "yesterday"),
    (("created_at",), "0001-01-01T00:00:00+14:00"),
    (("business_date",), "0000-00-00"),
    (("lines", 0, "unit_price"), {}),
    (("lines", 0, "unit_price"), 1e308),
    (("lines", 0, "quantity"), 2**63),
    (("lines", 0, "name"), "\ud800"),
    (("lines", 0, "product"), KeyError),
    (("payments", 0, "amount"), "x"),
    (("movements", 0, "quantity"), 10**15),
    (("receipt_no",), ["a"]),
]


@pytest.mark.parametrize(("path", "value"), POISONS, ids=[f"{'.'.join(map(str, p))}={v!r}"[:40] for p, v in POISONS])
def test_a_poisoned_sale_in_the_middle_of_a_batch_is_refused_alone(
    app: Flask, path: tuple[Any, ...], value: Any
) -> None:
    central = Central(app)
    events = central.events(3)
    events[2] = _poisoned(events[2], path, value)
    results = central.push(events)
    statuses = [results[e["id"]]["status"] for e in events]
    assert statuses == ["accepted", "accepted", "rejected", "accepted"], [results[e["id"]] for e in events]
    assert central.stored(events[3]["payload"]["uuid"]) and not central.stored(events[2]["payload"]["uuid"])


@pytest.mark.parametrize(
    "query", ["cursor=--1", "cursor=%C2%B2", "limit=%C2%B2", "limit=0", "limit=1001", "cursor=-1", "cursor=" + "9" * 30]
)
def test_a_bad_pull_cursor_or_limit_is_a_clear_400(app: Flask, query: str) -> None:
    central = Central(app)
    answer = central.api.get(f"/api/v1/sync/pull?{query}", headers={"Authorization": f"Bearer {central.token}"})
    assert answer.status_code == 400 and answer.get_json()["error"] in ("bad_cursor", "bad_limit")


def test_json_nested_too_deep_is_a_clear_400(app: Flask) -> None:
    central = Central(app)
    body = '{"events": [' + "[" * 1025 + "]" * 1025 + "]}"
    answer = central.api.post(
        "/api/v1/sync/push",
        data=body,
        headers={"Authorization": f"Bearer {central.token}", "Content-Type": "application/json"},
    )
    assert answer.status_code == 400


def test_a_refusal_that_heals_is_closed_once_accepted_and_refusals_show_the_outlets_code(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    central = Central(app)
    opened, sale = central.events()
    first = central.push([sale])
    assert (first[sale["id"]]["status"], first[sale["id"]]["code"]) == ("rejected", "unknown_reference")
    its_shift, bad = central.events()
    bad["payload"]["lines"][0]["fee_bp"] = 9999
    central.push([its_shift, bad])
    health = login_as("admin").get("/sync/health").get_data(as_text=True)
    refused = health[health.index("Kejadian yang ditolak") :]
    assert refused.count("SRG-CPR") >= 2 and "unknown_reference" in refused and "wrong_rate" in refused
    later = central.push([opened, sale])  # the shift arrives; the outlet sends the sale again
    assert [later[e["id"]]["status"] for e in (opened, sale)] == ["accepted", "accepted"]
    with app.app_context():
        still_open = db.session.scalars(
            db.select(SyncConflict.reason).where(
                SyncConflict.resolved_at.is_(None), SyncConflict.outlet_id == central.outlet_id
            )
        ).all()
    assert still_open == ["wrong_rate"]


def _document(central: Central, kind: str, **payload: Any) -> dict[str, Any]:
    central.seq += 1
    return {"id": str(uuid.uuid4()), "seq": central.seq, "type": kind, "schema_version": 1, "payload": payload}


def _uuids(app: Flask) -> dict[str, str]:
    from pos.models import Investor, Product

    with app.app_context():
        return {
            "product": str(db.session.scalar(db.select(Product.uuid).where(Product.sku == "MIE-INDGRG"))),
            "investor": str(db.session.scalar(db.select(Investor.uuid).where(Investor.code == "SRB"))),
            "manager": str(db.session.scalar(db.select(User.uuid).where(User.username == "manajer"))),
        }


def _count(ids: dict[str, str], **line: Any) -> dict[str, Any]:
    return {
        "count": str(uuid.uuid4()),
        "number": f"OPN-{uuid.uuid4().hex[:8]}",
        "confirmed_by": ids["manager"],
        "confirmed_at": "2026-11-30T03:00:00+00:00",
        "started_at": "2026-11-30T02:00:00+00:00",
        "scope": "",
        "reason": "",
        "lines": [{"product": ids["product"], "counted": 5, "expected": 5, "unit_price": 3000, "note": "", **line}],
        "movements": [],
    }


BAD_COUNT_LINES = [
    {"product": None},
    {"expected": "x"},
    {"expected": 2**63},
    {"unit_price": {}},
    {"unit_price": 1e308},
    {"counted": -1},
]


@pytest.mark.parametrize("line", BAD_COUNT_LINES, ids=[repr(x)[:30] for x in BAD_COUNT_LINES])
def test_a_bad_count_line_is_refused_alone(app: Flask, line: dict[str, Any]) -> None:
    central, ids = Central(app), _uuids(app)
    good = _document(central, "stock_count.confirmed", **_count(ids))
    bad = _document(central, "stock_count.confirmed", **_count(ids, **line))
    results = central.push([bad, good])
    assert results[bad["id"]]["status"] == "rejected" and results[good["id"]]["status"] == "accepted"
    admin = app.test_client()
    assert admin.get("/login").status_code == 200


def test_documents_with_an_investor_and_staff_without_new_job_on_sqlite(app: Flask) -> None:
    central, ids = Central(app), _uuids(app)
    restock = _document(
        central,
        "restock.requested",
        request=str(uuid.uuid4()),
        number=f"PMT-{uuid.uuid4().hex[:8]}",
        investor=ids["investor"],
        note="",
        requested_by=ids["manager"],
        requested_at="2026-11-30T03:00:00+00:00",
        lines=[{"product": ids["product"], "description": "", "quantity": 10}],
    )
    staff = {
        "uuid": str(uuid.uuid4()),
        "full_name": "Pegawai Baru",
        "role": "cashier",
        "role_note": "",
        "employer": "investor",
        "investor": ids["investor"],
        "start_date": "2026-11-01",
        "end_date": None,
        "new_job": True,
        "national_id": None,
        "updated_at": "2026-11-30T03:00:00+00:00",
    }
    saved = _document(central, "staff.saved", **staff)
    without = _document(central, "staff.saved", **{**staff, "uuid": str(uuid.uuid4())})
    del without["payload"]["new_job"]
    results = central.push([restock, saved, without])
    assert [results[e["id"]]["status"] for e in (restock, saved, without)] == ["accepted", "accepted", "rejected"]


def test_another_outlets_delivery_or_count_is_never_touched(app: Flask) -> None:
    from pos.models import Delivery, StockCount

    with app.app_context():
        delivery = db.session.scalar(
            db.select(Delivery).join(Outlet, Delivery.outlet_id == Outlet.id).where(Outlet.code == "SRG-CPR")
        )
        count = db.session.scalar(db.select(StockCount))
        assert delivery is not None and count is not None
        keys = str(delivery.uuid), str(count.uuid)
        status, received_at = delivery.status, delivery.received_at
    central = Central(app, "SRG-KDR", "kasir_b")
    ids = _uuids(app)
    received = _document(
        central, "delivery.received", delivery=keys[0], received_at="2026-11-30T03:00:00+00:00", lines=[], movements=[]
    )
    counted = _document(central, "stock_count.confirmed", **{**_count(ids), "count": keys[1], "lines": []})
    results = central.push([received, counted])
    assert [(results[e["id"]]["status"], results[e["id"]].get("code")) for e in (received, counted)] == [
        ("rejected", "unknown_reference"),  # no such delivery to this outlet
        ("accepted", None),  # Kaduagung's own count, under a UUID Cipare's count also has
    ]
    with app.app_context():
        theirs = db.session.get(Delivery, (delivery.id, delivery.outlet_id))
        assert theirs is not None and (theirs.status, theirs.received_at) == (status, received_at)
        counts = db.session.scalars(db.select(StockCount).where(StockCount.uuid == uuid.UUID(keys[1])))
        assert sorted(c.outlet.code for c in counts) == ["SRG-CPR", "SRG-KDR"]


@pytest.mark.parametrize("reused", ["payment", "movement"])
def test_a_record_uuid_another_sale_holds_refuses_that_event_alone(app: Flask, reused: str) -> None:
    central = Central(app)
    first = central.events()
    central.push(first)
    events = central.events(3)
    taken = _sale(first)["payload"]["payments" if reused == "payment" else "movements"][0]["uuid"]
    events[2]["payload"]["payments" if reused == "payment" else "movements"][0]["uuid"] = taken
    results = central.push(events)
    statuses = [(results[e["id"]]["status"], results[e["id"]].get("code")) for e in events]
    assert statuses == [("accepted", None), ("accepted", None), ("rejected", "database_refused"), ("accepted", None)]
    assert central.stored(events[3]["payload"]["uuid"]) and not central.stored(events[2]["payload"]["uuid"])


def test_another_outlets_return_or_restock_request_is_never_touched(app: Flask) -> None:
    from pos.models import Investor, Product, RestockRequest, StockReturn
    from pos.stock import restock, returns

    with app.app_context():
        cipare = db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-CPR"))
        srb = db.session.scalar(db.select(Investor).where(Investor.code == "SRB"))
        manager = db.session.scalar(db.select(User).where(User.username == "manajer"))
        product = db.session.scalar(db.select(Product).where(Product.sku == "MIE-INDGRG"))
        assert cipare and srb and manager and product
        from pos.models import ReturnReason

        handed = returns.create_return(cipare, srb, ReturnReason.DAMAGED, {product.id: 1}, manager)
        asked = restock.create(cipare, srb, [restock.Wanted(5, product.id)], manager)
        db.session.commit()
        keys = str(handed.uuid), str(asked.uuid)
        assert db.session.get(StockReturn, (handed.id, cipare.id)) and db.session.get(
            RestockRequest, (asked.id, cipare.id)
        )
    central, ids = Central(app, "SRG-KDR", "kasir_b"), _uuids(app)
    sent = _document(
        central,
        "stock_return.sent",
        **{"return": keys[0]},
        number="RTR-X",
        investor=ids["investor"],
        reason="damaged",
        note="",
        sent_at="2026-11-30T03:00:00+00:00",
        movements=[],
    )
    requested = _document(
        central,
        "restock.requested",
        request=keys[1],
        number="PMT-X",
        investor=ids["investor"],
        note="",
        requested_at="2026-11-30T03:00:00+00:00",
        lines=[{"product": ids["product"], "description": "", "quantity": 1}],
    )
    results = central.push([sent, requested])
    assert [results[e["id"]]["status"] for e in (sent, requested)] == ["accepted", "accepted"]
    with app.app_context():
        for model, key, number in ((StockReturn, keys[0], "RTR-X"), (RestockRequest, keys[1], "PMT-X")):
            rows = db.session.scalars(db.select(model).where(model.uuid == uuid.UUID(key)))
            found = {row.outlet.code: row.number for row in rows}
            assert found["SRG-KDR"] == number and found["SRG-CPR"] != number


def test_the_outlet_sends_an_event_refused_for_a_missing_reference_again(db_path, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A sale that reached central before its shift is not quarantined: it goes again after the shift."""
    from flask_migrate import upgrade

    from pos.models import OutboxEvent
    from pos.sync import worker
    from tests.conftest import make_app
    from tests.e2e.conftest import LiveServer
    from tests.sync_factories import waiting_in_outbox

    central_app = make_app(f"sqlite:///{db_path}", POS_ROLE="central")
    central = Central(central_app)
    with LiveServer(central_app) as server:
        outlet = make_app(
            f"sqlite:///{tmp_path / 'outlet.sqlite3'}",
            POS_ROLE="outlet",
            POS_OUTLET_CODE=central.code,
            POS_CENTRAL_URL=server.url,
            POS_SYNC_TOKEN=central.token,
        )
        with outlet.app_context():
            upgrade()
            worker.sync_once()
            local = db.session.scalar(db.select(Outlet).where(Outlet.code == central.code))
            first = (db.session.scalar(db.select(db.func.max(OutboxEvent.seq))) or 0) + 1
            opened, sale = central.events()
            opened["seq"], sale["seq"] = first + 1, first  # the sale is queued before its shift
            waiting_in_outbox(local.id, [sale, opened])
            db.session.commit()
            report = worker.sync_once(batch=1)
            assert (report.quarantined, report.pending) == (0, 1)  # the shift went; the sale waits
            assert worker.sync_once(batch=1).pending == 0  # and goes once its shift is there
            row = db.session.scalar(db.select(OutboxEvent).where(OutboxEvent.seq == first))
            assert row is not None and row.sent_at is not None and row.quarantined_at is None
        with outlet.app_context():
            db.engine.dispose()
    assert central.stored(sale["payload"]["uuid"])
    with central_app.app_context():
        assert (
            db.session.scalar(db.select(db.func.count(SyncConflict.id)).where(SyncConflict.resolved_at.is_(None))) == 0
        )
        db.engine.dispose()


def test_a_sale_at_another_unit_price_is_stored_counted_and_shown(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    from pos.domain.money import split_line
    from pos.models import OutletSyncState

    central = Central(app)
    events = central.events()
    sale = _sale(events)["payload"]
    line = sale["lines"][0]
    line["unit_price"] += 500  # sold offline before central's price change reached the outlet
    line["gross"] = line["net"] = line["quantity"] * line["unit_price"]
    split = split_line(line["net"], line["fee_bp"])
    line["fee"], line["investor_share"] = split.fee, split.investor_share
    sale["total"] = sale["subtotal"] = sale["paid"] = sum(ln["net"] for ln in sale["lines"])
    sale["fee"] = sum(ln["fee"] for ln in sale["lines"])
    sale["investor_share"] = sale["total"] - sale["fee"]
    sale["payments"][0]["amount"] = sale["total"]
    results = central.push(events)
    assert {r["status"] for r in results.values()} == {"accepted"}
    with app.app_context():
        state = db.session.get(OutletSyncState, central.outlet_id)
        assert state is not None and state.price_differs == 1
    health = login_as("admin").get("/sync/health").get_data(as_text=True)
    assert "Harga lain" in health


def test_an_event_id_is_unique_within_its_outlet(app: Flask) -> None:
    """Two outlets' events under one id are two events (README: why per outlet is enough); a repeat within the
    outlet is still a duplicate, and another body under it still a conflict."""
    cipare, kaduagung = Central(app), Central(app, "SRG-KDR", "kasir_b")
    mine = cipare.events()
    assert {r["status"] for r in cipare.push(mine).values()} == {"accepted"}
    theirs = kaduagung.events()
    theirs[0]["id"] = mine[0]["id"]
    assert kaduagung.push(theirs)[mine[0]["id"]]["status"] == "accepted"
    assert cipare.push(mine[:1])[mine[0]["id"]]["status"] == "duplicate"
    changed = copy.deepcopy(mine[0])
    changed["payload"]["opening_float"] = changed["payload"]["opening_float"] + 1
    assert cipare.push([changed])[changed["id"]]["code"] == "changed_body"
    with app.app_context():
        stored = db.session.scalars(db.select(SyncEvent.outlet_id).where(SyncEvent.uuid == uuid.UUID(mine[0]["id"])))
        assert sorted(stored) == sorted({cipare.outlet_id, kaduagung.outlet_id})


def _rounded(event: dict[str, Any], rounding: int, method: str = "cash") -> dict[str, Any]:
    sale = event["payload"]
    sale["rounding"] = rounding
    sale["paid"] = sale["total"] + rounding
    sale["payments"] = [{"uuid": str(uuid.uuid4()), "method": method, "amount": sale["paid"], "reference": "x"}]
    return event


def test_cash_rounding_is_accepted_only_as_a_rounding_of_the_cash_part(app: Flask) -> None:
    central = Central(app)
    for good in (True, False):
        events = central.events()
        sale = _sale(events)
        total = sale["payload"]["total"]
        if good:
            _rounded(sale, -(total % 100) if total % 100 <= 50 else 100 - total % 100)
            results = central.push(events)
            assert results[sale["id"]]["status"] == "accepted", results[sale["id"]]
            with app.app_context():
                stored = db.session.scalar(db.select(Sale).where(Sale.uuid == uuid.UUID(sale["payload"]["uuid"])))
                assert stored is not None and stored.rounding == sale["payload"]["rounding"]
                assert stored.paid - stored.change == stored.total + stored.rounding
    from pos.domain.cash import rounding_for

    for case in ("coins", "beyond_half", "not_cash"):
        events = central.events()
        sale = _sale(events)
        total = sale["payload"]["total"]
        nearest = rounding_for(total, 100)
        if case == "coins":  # leaves a due no coin pays
            _rounded(sale, nearest + 1 or nearest + 2)
        elif case == "beyond_half":  # a multiple of Rp100, but not the nearest one (nor one of Rp500)
            _rounded(sale, nearest + 100 if (total + nearest + 100) % 500 else nearest - 100)
        else:  # nothing was paid in cash
            _rounded(sale, nearest or 100, "qris")
        _refused(central, events, "invalid")
    events = central.events()
    _sale(events)["payload"]["rounding"] = 100  # the payments do not pay it
    _refused(central, events, "invalid")


def test_the_managers_till_settings_reach_central_and_the_newer_copy_wins(app: Flask) -> None:
    from pos.demo import DEMO_QRIS

    central = Central(app)
    static = DEMO_QRIS
    newer = {
        "qris_static": static,
        "cash_rounding": 500,
        "show_expected_cash": True,
        "updated_at": "2026-11-02T03:00:00+00:00",
    }
    older = {**newer, "cash_rounding": 100, "updated_at": "2026-11-01T03:00:00+00:00"}
    bad = [
        {**newer, "cash_rounding": 50},
        {**newer, "cash_rounding": "500"},
        {**newer, "show_expected_cash": "yes"},
        {**newer, "qris_static": "00020101021226not-a-qris"},
    ]
    events = [_document(central, "outlet.settings", **p) for p in (newer, older, *bad)]
    results = central.push(events)
    assert [results[e["id"]]["status"] for e in events] == ["accepted", "accepted"] + ["rejected"] * 4
    with app.app_context():
        outlet = db.session.get(Outlet, central.outlet_id)
        assert outlet is not None
        assert (outlet.cash_rounding, outlet.show_expected_cash) == (500, True)  # the older copy lost
        assert outlet.qris_static == static
