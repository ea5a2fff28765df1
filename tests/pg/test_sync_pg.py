"""An outlet on SQLite and central on PostgreSQL, with a real HTTP server (and a faulty proxy) between them."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from flask import Flask, Response, request
from werkzeug.serving import make_server

from pos import demo
from pos.auth.accounts import Policy
from pos.cashier import cart as cart_service
from pos.cashier import checkout, shifts
from pos.core import clock
from pos.extensions import db
from pos.models import (
    Cooperative,
    InvestorDayRollup,
    OutboxEvent,
    Outlet,
    OutletDayRollup,
    OutletSyncState,
    Product,
    Register,
    Sale,
    SaleKind,
    SaleLine,
    SyncConflict,
    SyncEvent,
    User,
)
from pos.sync import outbox, tokens, worker
from tests.conftest import make_app
from tests.e2e.conftest import LiveServer
from tests.rollup_check import assert_rollups_match

NODES = ("SYNC-R", "SYNC-M", "SYNC-A", "SYNC-B", "SYNC-C", "SYNC-D", "SYNC-E", "SYNC-F", "SYNC-G", "SYNC-H")


@pytest.fixture(scope="module")
def central(pg_url: str) -> Iterator[tuple[Flask, LiveServer, dict[str, str]]]:
    """Central on PostgreSQL with the demo and one outlet per test, each with its staff and token."""
    from flask_migrate import upgrade

    from pos.auth.accounts import hash_secret
    from pos.models import Agreement, Role

    app = make_app(pg_url, POS_ROLE="central")
    issued = {}
    with app.app_context():
        upgrade()
        demo.seed()
        home = db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-CPR"))
        for code in NODES:
            # the outlet node starts without opening stock, so it may sell below zero
            outlet = Outlet(
                code=code,
                name=f"Gerai {code}",
                cooperative_id=home.cooperative_id,
                allow_negative_stock=True,
                allow_short_pins=True,  # its staff's PINs below have 4 digits (staff from before 6-digit PINs)
            )
            db.session.add_all(
                [
                    outlet,
                    Register(outlet=outlet, code="KASIR-1", name="Kasir 1"),
                    User(
                        username=f"kasir-{code}".lower(),
                        full_name=f"Kasir {code}",
                        role=Role.CASHIER,
                        outlet=outlet,
                        pin_hash=hash_secret("1234"),
                    ),
                    User(
                        username=f"manajer-{code}".lower(),
                        full_name=f"Manajer {code}",
                        role=Role.MANAGER,
                        outlet=outlet,
                        pin_hash=hash_secret("9999"),
                    ),
                ]
            )
            for agreement in db.session.scalars(db.select(Agreement)):
                agreement.outlets.append(outlet)
            db.session.flush()
            issued[code] = tokens.issue(outlet, None)
        db.session.commit()
    with LiveServer(app) as server:
        yield app, server, issued
    with app.app_context():
        db.engine.dispose()


def _outlet_app(tmp_path: Path, url: str, token: str, code: str) -> Flask:
    from flask_migrate import upgrade

    app = make_app(
        f"sqlite:///{tmp_path / 'outlet.sqlite3'}",
        POS_ROLE="outlet",
        POS_OUTLET_CODE=code,
        POS_CENTRAL_URL=url,
        POS_SYNC_TOKEN=token,
    )
    with app.app_context():
        upgrade()
    return app


def _sell(app: Flask, code: str, count: int, *, refund_every: int = 0) -> None:
    """Cash sales of 1–3 random products through the real checkout, at the outlet."""
    rng = random.Random(count)
    with app.app_context():
        cashier = db.session.scalar(db.select(User).where(User.username == f"kasir-{code}".lower()))
        manager = db.session.scalar(db.select(User).where(User.username == f"manajer-{code}".lower()))
        shift = shifts.open_shift_of(cashier) or shifts.open_shift(
            cashier, db.session.scalar(db.select(Register.id).order_by(Register.id)), 100_000
        )
        products = [
            p for p in db.session.scalars(db.select(Product).where(Product.active.is_(True))) if p.unit == "pcs"
        ]
        db.session.commit()
        for number in range(count):
            basket = cart_service.cart_of(shift)
            for product in rng.sample(products, rng.randint(1, 3)):
                cart_service.add(basket, product, rng.randint(1, 4))
            total = cart_service.priced(basket).total
            sale_uuid = checkout.complete(
                basket, basket.revision, basket.uuid, checkout.PaymentInput(cash=total), cashier
            )
            db.session.commit()
            if refund_every and number % refund_every == 0:
                sale = db.session.scalar(db.select(Sale).where(Sale.uuid == sale_uuid))
                line = sale.lines[0]
                checkout.reverse(
                    sale,
                    {line.id: 1},
                    kind=SaleKind.REFUND,
                    reason="rusak",
                    manager_pin="9999",
                    user=manager,
                    shift=shift,
                    key=__import__("uuid").uuid4(),
                    policy=Policy(5, 15),
                )
                db.session.commit()
        del manager


def _sales(app: Flask, outlet_code: str, uuids: set[Any] | None = None) -> dict[str, tuple[int, int, int, str]]:
    with app.app_context():
        query = db.select(Sale.uuid, Sale.total, Sale.fee, Sale.investor_share, Sale.kind).join(
            Outlet, Sale.outlet_id == Outlet.id
        )
        query = query.where(Outlet.code == outlet_code)
        if uuids is not None:
            query = query.where(Sale.uuid.in_(uuids))
        return {str(u): (t, f, s, str(k)) for u, t, f, s, k in db.session.execute(query)}


def _outlet_sales(app: Flask, code: str) -> dict[str, tuple[int, int, int, str]]:
    return _sales(app, code)


def _central_copy(central_app: Flask, code: str) -> dict[str, Any]:
    """Everything central holds for the outlet: equal to the outlet's own set means 0 lost, 0 doubled."""
    return _sales(central_app, code)


def _drain(app: Flask, attempts: int = 200) -> None:
    with app.app_context():
        for _ in range(attempts):
            try:
                worker.sync_once()
            except worker.SyncError:
                time.sleep(0.01)
                continue
            if outbox.pending_count() == 0:
                return
        raise AssertionError(f"outbox did not drain: {outbox.pending_count()} waiting")


def test_outlet_pulls_sells_offline_and_central_gets_every_sale_once(central, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    central_app, server, issued = central
    code = "SYNC-A"
    outlet = _outlet_app(tmp_path, server.url, issued[code], code)
    with outlet.app_context():
        report = worker.sync_once()
        assert report.pulled > 40  # cooperative, outlet, registers, investors, categories, products, agreements, staff
        assert db.session.scalar(db.select(User).where(User.username == "kasir-sync-a")).pin_hash
        assert db.session.query(Product).count() == 44
        assert db.session.scalar(db.select(User).where(User.username == "kasir")) is None  # another outlet's staff
    _sell(outlet, code, 25, refund_every=10)
    outlet_sales = _outlet_sales(outlet, code)
    assert len(outlet_sales) == 28
    _drain(outlet)
    assert _central_copy(central_app, code) == outlet_sales
    with central_app.app_context():
        rollup = db.session.execute(
            db.select(db.func.sum(OutletDayRollup.total), db.func.sum(OutletDayRollup.fee)).where(
                OutletDayRollup.outlet_id == db.select(Outlet.id).where(Outlet.code == code).scalar_subquery()
            )
        ).one()
        assert tuple(rollup) == (sum(v[0] for v in outlet_sales.values()), sum(v[1] for v in outlet_sales.values()))
        by_investor = db.session.scalar(
            db.select(db.func.sum(InvestorDayRollup.net)).where(
                InvestorDayRollup.outlet_id == db.select(Outlet.id).where(Outlet.code == code).scalar_subquery()
            )
        )
        assert by_investor == rollup[0]
        assert_rollups_match()  # every rollup table, on PostgreSQL, equals the ingested sales

    # Everything marked unsent (as if the outlet crashed before marking) is acknowledged, not doubled.
    with outlet.app_context():
        db.session.execute(db.update(OutboxEvent).values(sent_at=None))
        db.session.commit()
    _drain(outlet)
    assert _central_copy(central_app, code) == outlet_sales
    with central_app.app_context():
        assert db.session.query(SyncConflict).count() == 0

    # A replay with a changed amount is refused, recorded, quarantined, and changes nothing.
    with outlet.app_context():
        event = db.session.scalar(db.select(OutboxEvent).where(OutboxEvent.event_type == "sale.completed"))
        payload = json.loads(event.payload)
        payload["total"] += 1000
        event.payload = json.dumps(payload)
        event.sent_at = None
        db.session.commit()
        worker.sync_once()
        assert db.session.get(OutboxEvent, (event.id, event.outlet_id)).quarantined_at is not None
    assert _central_copy(central_app, code) == outlet_sales
    with central_app.app_context():
        conflict = db.session.scalar(db.select(SyncConflict))
        assert conflict is not None and conflict.reason == "changed_body"


def test_the_customers_receipt_link_works_on_central_once_the_sale_synced(central, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    central_app, server, issued = central
    code = "SYNC-R"
    outlet = _outlet_app(tmp_path, server.url, issued[code], code)
    with outlet.app_context():
        worker.sync_once()
    _sell(outlet, code, 3)
    with outlet.app_context():
        sales = db.session.execute(db.select(Sale.receipt_token, Sale.receipt_no).order_by(Sale.id)).all()
    assert len(sales) == 3 and all(token for token, _ in sales)
    visitor = central_app.test_client()
    token, number = sales[0]
    assert visitor.get(f"/r/{token}").status_code == 404  # not on central before the sale has synced
    assert outlet.test_client().get(f"/r/{token}").status_code == 200  # the node serves it meanwhile
    _drain(outlet)
    for token, number in sales:
        page = visitor.get(f"/r/{token}")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert number in text and f"Gerai {code}" in text and "Kasir SYNC-R" not in text
        assert all(other in (number,) or other not in text for _, other in sales)
    assert visitor.get(f"/r/{sales[0][0][:-2]}zz").status_code == 404


def _member_rollup(app: Flask, code: str) -> dict[tuple[str, Any], tuple[int, int, int]]:
    from pos.models import Member, MemberMonthRollup

    with app.app_context():
        rows = db.session.execute(
            db.select(
                Member.number,
                MemberMonthRollup.month,
                MemberMonthRollup.purchases,
                MemberMonthRollup.sales,
                MemberMonthRollup.refunds,
            )
            .join(Member, Member.id == MemberMonthRollup.member_id)
            .join(Outlet, Outlet.id == MemberMonthRollup.outlet_id)
            .where(Outlet.code == code)
        ).all()
        return {(number, month): (p, s, r) for number, month, p, s, r in rows}


def test_members_reach_the_outlet_and_their_purchases_agree_on_both_sides(central, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from pos.members import purchases
    from pos.models import Member

    central_app, server, issued = central
    code = "SYNC-M"
    outlet = _outlet_app(tmp_path, server.url, issued[code], code)
    with outlet.app_context():
        worker.sync_once()
        members = db.session.scalars(db.select(Member).order_by(Member.number)).all()
        assert [m.number for m in members[:2]] == ["CPR-0001", "CPR-0002"] and len(members) == len(demo.MEMBER_NAMES)
        cashier = db.session.scalar(db.select(User).where(User.username == "kasir-sync-m"))
        manager = db.session.scalar(db.select(User).where(User.username == "manajer-sync-m"))
        shift = shifts.open_shift(cashier, db.session.scalar(db.select(Register.id).order_by(Register.id)), 0)
        products = [
            p for p in db.session.scalars(db.select(Product).where(Product.active.is_(True))) if p.unit == "pcs"
        ]
        db.session.commit()
        for n in range(9):
            basket = cart_service.cart_of(shift)
            cart_service.set_member(basket, members[n % 3] if n % 4 else None)
            cart_service.add(basket, products[n % len(products)], 1 + n % 3)
            total = cart_service.priced(basket).total
            sale_uuid = checkout.complete(
                basket, basket.revision, basket.uuid, checkout.PaymentInput(cash=total), cashier
            )
            db.session.commit()
            if n in (1, 5):
                sale = db.session.scalar(db.select(Sale).where(Sale.uuid == sale_uuid))
                checkout.reverse(
                    sale,
                    {sale.lines[0].id: 1},
                    kind=SaleKind.REFUND,
                    reason="rusak",
                    manager_pin="9999",
                    user=manager,
                    shift=shift,
                    key=__import__("uuid").uuid4(),
                    policy=Policy(5, 15),
                )
                db.session.commit()
        coop_id = db.session.scalar(db.select(Outlet.cooperative_id).where(Outlet.code == code))
        year = purchases.current_year(db.session.get_one(Cooperative, coop_id))
        assert purchases.of_year(coop_id, year) == purchases.raw(coop_id, year)
    _drain(outlet)
    at_outlet = _member_rollup(outlet, code)
    assert {number for number, _month in at_outlet} == {"CPR-0001", "CPR-0002", "CPR-0003"}
    assert sum(r for *_, r in at_outlet.values()) == 2
    assert _member_rollup(central_app, code) == at_outlet
    with central_app.app_context():
        coop_id = db.session.scalar(db.select(Outlet.cooperative_id).where(Outlet.code == code))
        year = purchases.current_year(db.session.get_one(Cooperative, coop_id))
        assert purchases.of_year(coop_id, year) == purchases.raw(coop_id, year)
        purchases.rebuild(db.session.scalar(db.select(Outlet.id).where(Outlet.code == code)))
        db.session.commit()
    assert _member_rollup(central_app, code) == at_outlet


def test_push_api_refuses_bad_input_with_json_errors(central) -> None:  # type: ignore[no-untyped-def]
    central_app, server, issued = central
    token = issued["SYNC-D"]
    url = server.url + "/api/v1/sync/push"
    auth = {"Authorization": f"Bearer {token}"}
    assert httpx.post(url, json={"events": []}).status_code == 401
    assert httpx.post(url, json={"events": []}, headers={"Authorization": "Bearer kmp_wrong"}).status_code == 401
    bad_json = httpx.post(url, content=b"{not json", headers={**auth, "Content-Type": "application/json"})
    assert bad_json.status_code == 400 and bad_json.json()["error"] == "malformed_json"
    assert httpx.post(url, json={"events": "x"}, headers=auth).status_code == 422
    assert httpx.post(url, json={"outlet": "SRG-CPR", "events": []}, headers=auth).status_code == 403
    assert httpx.post(url, json={"events": [{}] * 1001}, headers=auth).status_code == 413
    import uuid

    good_shift = {
        "id": str(uuid.uuid4()),
        "seq": 900_001,
        "type": "shift.opened",
        "schema_version": 1,
        "payload": {
            "uuid": str(uuid.uuid4()),
            "register": "KASIR-9",
            "cashier": str(uuid.uuid4()),
            "opened_at": "2026-11-28T01:00:00+00:00",
            "opening_float": 0,
        },
    }
    events = [
        {"id": "nope", "seq": 1, "type": "sale.completed", "schema_version": 1, "payload": {}},
        {"id": str(uuid.uuid4()), "seq": 900_002, "type": "teleport", "schema_version": 1, "payload": {}},
        {"id": str(uuid.uuid4()), "seq": 900_003, "type": "sale.completed", "schema_version": 99, "payload": {}},
        {
            "id": str(uuid.uuid4()),
            "seq": 900_004,
            "type": "sale.completed",
            "schema_version": 1,
            "payload": {"uuid": "x", "total": "lots"},
        },
        {  # shapes where lists and texts belong swapped around, a NaN-free huge integer, an upper-case UUID
            "id": str(uuid.uuid4()),
            "seq": 900_005,
            "type": "sale.completed",
            "schema_version": 1,
            "payload": {
                "uuid": str(uuid.uuid4()).upper(),
                "shift": ["x"],
                "lines": 5,
                "movements": "x",
                "total": 10**30,
            },
        },
        good_shift,
    ]
    answer = httpx.post(url, json={"events": events}, headers=auth)
    assert answer.status_code == 200
    codes = [r.get("code") for r in answer.json()["results"]]
    assert codes[:5] == ["malformed", "unknown_type", "unsupported_version", "invalid", "invalid"]
    assert answer.json()["ack"] == [good_shift["id"]]  # the rest of a valid batch is still handled
    with central_app.app_context():
        assert db.session.scalar(db.select(SyncEvent).where(SyncEvent.uuid == uuid.UUID(good_shift["id"])))
    spec = httpx.get(server.url + "/api/v1/openapi.json").json()
    responses = spec["paths"]["/api/v1/sync/push"]["post"]["responses"]
    assert {"200", "400", "401", "403", "413", "422", "503"} <= set(responses)


def test_four_pushers_sending_the_same_batch_store_it_once(central, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    central_app, server, issued = central
    code = "SYNC-B"
    token = issued[code]
    outlet = _outlet_app(tmp_path, server.url, token, code)
    with outlet.app_context():
        worker.sync_once()
    _sell(outlet, code, 12)
    with outlet.app_context():
        events = db.session.scalars(
            db.select(OutboxEvent).where(OutboxEvent.sent_at.is_(None)).order_by(OutboxEvent.seq)
        ).all()
        body = {
            "events": [
                {
                    "id": str(e.uuid),
                    "seq": e.seq,
                    "type": e.event_type,
                    "schema_version": 1,
                    "payload": json.loads(e.payload),
                }
                for e in events
            ]
        }
    answers: list[Any] = []

    def send() -> None:
        answers.append(
            httpx.post(
                server.url + "/api/v1/sync/push", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=60
            )
        )

    pushers = [threading.Thread(target=send) for _ in range(4)]
    for pusher in pushers:
        pusher.start()
    for pusher in pushers:
        pusher.join()
    assert [a.status_code for a in answers] == [200] * 4
    for answer in answers:
        assert len(answer.json()["ack"]) == len(events)
    assert sum(a.json()["accepted"] for a in answers) == len(events)
    assert _central_copy(central_app, code) == _outlet_sales(outlet, code)


class FaultyProxy:
    """Between outlet and central: drops, duplicates, delays, replays late, and cuts replies after commit."""

    def __init__(self, target: str, seed: int = 7) -> None:
        self.target = target
        self.rng = random.Random(seed)
        self.held: list[tuple[str, str, bytes, dict[str, str]]] = []
        self.stats = {"dropped": 0, "duplicated": 0, "cut": 0, "replayed": 0, "passed": 0}
        self.lock = threading.Lock()
        self.posts = 0
        app = Flask("proxy")
        app.add_url_rule("/<path:path>", "any", self.handle, methods=["GET", "POST"])
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _forward(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
        return httpx.request(method, f"{self.target}/{path}", content=body, headers=headers, timeout=60)

    def handle(self, path: str) -> Response:
        body = request.get_data()
        headers = {k: v for k, v in request.headers.items() if k.lower() in ("authorization", "content-type")}
        method = request.method
        if request.query_string:
            path = f"{path}?{request.query_string.decode()}"
        with self.lock:
            roll = self.rng.random()
            replay = self.held.pop(0) if self.held and self.rng.random() < 0.3 else None
            self.posts += method == "POST"
            turn = self.posts % 6 if method == "POST" else -1
        if replay is not None:
            self._forward(*replay)
            self.stats["replayed"] += 1
        time.sleep(self.rng.random() * 0.02)
        if roll < 0.15:
            self.stats["dropped"] += 1
            return Response("dropped", status=502)
        if turn == 1:
            self.stats["cut"] += 1
            self._forward(method, path, body, headers)  # central commits, the reply never arrives
            return Response("gateway timeout", status=504)
        if turn == 3:
            self.stats["duplicated"] += 1
            self._forward(method, path, body, headers)
        if turn == 4:
            with self.lock:
                self.held.append((method, path, body, headers))  # delivered again later, out of order
        answer = self._forward(method, path, body, headers)
        self.stats["passed"] += 1
        return Response(answer.content, status=answer.status_code, content_type=answer.headers.get("content-type"))

    def __enter__(self) -> FaultyProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_reused_sequence_number_or_receipt_number_is_refused_for_that_event_only(central, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    central_app, server, issued = central
    code = "SYNC-H"
    token = issued[code]
    outlet = _outlet_app(tmp_path, server.url, token, code)
    with outlet.app_context():
        worker.sync_once()
    _sell(outlet, code, 2)
    _drain(outlet)
    with outlet.app_context():
        stored = db.session.scalars(
            db.select(OutboxEvent).where(OutboxEvent.event_type == "sale.completed").order_by(OutboxEvent.seq)
        ).first()
        assert stored is not None
        top = db.session.scalar(db.select(db.func.max(OutboxEvent.seq))) or 0
        original = json.loads(stored.payload)
        seq = stored.seq

    def copy_of_sale(receipt: str) -> dict[str, Any]:
        payload = json.loads(json.dumps(original))
        payload["uuid"] = payload["idempotency_key"] = str(uuid.uuid4())
        payload["receipt_no"] = receipt
        for item in (*payload["lines"], *payload["payments"], *payload["movements"]):
            item["uuid"] = str(uuid.uuid4())
        return payload

    def event(at: int, payload: dict[str, Any]) -> dict[str, Any]:
        return {"id": str(uuid.uuid4()), "seq": at, "type": "sale.completed", "schema_version": 1, "payload": payload}

    batch = [
        event(seq, copy_of_sale(f"{code}-X-1")),  # a sequence number central already holds
        event(top + 10, copy_of_sale(original["receipt_no"])),  # a receipt number already taken
        event(top + 11, copy_of_sale(f"{code}-X-2")),  # a good one
        event(top + 12, copy_of_sale(f"{code}-X-3\u0000")),  # good too, with a NUL no text column can hold
    ]
    batch[3]["payload"]["lines"][0]["name"] = "Kopi\u0000 bubuk"
    answer = httpx.post(
        server.url + "/api/v1/sync/push", json={"events": batch}, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200
    results = {r["id"]: r for r in answer.json()["results"]}
    assert (results[batch[0]["id"]]["status"], results[batch[0]["id"]]["code"]) == ("conflict", "seq_reused")
    assert (results[batch[1]["id"]]["status"], results[batch[1]["id"]]["code"]) == ("rejected", "record_exists")
    assert results[batch[2]["id"]]["status"] == "accepted"
    assert results[batch[3]["id"]]["status"] == "accepted"
    assert answer.json()["ack"] == [batch[2]["id"], batch[3]["id"]]
    with central_app.app_context():
        stored_sales = set(
            db.session.scalars(
                db.select(Sale.receipt_no).join(Outlet, Sale.outlet_id == Outlet.id).where(Outlet.code == code)
            )
        )
        reasons = set(
            db.session.scalars(
                db.select(SyncConflict.reason)
                .join(Outlet, SyncConflict.outlet_id == Outlet.id)
                .where(Outlet.code == code)
            )
        )
    assert f"{code}-X-2" in stored_sales and f"{code}-X-3" in stored_sales and f"{code}-X-1" not in stored_sales
    assert {"seq_reused", "record_exists"} <= reasons


def test_faulty_network_and_crashes_lose_nothing_and_double_nothing(central, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    central_app, server, issued = central
    code = "SYNC-C"
    with FaultyProxy(server.url) as proxy:
        outlet = _outlet_app(tmp_path, proxy.url, issued[code], code)
        with outlet.app_context():
            for _ in range(50):
                try:
                    worker.sync_once()
                    break
                except worker.SyncError:
                    continue
        _sell(outlet, code, 40, refund_every=7)

        # The outlet process dies after sending a batch and before marking it sent.
        real_call = worker._call
        crashed = {"done": False}

        def call_then_crash(client: Any, method: str, url: str, **kw: Any) -> Any:
            answer = real_call(client, method, url, **kw)
            if method == "POST" and not crashed["done"]:
                crashed["done"] = True
                raise worker.SyncError("killed before marking sent")
            return answer

        monkeypatch.setattr(worker, "_call", call_then_crash)
        with outlet.app_context():
            monkeypatch.setattr(worker, "BATCH", 3)
            _drain(outlet, attempts=400)
        assert crashed["done"]
        assert all(proxy.stats[k] for k in ("dropped", "cut", "duplicated", "replayed")), proxy.stats
    outlet_sales = _outlet_sales(outlet, code)
    assert len(outlet_sales) == 40 + 6
    assert _central_copy(central_app, code) == outlet_sales
    with outlet.app_context():
        lines = db.session.scalar(db.select(db.func.count(SaleLine.id)))
    with central_app.app_context():
        import uuid

        central_lines = db.session.scalar(
            db.select(db.func.count(SaleLine.id))
            .join(Sale, SaleLine.sale_id == Sale.id)
            .where(Sale.uuid.in_([uuid.UUID(u) for u in outlet_sales]))
        )
    assert central_lines == lines


def test_a_backlog_of_50000_offline_sales_drains_after_the_network_returns(central, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.sync_factories import catalogue_of, events_for, waiting_in_outbox

    central_app, server, issued = central
    code = "SYNC-E"
    outlet = _outlet_app(tmp_path, server.url, issued[code], code)
    with outlet.app_context():
        worker.sync_once()
        local = db.session.scalar(db.select(Outlet).where(Outlet.code == code))
        cashier = db.session.scalar(db.select(User).where(User.username == "kasir-sync-e"))
        catalogue = catalogue_of(local.id)
        first = (db.session.scalar(db.select(db.func.max(OutboxEvent.seq))) or 0) + 1
        events = events_for({"code": code, "cashier": str(cashier.uuid)}, catalogue, 50_000, random.Random(3), first)
        # Sold while the internet was down: the whole day waits in the outbox.
        waiting_in_outbox(local.id, events)
        db.session.commit()
        assert outbox.pending_count() == 50_001
        db.session.commit()
    expected_total = sum(e["payload"]["total"] for e in events if e["type"] == "sale.completed")
    _drain(outlet, attempts=20)  # how fast: bench/backlog.py
    with outlet.app_context():
        assert outbox.pending_count() == 0
    with central_app.app_context():
        count, total = db.session.execute(
            db.select(db.func.count(Sale.id), db.func.sum(Sale.total))
            .join(Outlet, Sale.outlet_id == Outlet.id)
            .where(Outlet.code == code)
        ).one()
    assert (count, total) == (50_000, expected_total)


def test_stock_documents_travel_both_ways_and_the_ledgers_agree(central, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from datetime import date, timedelta

    from pos.core.clock import business_date
    from pos.models import (
        Delivery,
        DeliveryStatus,
        Investor,
        RestockRequest,
        ReturnReason,
        StockBalance,
        StockCount,
        StockReturn,
    )
    from pos.stock import counts, deliveries, inventory, products, restock, returns

    central_app, server, issued = central
    code = "SYNC-F"
    with central_app.app_context():
        investor_user = db.session.scalar(db.select(User).where(User.username == "mitra"))
        target = db.session.scalar(db.select(Outlet).where(Outlet.code == code))
        premium = db.session.scalar(db.select(Product).where(Product.sku == "BRS-PREM5"))
        sent = deliveries.create(
            investor_user.investor,
            target,
            business_date(target.timezone),
            [deliveries.PlannedLine(premium.id, 30, "B1", business_date(target.timezone) + timedelta(days=60))],
            investor_user,
            driver="Pak Ujang",
        )
        products.schedule_price(premium, 79_000, clock.now() + timedelta(days=1), investor_user)
        delivery_uuid = sent.uuid
        db.session.commit()

    outlet = _outlet_app(tmp_path, server.url, issued[code], code)
    with outlet.app_context():
        worker.sync_once()
        delivery = db.session.scalar(db.select(Delivery).where(Delivery.uuid == delivery_uuid))
        assert delivery is not None and delivery.lines[0].quantity == 30  # the investor's delivery arrived by sync
        local_premium = db.session.scalar(db.select(Product).where(Product.sku == "BRS-PREM5"))
        assert local_premium.price_due_at is not None  # the scheduled price came with the product
        manager = db.session.scalar(db.select(User).where(User.username == "manajer-sync-f"))
        local = db.session.scalar(db.select(Outlet).where(Outlet.code == code))
        deliveries.receive(delivery, [deliveries.Received(delivery.lines[0].id, 28, 2)], manager, "2 sak basah")
        db.session.commit()
        count = counts.start(local, manager, investor_id=local_premium.investor_id)
        counts.record(count, counts.line_for(count, local_premium.id), 25)
        counts.confirm(count, manager)
        srb = db.session.get(Investor, local_premium.investor_id)
        back = returns.create_return(local, srb, ReturnReason.DAMAGED, {local_premium.id: 2}, manager)
        returns.write_off(local, local_premium, 1, "dimakan tikus", manager)
        from pos.models import Employer, StaffRole
        from pos.staff import roster

        person = roster.save(
            local,
            roster.StaffData(
                "Ani Lestari",
                StaffRole.CASHIER,
                "",
                Employer.INVESTOR,
                srb.id,
                date(2026, 11, 1),
                None,
                True,
                "3604014101010004",
            ),
            manager,
        )
        person_uuid = person.uuid
        request = restock.create(
            local, srb, [restock.Wanted(20, local_premium.id), restock.Wanted(5, None, "Beras merah")], manager
        )
        db.session.commit()
        return_uuid, request_uuid, count_uuid = back.uuid, request.uuid, count.uuid
    _drain(outlet)

    with central_app.app_context():
        delivery = db.session.scalar(db.select(Delivery).where(Delivery.uuid == delivery_uuid))
        assert delivery.status == DeliveryStatus.RECEIVED and delivery.lines[0].received == 28
        assert delivery.lines[0].damaged == 2 and delivery.received_by is not None
        count = db.session.scalar(db.select(StockCount).where(StockCount.uuid == count_uuid))
        assert count is not None and count.confirmed_by is not None
        shrink = [r for r in inventory.shrinkage(None, {premium.investor_id}) if r.count.uuid == count_uuid]
        assert shrink[0].missing_units == 3 and shrink[0].missing_value == 3 * 78_000
        document = db.session.scalar(db.select(StockReturn).where(StockReturn.uuid == return_uuid))
        assert document.lines[0].quantity == 2
        returns.confirm_return(document, investor_user)
        wanted = db.session.scalar(db.select(RestockRequest).where(RestockRequest.uuid == request_uuid))
        assert sorted(line.quantity for line in wanted.lines) == [5, 20]
        restock.decline(wanted, "Gudang kosong", investor_user)
        from pos.models import StaffMember
        from pos.staff import roster

        ani = db.session.scalar(db.select(StaffMember).where(StaffMember.uuid == person_uuid))
        assert ani is not None and ani.outlet_id == target.id and ani.national_id == "3604014101010004"
        assert roster.jobs([target], date(2026, 11, 20))[0].new_jobs == 1
        # central records that she left; the outlet hears of it
        edited = roster.StaffData(
            "Ani Lestari",
            StaffRole.CASHIER,
            "",
            Employer.INVESTOR,
            ani.investor_id,
            date(2026, 11, 1),
            date(2026, 11, 30),
            True,
            "3604014101010004",
        )
        roster.save(target, edited, db.session.scalar(db.select(User).where(User.username == "pusat")), ani)
        db.session.commit()
        central_balance = db.session.scalar(
            db.select(StockBalance.quantity).where(
                StockBalance.outlet_id == target.id, StockBalance.product_id == premium.id
            )
        )

    with outlet.app_context():
        worker.sync_once()
        assert (
            db.session.scalar(db.select(RestockRequest).where(RestockRequest.uuid == request_uuid)).answer
            == "Gudang kosong"
        )
        assert db.session.scalar(db.select(StockReturn).where(StockReturn.uuid == return_uuid)).status == "received"
        from pos.models import StaffMember

        assert db.session.scalar(db.select(StaffMember).where(StaffMember.uuid == person_uuid)).end_date == date(
            2026, 11, 30
        )
        local_premium = db.session.scalar(db.select(Product).where(Product.sku == "BRS-PREM5"))
        local = db.session.scalar(db.select(Outlet).where(Outlet.code == code))
        outlet_balance = db.session.scalar(
            db.select(StockBalance.quantity).where(
                StockBalance.outlet_id == local.id, StockBalance.product_id == local_premium.id
            )
        )
    assert outlet_balance == central_balance == 28 - 3 - 2 - 1


# Real processes killed with SIGKILL: the outlet's sync worker and central's server, at random moments.

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pending(path: Path) -> int:
    with sqlite3.connect(path, timeout=10) as conn:
        return int(
            conn.execute(
                "SELECT count(*) FROM outbox_event WHERE sent_at IS NULL AND quarantined_at IS NULL"
            ).fetchone()[0]
        )


class Process:
    """A command that can be started, SIGKILLed and started again."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.args, self.env, self.log = args, env, log
        self.proc: subprocess.Popen[bytes] | None = None
        self.kills = 0

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                self.args, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def kill(self) -> None:
        """SIGKILL to the whole process group: gunicorn's master and its workers die at once."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.kills += 1

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)


def _wait_until_up(url: str) -> None:
    for _ in range(200):
        try:
            httpx.get(url + "/api/v1/openapi.json", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise AssertionError("central did not start")


def test_killed_outlet_worker_and_central_server_lose_nothing_and_double_nothing(central, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    central_app, server, issued = central
    code = "SYNC-G"
    outlet = _outlet_app(tmp_path, server.url, issued[code], code)
    with outlet.app_context():
        worker.sync_once()  # the catalogue and agreements arrive
    _sell(outlet, code, 600, refund_every=10)
    outlet_db = tmp_path / "outlet.sqlite3"
    waiting = _pending(outlet_db)
    assert waiting > 600

    port = _free_port()
    central_url = f"http://127.0.0.1:{port}"
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("POS_", "DATABASE_URL"))}
    base_env["PYTHONUNBUFFERED"] = "1"
    (tmp_path / "central").mkdir()
    central_proc = Process(
        [sys.executable, "-m", "gunicorn", "-w", "1", "--threads", "4", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        {
            **base_env,
            "POS_INSTANCE_PATH": str(tmp_path / "central"),
            "DATABASE_URL": central_app.config["SQLALCHEMY_DATABASE_URI"],
            "POS_ROLE": "central",
            "POS_RATELIMIT": "false",
        },
        tmp_path / "central.log",
    )
    node_worker = Process(
        [sys.executable, "-m", "pos.cli", "sync", "--interval", "1", "--batch", "2"],
        {
            **base_env,
            "POS_INSTANCE_PATH": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{outlet_db}",
            "POS_ROLE": "outlet",
            "POS_OUTLET_CODE": code,
            "POS_CENTRAL_URL": central_url,
            "POS_SYNC_TOKEN": issued[code],
        },
        tmp_path / "worker.log",
    )
    rng = random.Random(11)
    central_proc.start()
    _wait_until_up(central_url)
    node_worker.start()
    killed_in_flight = 0
    try:
        # Kill one or the other at random moments while the outbox drains, then start it again.
        while _pending(outlet_db) > 0 and node_worker.kills + central_proc.kills < 12:
            time.sleep(rng.uniform(0.1, 0.8))
            left = _pending(outlet_db)
            if left == 0:
                break
            if rng.random() < 0.3:
                central_proc.kill()
                central_proc.start()
                _wait_until_up(central_url)
            else:
                node_worker.kill()
                node_worker.start()
            killed_in_flight += 0 < left < waiting
        deadline = time.monotonic() + 120
        while _pending(outlet_db) > 0:
            assert time.monotonic() < deadline, f"{_pending(outlet_db)} events still waiting"
            time.sleep(0.2)
    finally:
        node_worker.stop()
        central_proc.stop()
    assert node_worker.kills >= 3 and central_proc.kills >= 1, (node_worker.kills, central_proc.kills)
    assert killed_in_flight >= 3
    with central_app.app_context():
        resent = db.session.scalar(
            db.select(OutletSyncState.resent)
            .join(Outlet, Outlet.id == OutletSyncState.outlet_id)
            .where(Outlet.code == code)
        )
    print(f"killed: outlet worker {node_worker.kills}x, central {central_proc.kills}x; events sent again: {resent}")

    outlet_sales = _outlet_sales(outlet, code)
    with central_app.app_context():
        central_sales = {
            str(u): (t, f, s, str(k))
            for u, t, f, s, k in db.session.execute(
                db.select(Sale.uuid, Sale.total, Sale.fee, Sale.investor_share, Sale.kind)
                .join(Outlet, Sale.outlet_id == Outlet.id)
                .where(Outlet.code == code)
            )
        }
        node = db.session.scalar(db.select(Outlet.id).where(Outlet.code == code))
        central_lines = db.session.scalar(
            db.select(db.func.count(SaleLine.id))
            .join(Sale, SaleLine.sale_id == Sale.id)
            .where(Sale.outlet_id == node, Sale.uuid.in_([uuid.UUID(u) for u in outlet_sales]))
        )
        events = db.session.scalar(db.select(db.func.count(SyncEvent.id)).where(SyncEvent.outlet_id == node))
        conflicts = db.session.scalar(db.select(db.func.count(SyncConflict.id)).where(SyncConflict.outlet_id == node))
    assert central_sales == outlet_sales  # 0 lost, 0 doubled, the same Rupiah
    with sqlite3.connect(outlet_db) as conn:
        assert central_lines == conn.execute("SELECT count(*) FROM sale_line").fetchone()[0]
        assert events == conn.execute("SELECT count(*) FROM outbox_event").fetchone()[0]
    assert conflicts == 0
