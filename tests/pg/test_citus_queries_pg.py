"""Central's queries keep to what Citus can route: every statement central runs while outlets push and pull and
every role reads every page is checked by ``tests/citus_sql.problems`` (joins of outlet tables on outlet_id,
ON CONFLICT targets and UUID lookups with the outlet, updates that name their outlet)."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from flask import Flask

from pos.extensions import db
from tests.citus_sql import problems
from tests.conftest import Client
from tests.web.test_sync_trust import Central

ROLES = ("pusat", "pengurus", "mitra", "mitra2", "pemkot", "admin")


def _pages(app: Flask) -> list[str]:
    """Every page that takes no argument in its path and answers a GET."""
    return sorted(
        {
            rule.rule
            for rule in app.url_map.iter_rules()
            if "GET" in (rule.methods or ()) and not rule.arguments and not rule.rule.startswith(("/static", "/api"))
        }
    )


def _documents_opened_and_signed(app: Flask) -> dict[tuple[str, str], int]:
    """Statements issued, opened, signed and paid, and deliveries opened, by the roles that do it."""
    from pos.models import Agreement, Delivery, Outlet, Statement
    from pos.partnership import settlements

    with app.app_context():
        agreement = db.session.scalar(db.select(Agreement).where(Agreement.number.like("%SRB%")))
        outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-CPR"))
        assert agreement and outlet
        agreement_uuid, first = str(agreement.uuid), settlements.open_periods(agreement, outlet)[0][0]
        outlet_id = outlet.id
        delivery = str(db.session.scalars(db.select(Delivery.uuid).where(Delivery.outlet_id == outlet.id)).first())
    answered: dict[tuple[str, str], int] = {}
    central = Client(app.test_client())
    central.login("pusat")
    issued = central.post(
        f"/agreements/{agreement_uuid}/statements", {"outlet": str(outlet_id), "period_start": f"{first}"}
    )
    answered[("pusat", "issue")] = issued.status_code
    with app.app_context():
        statement = str(db.session.scalars(db.select(Statement.uuid).order_by(Statement.id.desc())).first())
    for username in ("pusat", "pengurus", "mitra"):
        client = Client(app.test_client())
        client.login(username)
        for page in (f"/statements/{statement}", f"/deliveries/{delivery}", f"/statements/{statement}.csv"):
            answered[(username, page)] = client.get(page).status_code
        answered[(username, "sign")] = client.post(f"/statements/{statement}/sign", {"confirm": "y"}).status_code
    answered[("pusat", "dispute")] = central.post(f"/statements/{statement}/disputes", {"comment": "Cek"}).status_code
    assert answered[("pusat", f"/statements/{statement}")] == 200
    signed = answered[("pusat", "issue")], answered[("pengurus", "sign")], answered[("mitra", "sign")]
    assert signed == (303, 303, 303)
    return answered


def test_central_asks_citus_only_what_it_can_route(pg_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    execute = psycopg.Cursor.execute

    def keep(cursor: psycopg.Cursor[Any], query: Any, *args: Any, **kw: Any) -> Any:
        seen.append(query if isinstance(query, str) else str(query))
        return execute(cursor, query, *args, **kw)

    # Under SQLAlchemy and beside it: ingest's own statements go to psycopg directly.
    monkeypatch.setattr(psycopg.Cursor, "execute", keep)
    try:
        for code, cashier in (("SRG-CPR", "kasir_pw"), ("SRG-KDR", "kasir_b")):
            outlet = Central(pg_app, code, cashier)
            results = outlet.push(outlet.events(6))
            assert {r["status"] for r in results.values()} == {"accepted"}
            pulled = outlet.api.get("/api/v1/sync/pull?cursor=0", headers={"Authorization": f"Bearer {outlet.token}"})
            assert pulled.status_code == 200
        answered = {}
        for username in ROLES:
            client = Client(pg_app.test_client())
            client.login(username)
            for page in _pages(pg_app):
                answered[(username, page)] = client.get(page).status_code
        assert answered[("pusat", "/reports")] == 200 and answered[("pengurus", "/reports/cooperative")] == 200
        answered.update(_documents_opened_and_signed(pg_app))
        assert [key for key, status in answered.items() if status == 500] == []
    finally:
        monkeypatch.undo()
    found: dict[str, str] = {}
    for statement in seen:
        for problem in problems(statement):
            found.setdefault(problem, statement)
    assert found == {}
    assert len(seen) > 500
