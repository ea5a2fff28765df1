"""Onboarding in the browser and by command line: cooperatives, outlets with a first register, registers,
investors with their login, categories and logins of every role; a checklist per outlet."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from pos.extensions import db
from pos.models import AuditEvent, Category, Cooperative, Investor, Outlet, Register, User
from tests.conftest import Client, make_app


def _count(model: type) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))  # type: ignore[no-any-return]


def test_an_outlet_made_on_the_command_line_can_open_a_shift(app: Flask, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    coop = runner.invoke(args=["cooperatives", "create", "kmp-baru2", "--name", "Koperasi Baru Dua"])
    assert coop.exit_code == 0 and "KMP-BARU2" in coop.output, coop.output
    again = runner.invoke(args=["cooperatives", "create", "KMP-BARU2", "--name", "Lagi"])
    assert again.exit_code != 0 and "Traceback" not in again.output
    made = runner.invoke(
        args=[
            "outlets",
            "create",
            "srg-new",
            "--name",
            "Gerai Baru",
            "--cooperative",
            "KMP-NEW",
            "--cooperative-name",
            "Koperasi Baru",
        ]
    )
    assert made.exit_code == 0, made.output
    assert "KASIR-1" in made.output
    assert runner.invoke(args=["outlets", "register", "SRG-NEW", "KASIR-2", "--name", "Kasir 2"]).exit_code == 0
    again = runner.invoke(args=["outlets", "register", "SRG-NEW", "KASIR-2", "--name", "Kasir 2"])
    assert again.exit_code != 0 and "Traceback" not in again.output and "KASIR-2" in again.output
    assert runner.invoke(args=["investors", "create", "TKO", "--name", "Toko Sumber"]).exit_code == 0
    assert runner.invoke(args=["investors", "create", "TKO", "--name", "Lagi"]).exit_code != 0
    assert runner.invoke(args=["categories", "create", "BAYI", "--name", "Perlengkapan Bayi"]).exit_code == 0
    monkeypatch.setenv("POS_NEW_PASSWORD", "manajer-baru-2026")
    monkeypatch.setenv("POS_NEW_PIN", "481516")
    manager = runner.invoke(
        args=[
            "users",
            "create",
            "hendra2",
            "--name",
            "Hendra",
            "--role",
            "manager",
            "--outlet",
            "SRG-NEW",
            "--password",
            "env",
            "--pin",
            "env",
        ]
    )
    assert manager.exit_code == 0, manager.output
    with app.app_context():
        outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-NEW"))
        assert outlet is not None
        codes = db.session.scalars(db.select(Register.code).where(Register.outlet_id == outlet.id)).all()
        assert sorted(codes) == ["KASIR-1", "KASIR-2"]
        assert db.session.scalar(db.select(Investor.name).where(Investor.code == "TKO")) == "Toko Sumber"
        assert db.session.scalar(db.select(Category.name).where(Category.code == "BAYI")) == "Perlengkapan Bayi"
    client = Client(app.test_client())
    client.login("hendra2", "manajer-baru-2026")
    page = client.get("/cashier/shift/open").get_data(as_text=True)
    assert "Kasir 1 (KASIR-1)" in page
    with app.app_context():
        register_id = db.session.scalar(
            db.select(Register.id).where(Register.code == "KASIR-1", Register.outlet_id == outlet.id)
        )
    opened = client.post("/cashier/shift/open", {"register": register_id, "opening_float": "100.000"})
    assert opened.status_code in (302, 303), opened.get_data(as_text=True)[:400]


def test_central_sets_up_an_outlet_in_the_browser(login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("admin")
    assert client.get("/setup").status_code == 200
    made = client.post("/setup/cooperatives/new", {"code": "kmp-lontar", "name": "Koperasi Merah Putih Lontar"})
    assert made.status_code == 303 and made.headers["Location"].endswith("/setup/outlets/new?cooperative=KMP-LONTAR")
    form = client.get("/setup/outlets/new?cooperative=KMP-LONTAR").get_data(as_text=True)
    assert "Koperasi Merah Putih Lontar" in form and "selected" in form
    with client.raw.application.app_context():
        coop_id = db.session.scalar(db.select(Cooperative.id).where(Cooperative.code == "KMP-LONTAR"))
    made = client.post(
        "/setup/outlets/new",
        {"code": "SRG-LTR", "name": "Gerai KMP Lontar", "cooperative": coop_id, "timezone": "Asia/Makassar"},
    )
    assert made.status_code == 303 and made.headers["Location"].endswith("/setup/outlets/SRG-LTR")
    page = client.get("/setup/outlets/SRG-LTR").get_data(as_text=True)
    assert "Kasir 1" in page and "Perjanjian kemitraan" in page  # the agreement is still missing
    assert client.post("/setup/outlets/SRG-LTR/registers", {"code": "KASIR-1", "name": "Lagi"}).status_code == 409
    assert client.post("/setup/outlets/SRG-LTR/registers", {"code": "kasir-2", "name": "Kasir 2"}).status_code == 303
    investor = client.post(
        "/setup/investors/new",
        {
            "code": "LTR",
            "name": "CV Lontar Jaya",
            "contact_name": "Pak Udin",
            "username": "udin",
            "password": "udin-lontar-2026",
        },
    )
    assert investor.status_code == 303
    assert client.post("/setup/categories/new", {"code": "ATK", "name": "Alat Tulis Kantor"}).status_code == 303
    with client.raw.application.app_context():
        outlet_id = db.session.scalar(db.select(Outlet.id).where(Outlet.code == "SRG-LTR"))
        assert db.session.scalar(db.select(Outlet.timezone).where(Outlet.id == outlet_id)) == "Asia/Makassar"
        actions = set(
            db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.action.in_(["created", "register_added"])))
        )
        assert actions == {"created", "register_added"}
    cashier = client.post(
        "/setup/users/new",
        {"username": "wati", "full_name": "Wati", "role": "cashier", "outlet": outlet_id, "pin": "135790"},
    )
    assert cashier.status_code == 303 and cashier.headers["Location"].endswith("/setup/outlets/SRG-LTR")
    page = client.get("/setup/outlets/SRG-LTR").get_data(as_text=True)
    assert "Wati" in page and "Kasir 2" in page and "2 dari 7 siap" in page
    row = client.get("/setup").get_data(as_text=True).split("Gerai KMP Lontar")[1].split("</tr>")[0]
    assert "2 dari 7 siap" in row and "Belum ada:" in row and "Perjanjian kemitraan" in row
    client.logout()
    client.login("udin", "udin-lontar-2026")
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Pak Udin" in home and "Produk aktif" in home


def test_bad_onboarding_input_is_refused_and_nothing_is_written(login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("admin")
    app = client.raw.application
    with app.app_context():
        before = {m: _count(m) for m in (Cooperative, Outlet, Investor, Category, User, Register)}
        coop_id = db.session.scalar(db.select(Cooperative.id).where(Cooperative.code == "KMP-CIPARE"))
    refused = [
        ("/setup/cooperatives/new", {"code": "KMP-CIPARE", "name": "Lagi"}, 409),
        ("/setup/cooperatives/new", {"code": "a b", "name": "Spasi"}, 422),
        ("/setup/cooperatives/new", {"code": "-X", "name": "Strip"}, 422),
        ("/setup/cooperatives/new", {"code": "KMP-X", "name": "   "}, 422),
        (
            "/setup/outlets/new",
            {"code": "SRG-CPR", "name": "Lagi", "cooperative": coop_id, "timezone": "Asia/Jakarta"},
            409,
        ),
        ("/setup/outlets/new", {"code": "SRG-Z", "name": "Z", "cooperative": 999999, "timezone": "Asia/Jakarta"}, 422),
        ("/setup/outlets/new", {"code": "SRG-Z", "name": "Z", "cooperative": coop_id, "timezone": "Mars/Base"}, 422),
        ("/setup/investors/new", {"code": "SRB", "name": "Lagi"}, 409),
        # the investor is not kept when its login is refused
        ("/setup/investors/new", {"code": "NEWI", "name": "Baru", "username": "manajer", "password": "x" * 12}, 409),
        ("/setup/investors/new", {"code": "NEWJ", "name": "Baru", "username": "baru", "password": "pendek"}, 422),
        ("/setup/categories/new", {"code": "NEW", "name": "   "}, 422),
        (
            "/setup/users/new",
            {"username": "kasir", "full_name": "X", "role": "cashier", "outlet": 1, "pin": "135790"},
            409,
        ),
        (
            "/setup/users/new",
            {"username": "x!", "full_name": "X", "role": "cashier", "outlet": 1, "pin": "135790"},
            422,
        ),
        (
            "/setup/users/new",
            {"username": "pin4", "full_name": "X", "role": "cashier", "outlet": 1, "pin": "1234"},
            422,
        ),
        ("/setup/users/new", {"username": "nooutlet", "full_name": "X", "role": "cashier", "pin": "135790"}, 422),
        (
            "/setup/users/new",
            {"username": "boardx", "full_name": "X", "role": "board", "password": "papan-2026-x"},
            422,
        ),
        (
            "/setup/users/new",
            {
                "username": "pinboard",
                "full_name": "X",
                "role": "board",
                "cooperative": coop_id,
                "password": "papan-2026-x",
                "pin": "135790",
            },
            422,
        ),
        ("/setup/users/new", {"username": "nosecret", "full_name": "X", "role": "facilitator"}, 422),
        ("/setup/users/new", {"username": "god", "full_name": "X", "role": "emperor", "password": "x" * 10}, 422),
    ]
    for url, data, status in refused:
        answer = client.post(url, data)
        assert answer.status_code == status, (url, data, answer.status_code)
        page = answer.get_data(as_text=True)
        assert 'role="alert"' in page, (url, data)
    with app.app_context():
        assert {m: _count(m) for m in before} == before


def test_only_an_administrator_makes_central_accounts(login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("pusat")
    form = client.get("/setup/users/new").get_data(as_text=True)
    assert 'value="admin"' not in form and 'value="central"' not in form
    answer = client.post(
        "/setup/users/new", {"username": "boss", "full_name": "Boss", "role": "admin", "password": "boss-boss-2026"}
    )
    assert answer.status_code in (403, 422)
    with client.raw.application.app_context():
        assert db.session.scalar(db.select(User).where(User.username == "boss")) is None


def test_setup_is_for_central_and_admin_only(login_as) -> None:  # type: ignore[no-untyped-def]
    for username in ("manajer", "mitra", "pengurus", "pemkot"):
        client = login_as(username)
        assert client.get("/setup").status_code == 403, username
        assert client.post("/setup/categories/new", {"code": "X", "name": "X"}).status_code == 403, username
        client.logout()
    client = login_as("kasir_pw")
    assert client.get("/setup").status_code == 403


def test_an_outlet_node_serves_no_setup(db_path: Path) -> None:
    node = make_app(f"sqlite:///{db_path}", POS_ROLE="outlet", POS_OUTLET_CODE="SRG-CPR")
    client = Client(node.test_client())
    client.login("manajer")
    assert client.get("/setup").status_code == 404
    assert "/setup" not in client.get("/dashboard").get_data(as_text=True)


def test_the_checklist_names_what_a_new_outlet_lacks(login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("admin")
    page = client.get("/setup").get_data(as_text=True)
    # the demo outlet has everything a standalone server checks
    row = page[page.index("Gerai KMP Cipare") :].split("</tr>")[0]
    assert "7 dari 7 siap" in row and "Belum ada" not in row
    with client.raw.application.app_context():
        from pos.onboarding import checklist

        outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-CPR"))
        steps = {s.key: s.done for s in checklist.steps(outlet, syncing=True)}
        assert steps["register"] and steps["agreement"] and steps["products"] and steps["cashier"]
        assert steps["manager"] and steps["staff"] and steps["delivery"]
        assert not steps["token"] and not steps["first_sync"]
        assert "token" not in {s.key for s in checklist.steps(outlet, syncing=False)}


def _pin_or_password(page: str) -> str:
    import re

    found = re.search(r'class="pin-once mono">([^<]+)<', page)
    assert found, page[:2000]
    return found.group(1)


def test_central_resets_a_login_or_switches_it_off(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        kasir = db.session.scalar(db.select(User).where(User.username == "kasir"))
        mitra = db.session.scalar(db.select(User).where(User.username == "mitra"))
        admin = db.session.scalar(db.select(User).where(User.username == "admin"))
        pusat = db.session.scalar(db.select(User).where(User.username == "pusat"))
    client = login_as("pusat")
    assert "Siti Rahmawati" in client.get(f"/setup/users/{kasir.uuid}").get_data(as_text=True)
    pin = _pin_or_password(client.post(f"/setup/users/{kasir.uuid}/reset").get_data(as_text=True))
    assert pin.isdigit() and len(pin) == 6
    till = Client(client.raw.application.test_client())
    assert till.post(f"/login/pin/{kasir.uuid}?outlet=SRG-CPR", {"pin": pin}).status_code == 302
    password = _pin_or_password(client.post(f"/setup/users/{mitra.uuid}/reset").get_data(as_text=True))
    other = Client(client.raw.application.test_client())
    other.login("mitra", password)
    other.logout()
    assert client.post(f"/setup/users/{mitra.uuid}/active", {"active": "0"}).status_code == 303
    refused = Client(client.raw.application.test_client()).post("/login", {"username": "mitra", "password": password})
    assert refused.status_code != 302
    # the central office touches no administrator, nor itself
    assert client.post(f"/setup/users/{admin.uuid}/reset").status_code == 403
    assert client.post(f"/setup/users/{admin.uuid}/active", {"active": "0"}).status_code == 403
    assert client.post(f"/setup/users/{pusat.uuid}/active", {"active": "0"}).status_code == 403
    assert client.post(f"/setup/users/{mitra.uuid}/active", {"active": "maybe"}).status_code == 400
    assert client.get("/setup/users/not-a-uuid").status_code == 404
    client.logout()
    boss = login_as("admin")
    assert boss.post(f"/setup/users/{pusat.uuid}/active", {"active": "0"}).status_code == 303
    with app.app_context():
        actions = set(db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.subject_type == "user")))
        assert {"pin_reset", "password_reset", "deactivated"} <= actions
    boss.logout()
    manager = login_as("manajer")
    assert manager.post(f"/setup/users/{kasir.uuid}/reset").status_code == 403
