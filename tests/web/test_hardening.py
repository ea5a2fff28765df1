"""Web hardening (issue 23): local redirects only, the security headers on every route, one answer for unknown
and locked accounts, no inline script in any template."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from pos.models import Role
from pos.web.access import roles_of
from pos.web.forms import local_path
from tests.conftest import PASSWORDS, Client
from tests.web.test_authorization_walk import USER_FOR_ROLE, _rules, _url

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.mark.parametrize(
    "target",
    [
        "////evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "/\\/evil.example/",
        "\\\\evil.example",
        "https://evil.example/",
        "/\t/evil.example/",
        "/\n/evil.example/",
        "javascript:alert(1)",
        "evil.example",
        "",
    ],
)
def test_a_redirect_target_is_a_local_path_or_nothing(target: str) -> None:
    assert local_path(target, "/home") == "/home"


def test_local_paths_pass() -> None:
    for good in ("/", "/cashier", "/stock?show=low&outlet=SRG-CPR", "/statements/abc#pay"):
        assert local_path(good, "/home") == good


@pytest.mark.parametrize("target", ["////evil.example/", "//evil.example", "/\\evil.example", "https://evil.example"])
def test_login_and_language_never_send_the_browser_to_another_site(client: Client, target: str) -> None:
    response = client.post("/login", {"username": "pusat", "password": "demo-kmp-2026", "next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    client._token = None  # the session (and its CSRF token) is new after a login
    response = client.post("/language", {"language": "en", "next": target})
    assert response.status_code == 302 and not response.headers["Location"].startswith("//")
    assert "evil" not in response.headers["Location"]
    referred = client.post("/language", {"language": "id"}, headers={"Referer": "http://localhost//evil.example/"})
    assert "evil" not in referred.headers["Location"]


def test_every_route_answers_with_the_security_headers(app: Flask, client: Client) -> None:
    app.config["SESSION_COOKIE_SECURE"] = False
    pages = 0
    for role, username in USER_FOR_ROLE.items():
        client.logout()
        client.login(username, PASSWORDS.get(username, "demo-kmp-2026"))
        for rule in _rules(app):
            if "GET" not in rule.methods or role not in (roles_of(app.view_functions[rule.endpoint]) or set()):
                continue
            response = client.get(_url(rule))
            headers = response.headers
            assert "script-src 'self'" in headers["Content-Security-Policy"], rule.rule
            assert "unsafe-eval" not in headers["Content-Security-Policy"]
            assert "'unsafe-inline'" not in headers["Content-Security-Policy"].split("script-src")[1].split(";")[0]
            assert headers["Cache-Control"] == "no-store", (rule.rule, headers.get("Cache-Control"))
            assert "camera=(self)" in headers["Permissions-Policy"]
            assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
            assert "Strict-Transport-Security" not in headers  # plain HTTP (an outlet's LAN): no HSTS
            pages += 1
    assert pages > 100
    client.logout()
    login = client.get("/login")
    assert "Content-Security-Policy" in login.headers and login.headers.get("Cache-Control") != "no-store"
    static = client.get("/static/js/pos.js")
    assert static.headers.get("Cache-Control") != "no-store"
    static.close()


def test_hsts_when_the_cookies_are_secure(app: Flask, client: Client) -> None:
    app.config["SESSION_COOKIE_SECURE"] = True
    assert "max-age=31536000" in client.get("/login").headers["Strict-Transport-Security"]


def test_no_template_carries_inline_script() -> None:
    handlers = re.compile(
        r"\son(click|change|submit|input|load|error|key(down|up|press)|focus|blur|mouse[a-z]+)\s*=", re.IGNORECASE
    )
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        if handlers.search(text) or re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or "javascript:" in text:
            offenders.append(str(path.relative_to(TEMPLATES)))
    assert not offenders


def test_unknown_and_locked_accounts_get_the_same_answer(app: Flask, client: Client) -> None:
    answers = {}
    for username in ("pusat", "nobody-here"):
        for _ in range(7):
            response = client.post("/login", {"username": username, "password": "wrong-password-1"})
        body = response.get_data(as_text=True)
        message = re.search(r'class="toast toast-error"[^>]*>([^<]+)<', body)
        answers[username] = (response.status_code, message.group(1).strip() if message else body[:200])
    assert answers["pusat"] == answers["nobody-here"]
    assert client.post("/login", {"username": "pusat", "password": "demo-kmp-2026"}).status_code == 401  # locked


def test_roles_with_pages_are_covered() -> None:
    assert set(USER_FOR_ROLE) == set(Role)


def test_a_board_sees_only_the_investors_that_supply_its_outlets(client: Client) -> None:
    client.login("pengurus")
    page = client.get("/reports").get_data(as_text=True)
    assert "CV Sumber Rezeki Banten" in page and "UD Lain Jaya" not in page  # LAIN supplies another cooperative
    assert client.get("/reports?investor=LAIN").status_code == 404
    client.logout()
    client.login("pusat")
    assert "UD Lain Jaya" in client.get("/reports").get_data(as_text=True)


def _outlet_pins(app: Flask, allow: bool) -> None:
    from pos.extensions import db
    from pos.models import Outlet

    with app.app_context():
        outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-CPR"))
        assert outlet is not None
        outlet.allow_short_pins = allow
        db.session.commit()


def test_short_pins_work_only_where_the_outlet_still_allows_them(app: Flask, client: Client) -> None:
    from tests.web.test_auth import _cashier_uuid

    cashier = _cashier_uuid(app, "kasir_pw")  # PIN 5678, an existing 4-digit PIN
    assert client.post(f"/login/pin/{cashier}?outlet=SRG-CPR", {"pin": "5678"}).status_code == 302
    client.logout()
    _outlet_pins(app, False)
    refused = client.post(f"/login/pin/{cashier}?outlet=SRG-CPR", {"pin": "5678"})
    assert refused.status_code == 401 and "PIN baru 6 angka" in refused.get_data(as_text=True)


def test_central_resets_a_stolen_nodes_pins_in_one_action(app: Flask, client: Client) -> None:
    from pos.extensions import db
    from pos.models import AuditEvent, Outlet, SyncChange, User
    from tests.web.test_auth import _cashier_uuid

    client.login("admin")
    assert "Atur ulang PIN" in client.get("/sync/health").get_data(as_text=True)
    answer = client.post("/sync/outlets/SRG-CPR/reset-pins")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    pins = dict(re.findall(r"<tr><td>([^<]+)</td><td>[^<]+</td><td class=\"mono\">(\d{6})</td></tr>", page))
    assert "Kasir Sandi" in pins and len(pins) >= 2
    with app.app_context():
        outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-CPR"))
        assert outlet is not None and not outlet.allow_short_pins
        assert db.session.query(AuditEvent).where(AuditEvent.action == "pin_reset").count() == len(pins)
        kasir = db.session.scalar(db.select(User).where(User.username == "kasir_pw"))
        assert kasir is not None
        assert (
            db.session.query(SyncChange)
            .where(SyncChange.entity == "user", SyncChange.entity_uuid == kasir.uuid)
            .count()
        )
    client.logout()
    cashier = _cashier_uuid(app, "kasir_pw")
    assert client.post(f"/login/pin/{cashier}?outlet=SRG-CPR", {"pin": "5678"}).status_code == 401  # the old PIN
    assert client.post(f"/login/pin/{cashier}?outlet=SRG-CPR", {"pin": pins["Kasir Sandi"]}).status_code == 302


def test_static_files_have_versioned_names_kept_for_a_year(app: Flask, client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/login").get_data(as_text=True)
    css = re.search(r'href="(/static/css/pos\.css\?v=[0-9a-f]{12})"', page)
    script = re.search(r'src="(/static/js/pos\.js\?v=[0-9a-f]{12})"', page)
    assert css and script, page[:600]
    answer = client.get(css.group(1))
    answer.close()
    assert answer.status_code == 200
    kept = answer.headers["Cache-Control"]
    assert "max-age=31536000" in kept and "immutable" in kept and "public" in kept
    # Without its version (or with an old one) a file is revalidated as before: a new file is never hidden.
    for stale in ("/static/css/pos.css", "/static/css/pos.css?v=000000000000"):
        answer = client.get(stale)
        answer.close()
        assert answer.status_code == 200 and "max-age=31536000" not in answer.headers.get("Cache-Control", "")
