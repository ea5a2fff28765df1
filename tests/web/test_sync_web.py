"""Sync screens and the sync API on the all-in-one app (central role on SQLite)."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

from pos.extensions import db
from pos.models import OutboxEvent, Outlet, OutletToken
from pos.sync import tokens
from tests.conftest import Client, make_app


def _token(app: Flask, code: str) -> str:
    with app.app_context():
        outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == code))
        token = tokens.issue(outlet, None)
        db.session.commit()
        return token


def test_admin_issues_rotates_and_revokes_outlet_tokens(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client: Client = login_as("admin")
    health = client.get("/sync/health").get_data(as_text=True)
    assert "SRG-CPR" in health and "SRG-KDR" in health
    page = client.post("/sync/outlets/SRG-CPR/token").get_data(as_text=True)
    first = re.search(r"(kmp_[A-Za-z0-9_-]+)", page).group(1)
    api = app.test_client()
    auth = {"Authorization": f"Bearer {first}"}
    assert api.post("/api/v1/sync/push", json={"events": []}, headers=auth).status_code == 200
    second = re.search(
        r"(kmp_[A-Za-z0-9_-]+)", client.post("/sync/outlets/SRG-CPR/token").get_data(as_text=True)
    ).group(1)
    assert api.post("/api/v1/sync/push", json={"events": []}, headers=auth).status_code == 401  # rotated out
    assert (
        api.post("/api/v1/sync/push", json={"events": []}, headers={"Authorization": f"Bearer {second}"}).status_code
        == 200
    )
    assert client.post("/sync/outlets/SRG-CPR/revoke").status_code == 303
    assert (
        api.post("/api/v1/sync/push", json={"events": []}, headers={"Authorization": f"Bearer {second}"}).status_code
        == 401
    )
    with app.app_context():
        stored = db.session.scalars(db.select(OutletToken.token_hash)).all()
        assert first not in stored and second not in stored  # only digests are kept
    client.logout()
    central = login_as("pusat")
    assert central.post("/sync/outlets/SRG-CPR/token").status_code == 403  # only an administrator issues tokens


def test_a_token_pulls_only_its_outlets_scope_and_pushes_only_for_it(app: Flask) -> None:
    token = _token(app, "SRG-KDR")
    api = app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    page = api.get("/api/v1/sync/pull?cursor=0&limit=1000", headers=auth).get_json()
    entities = {
        (c["entity"], c["data"].get("code") or c["data"].get("sku") or c["data"].get("username"))
        for c in page["changes"]
    }
    assert ("outlet", "SRG-KDR") in entities and ("outlet", "SRG-CPR") not in entities
    assert ("product", "LAIN-01") in entities
    assert not any(kind == "product" and sku.startswith("BRS-") for kind, sku in entities)  # another investor's goods
    assert ("user", "kasir_b") in entities and ("user", "kasir") not in entities
    assert all(c["data"].get("role") in (None, "cashier", "manager") for c in page["changes"])
    assert api.get("/api/v1/sync/pull?cursor=999999999", headers=auth).get_json()["reset"] is True
    assert api.get("/api/v1/sync/pull?cursor=abc", headers=auth).status_code == 400
    assert api.post("/api/v1/sync/push", json={"outlet": "SRG-CPR", "events": []}, headers=auth).status_code == 403
    assert api.get("/api/v1/sync/pull").status_code == 401


def test_outlet_staff_see_what_waits_and_an_unmistakable_warning(template_db: Path, tmp_path: Path) -> None:
    import shutil

    path = tmp_path / "outlet.sqlite3"
    shutil.copyfile(template_db, path)
    app = make_app(
        f"sqlite:///{path}",
        POS_ROLE="outlet",
        POS_OUTLET_CODE="SRG-CPR",
        POS_SYNC_STALE_MINUTES=0,
        POS_CENTRAL_URL="http://127.0.0.1:9",  # nothing listens there: the internet is down
        POS_SYNC_TOKEN="kmp_offline",
    )
    with app.app_context():
        waiting = db.session.scalar(db.select(db.func.count(OutboxEvent.id)).where(OutboxEvent.sent_at.is_(None)))
        assert waiting > 0  # the demo's deliveries and counts have not been sent anywhere
    client = Client(app.test_client())
    client.login("manajer")
    status = client.get("/sync").get_data(as_text=True)
    assert f'<span class="stat-value">{waiting}</span>' in status
    assert "Belum sinkron dengan pusat" in client.get("/stock").get_data(as_text=True)
    response = client.post("/sync/now")
    assert response.status_code == 303
    after = client.get("/sync").get_data(as_text=True)
    assert "Sinkronisasi gagal" in after and "network" in after  # the reason, and the sales are kept
    assert f'<span class="stat-value">{waiting}</span>' in after
    with app.app_context():
        db.engine.dispose()


def test_openapi_document_is_served_and_describes_every_status(client: Client) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    push = spec["paths"]["/api/v1/sync/push"]["post"]["responses"]
    pull = spec["paths"]["/api/v1/sync/pull"]["get"]["responses"]
    assert set(push) == {"200", "400", "401", "403", "413", "422", "503"}
    assert set(pull) == {"200", "400", "401"}
