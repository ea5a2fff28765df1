"""The manager's till logins: a cashier login from the staff register with a PIN shown once, PINs reset, logins
switched off, the manager's own approval PIN; each change audited and sent to central, where the newer copy wins."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from flask import Flask

from pos.auth import accounts
from pos.extensions import db
from pos.models import AuditEvent, OutboxEvent, User
from tests.conftest import Client, make_app


def _user(app: Flask, **where: object) -> User:
    with app.app_context():
        user = db.session.scalar(db.select(User).filter_by(**where))
        assert user is not None
        db.session.expunge(user)
        return user


def _hire(client: Client, name: str, start: str) -> None:
    made = client.post(
        "/staff/new", {"full_name": name, "role": "cashier", "employer": "cooperative", "start_date": start}
    )
    assert made.status_code == 303, made.get_data(as_text=True)[:500]


def _pin_on(page: str) -> str:
    found = re.search(r'class="pin-once mono">(\d{6})<', page)
    assert found, page[:2000]
    return found.group(1)


def _member_uuid(page: str, name: str) -> str:
    found = re.search(r'<option value="([0-9a-f-]{36})">' + re.escape(name) + "<", page)
    assert found, page[page.find("<select") : page.find("</select>") + 9] or page[:3000]
    return found.group(1)


def test_a_manager_makes_a_cashier_login_resets_its_pin_and_switches_it_off(app: Flask, login_as, today) -> None:  # type: ignore[no-untyped-def]
    manager = login_as("manajer")
    _hire(manager, "Rudi Hartono", today.isoformat())
    page = manager.get("/staff/logins").get_data(as_text=True)
    made = manager.post("/staff/logins/new", {"member": _member_uuid(page, "Rudi Hartono")})
    assert made.status_code == 200
    pin = _pin_on(made.get_data(as_text=True))
    rudi = _user(app, full_name="Rudi Hartono")
    assert rudi.username == "rudi.srg-cpr" and rudi.role.value == "cashier" and rudi.outlet_id is not None
    again = manager.post("/staff/logins/new", {"member": _member_uuid(page, "Rudi Hartono")})
    assert again.status_code == 422  # no longer offered: he has a login
    assert "Rudi Hartono" not in manager.get("/staff/logins").get_data(as_text=True).split("Akun untuk orang")[-1]

    till = Client(app.test_client())
    assert till.post(f"/login/pin/{rudi.uuid}?outlet=SRG-CPR", {"pin": pin}).status_code == 302
    reset = manager.post(f"/staff/logins/{rudi.uuid}/pin")
    new_pin = _pin_on(reset.get_data(as_text=True))
    fresh = Client(app.test_client())
    assert fresh.post(f"/login/pin/{rudi.uuid}?outlet=SRG-CPR", {"pin": new_pin}).status_code == 302
    if new_pin != pin:
        assert Client(app.test_client()).post(f"/login/pin/{rudi.uuid}?outlet=SRG-CPR", {"pin": pin}).status_code != 302
    assert manager.post(f"/staff/logins/{rudi.uuid}/active", {"active": "0"}).status_code == 303
    assert Client(app.test_client()).post(f"/login/pin/{rudi.uuid}?outlet=SRG-CPR", {"pin": new_pin}).status_code != 302
    assert manager.post(f"/staff/logins/{rudi.uuid}/active", {"active": "1"}).status_code == 303
    with app.app_context():
        actions = list(
            db.session.scalars(
                db.select(AuditEvent.action).where(AuditEvent.subject_uuid == rudi.uuid).order_by(AuditEvent.id)
            )
        )
        assert actions == ["created", "pin_reset", "deactivated", "activated"]


def test_the_managers_own_approval_pin(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    manager = login_as("manajer")
    before = _user(app, username="manajer").pin_hash
    wrong = manager.post("/staff/logins/my-pin", {"password": "not-it", "pin": "246813", "again": "246813"})
    assert wrong.status_code == 403 and 'role="alert"' in wrong.get_data(as_text=True)
    differ = manager.post("/staff/logins/my-pin", {"password": "demo-kmp-2026", "pin": "246813", "again": "246814"})
    assert differ.status_code == 422
    short = manager.post("/staff/logins/my-pin", {"password": "demo-kmp-2026", "pin": "2468", "again": "2468"})
    assert short.status_code == 422
    assert _user(app, username="manajer").pin_hash == before
    done = manager.post("/staff/logins/my-pin", {"password": "demo-kmp-2026", "pin": "246813", "again": "246813"})
    assert done.status_code == 303
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == "manajer"))
        assert accounts.verify_secret(user.pin_hash, "246813") and not accounts.verify_secret(user.pin_hash, "9999")


def test_logins_are_the_managers_own_outlets_only(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    kasir = _user(app, username="kasir")
    manager = login_as("manajer")
    manajer = _user(app, username="manajer")
    assert manager.post(f"/staff/logins/{manajer.uuid}/active", {"active": "0"}).status_code == 403  # not oneself
    manager.logout()
    other = login_as("manajer_b")
    assert other.post(f"/staff/logins/{kasir.uuid}/pin").status_code == 404
    assert other.post(f"/staff/logins/{kasir.uuid}/active", {"active": "0"}).status_code == 404
    assert other.post("/staff/logins/not-a-uuid/pin").status_code == 404
    assert kasir.uuid.hex not in other.get("/staff/logins").get_data(as_text=True).replace("-", "")
    other.logout()
    cashier = login_as("kasir_pw")
    assert cashier.get("/staff/logins").status_code == 403
    assert cashier.post(f"/staff/logins/{kasir.uuid}/pin").status_code == 403
    assert _user(app, username="kasir").active


def test_a_pin_reset_offline_reaches_central_and_central_keeps_the_newer_copy(db_path: Path, tmp_path: Path) -> None:
    import shutil

    from pos.models import Outlet
    from pos.sync import tokens

    node_path = tmp_path / "node.sqlite3"
    shutil.copyfile(db_path, node_path)
    central = make_app(f"sqlite:///{db_path}", POS_ROLE="central")
    node = make_app(f"sqlite:///{node_path}", POS_ROLE="outlet", POS_OUTLET_CODE="SRG-CPR")
    kasir = _user(node, username="kasir")
    manager = Client(node.test_client())
    manager.login("manajer")
    pin = _pin_on(manager.post(f"/staff/logins/{kasir.uuid}/pin").get_data(as_text=True))
    with node.app_context():
        event = db.session.scalar(db.select(OutboxEvent).where(OutboxEvent.event_type == "account.saved"))
        assert event is not None
        import json

        payload = json.loads(event.payload)
        envelope = {
            "id": str(event.uuid),
            "seq": event.seq,
            "type": event.event_type,
            "schema_version": 1,
            "created_at": event.created_at.isoformat(),
            "payload": payload,
        }
    with central.app_context():
        outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-CPR"))
        token = tokens.issue(outlet, None)
        db.session.commit()
    api = central.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    answer = api.post("/api/v1/sync/push", json={"events": [envelope]}, headers=auth).get_json()
    assert "results" in answer and answer["results"][0]["status"] == "accepted", answer
    with central.app_context():
        user = db.session.scalar(db.select(User).where(User.username == "kasir"))
        assert accounts.verify_secret(user.pin_hash, pin)
    # an older copy (sent again late, or by a node restored from a backup) never undoes it
    stale = dict(envelope, id=str(uuid.uuid4()), seq=envelope["seq"] + 1)
    stale["payload"] = dict(payload, pin_hash=accounts.hash_secret("111111"), updated_at="2020-01-01T00:00:00+00:00")
    assert (
        api.post("/api/v1/sync/push", json={"events": [stale]}, headers=auth).get_json()["results"][0]["status"]
        == "accepted"
    )
    with central.app_context():
        assert accounts.verify_secret(db.session.scalar(db.select(User.pin_hash).where(User.username == "kasir")), pin)
    # a node cannot take over another outlet's login, promote a cashier, or name a new one as it likes
    other = _user(central, username="kasir_b")
    for n, bad in enumerate(
        [
            dict(payload, uuid=str(other.uuid), username="kasir_b"),
            dict(payload, role="manager"),
            dict(payload, uuid=str(uuid.uuid4()), username="siti"),
            dict(payload, uuid=str(uuid.uuid4()), username="manajer.srg-cpr", role="manager"),
            dict(payload, pin_hash="1234"),
        ]
    ):
        event = dict(envelope, id=str(uuid.uuid4()), seq=envelope["seq"] + 10 + n, payload=bad)
        result = api.post("/api/v1/sync/push", json={"events": [event]}, headers=auth).get_json()["results"][0]
        assert result["status"] == "rejected", (bad, result)
    assert _user(central, username="kasir_b").pin_hash == other.pin_hash
    with central.app_context():
        db.engine.dispose()
    with node.app_context():
        db.engine.dispose()


def test_a_pull_never_undoes_a_newer_change_made_at_the_outlet(db_path: Path) -> None:
    from datetime import timedelta

    from pos.core import clock
    from pos.sync import changes
    from pos.sync.codecs import CODECS

    node = make_app(f"sqlite:///{db_path}", POS_ROLE="outlet", POS_OUTLET_CODE="SRG-CPR")
    kasir = _user(node, username="kasir")
    manager = Client(node.test_client())
    manager.login("manajer")
    pin = _pin_on(manager.post(f"/staff/logins/{kasir.uuid}/pin").get_data(as_text=True))
    with node.app_context():
        user = db.session.scalar(db.select(User).where(User.username == "kasir"))
        central_copy = CODECS["user"].snapshot(user, None)
        older = dict(central_copy, pin_hash=accounts.hash_secret("222222"))
        older["updated_at"] = (user.updated_at - timedelta(minutes=5)).isoformat()
        changes.apply_change("user", str(kasir.uuid), older, "SRG-CPR")
        db.session.commit()
        assert accounts.verify_secret(db.session.get(User, user.id).pin_hash, pin)
        newer = dict(central_copy, pin_hash=accounts.hash_secret("333333"))
        newer["updated_at"] = (clock.now() + timedelta(minutes=1)).isoformat()
        changes.apply_change("user", str(kasir.uuid), newer, "SRG-CPR")
        db.session.commit()
        assert accounts.verify_secret(db.session.get(User, user.id).pin_hash, "333333")
        db.engine.dispose()
