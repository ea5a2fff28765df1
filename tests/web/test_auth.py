from flask import Flask

from pos.extensions import db
from pos.models import LoginSession, User
from tests.conftest import Client


def test_every_page_but_login_needs_a_user(client: Client) -> None:
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_password_login_and_logout_revokes_the_session(app: Flask, client: Client) -> None:
    client.login("manajer")
    assert client.get("/dashboard").status_code == 200
    cookie = client.raw.get_cookie("kmp_session")
    assert cookie is not None
    client.logout()
    assert client.get("/dashboard").status_code == 302
    # Replaying the old cookie after logout does not work: the session was revoked server-side.
    client.raw.set_cookie("kmp_session", cookie.value)
    assert client.get("/dashboard").status_code == 302
    with app.app_context():
        rows = db.session.scalars(db.select(LoginSession)).all()
        assert rows and all(r.revoked_at is not None for r in rows)


def test_session_cookie_changes_on_login(client: Client) -> None:
    client.get("/login")
    before = client.raw.get_cookie("kmp_session")
    client.login("manajer")
    after = client.raw.get_cookie("kmp_session")
    assert after is not None and (before is None or before.value != after.value)


def test_wrong_password_is_refused_with_a_clear_message(client: Client) -> None:
    response = client.post("/login", {"username": "manajer", "password": "wrong-password"})
    assert response.status_code == 401
    assert "Nama pengguna atau kata sandi salah" in response.get_data(as_text=True)


def test_account_locks_after_repeated_failures(app: Flask, client: Client) -> None:
    for _ in range(5):
        assert client.post("/login", {"username": "manajer", "password": "nope-nope"}).status_code == 401
    # Even the right password is refused while the account is locked.
    response = client.post("/login", {"username": "manajer", "password": "demo-kmp-2026"})
    assert response.status_code == 401
    assert "terkunci" in response.get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == "manajer"))
        assert user is not None and user.locked_until is not None


def _cashier_uuid(app: Flask, username: str) -> str:
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == username))
        assert user is not None
        return str(user.uuid)


def test_cashier_logs_in_with_pin_from_the_outlet_list(app: Flask, client: Client) -> None:
    page = client.get("/login?outlet=SRG-CPR").get_data(as_text=True)
    assert "Siti Rahmawati" in page and "Dedi Kurniawan" in page
    assert "Kasir B" not in page  # another outlet's cashier is not listed
    uuid = _cashier_uuid(app, "kasir")
    response = client.post(f"/login/pin/{uuid}?outlet=SRG-CPR", {"pin": "1234"})
    assert response.status_code == 302
    assert client.get("/", follow_redirects=False).status_code == 302


def test_wrong_pin_then_lock(app: Flask, client: Client) -> None:
    uuid = _cashier_uuid(app, "kasir")
    for _ in range(4):
        response = client.post(f"/login/pin/{uuid}?outlet=SRG-CPR", {"pin": "0000"})
        assert response.status_code == 401
        assert "PIN salah" in response.get_data(as_text=True)
    response = client.post(f"/login/pin/{uuid}?outlet=SRG-CPR", {"pin": "0000"})
    assert "terkunci" in response.get_data(as_text=True)
    assert client.post(f"/login/pin/{uuid}?outlet=SRG-CPR", {"pin": "1234"}).status_code == 401


def test_pin_must_be_digits(app: Flask, client: Client) -> None:
    uuid = _cashier_uuid(app, "kasir")
    response = client.post(f"/login/pin/{uuid}?outlet=SRG-CPR", {"pin": "12ab"})
    assert response.status_code == 422
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == "kasir"))
        assert user is not None and user.failed_logins == 0


def test_pin_login_of_another_outlets_cashier_is_not_found(app: Flask, client: Client) -> None:
    uuid = _cashier_uuid(app, "kasir_b")
    assert client.post(f"/login/pin/{uuid}?outlet=SRG-CPR", {"pin": "4321"}).status_code == 404
    assert client.get("/login/pin/not-a-uuid?outlet=SRG-CPR").status_code == 404


def test_open_redirect_is_refused(client: Client) -> None:
    response = client.post("/login", {"username": "manajer", "password": "demo-kmp-2026", "next": "//evil.example/x"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_without_csrf_token_is_refused(client: Client) -> None:
    response = client.raw.post("/login", data={"username": "manajer", "password": "demo-kmp-2026"})
    assert response.status_code == 400
    assert "Formulir ini kedaluwarsa" in response.get_data(as_text=True)


def test_tampered_session_cookie_is_treated_as_logged_out(client: Client) -> None:
    client.login("manajer")
    cookie = client.raw.get_cookie("kmp_session")
    assert cookie is not None
    client.raw.set_cookie("kmp_session", cookie.value[:-3] + "xyz")
    assert client.get("/dashboard").status_code == 302


def test_language_switch_to_english(client: Client) -> None:
    client.login("manajer")
    assert "Ringkasan" in client.get("/dashboard").get_data(as_text=True)
    client.post("/language", {"language": "en", "next": "/dashboard"})
    assert "Overview" in client.get("/dashboard").get_data(as_text=True)
    assert client.post("/language", {"language": "fr"}).status_code == 400


def test_each_role_sees_only_its_own_catalogue(client: Client) -> None:
    client.login("manajer")
    page = client.get("/products?q=Produk").get_data(as_text=True)
    assert "Produk investor lain" not in page  # sold only at the other outlet
    assert "Indomie Mi Goreng" in client.get("/products?q=Indomie").get_data(as_text=True)
    client.logout()
    client.login("mitra2")
    page = client.get("/products").get_data(as_text=True)
    assert "Aqua" in page and "Indomie" not in page  # another investor's goods stay hidden
    client.logout()
    client.login("manajer_b", "other-pass-2026")
    assert "Produk investor lain" in client.get("/products").get_data(as_text=True)
    assert "Gerai KMP Cipare" not in client.get("/outlets").get_data(as_text=True)


def test_language_chosen_before_login_is_kept(client: Client) -> None:
    client.post("/language", {"language": "en", "next": "/login"})
    client.login("manajer")
    assert "Overview" in client.get("/dashboard").get_data(as_text=True)


def test_a_sign_in_hashes_with_no_transaction_open_and_small_board_argon2(
    app: Flask, client: Client, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Argon2 takes tens of milliseconds: while it runs no lock is held (every till of the outlet would wait)."""
    from argon2 import PasswordHasher

    from pos.auth import accounts

    open_while_hashing: list[bool] = []
    real = accounts._verify

    def watched(stored: str | None, given: str) -> bool:
        open_while_hashing.append(db.session().in_transaction())
        return real(stored, given)

    monkeypatch.setattr(accounts, "_verify", watched)
    with app.app_context():  # a PIN hashed with the library's default settings (64 MiB, 4 lanes), from before
        user = db.session.scalar(db.select(User).where(User.username == "kasir"))
        assert user is not None
        user.pin_hash = PasswordHasher().hash("1234")
        db.session.commit()
    uuid = _cashier_uuid(app, "kasir")
    assert client.post(f"/login/pin/{uuid}?outlet=SRG-CPR", {"pin": "0000"}).status_code == 401
    assert client.post(f"/login/pin/{uuid}?outlet=SRG-CPR", {"pin": "1234"}).status_code == 302
    client.logout()
    client.login("manajer")
    assert len(open_while_hashing) == 3 and not any(open_while_hashing)
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == "kasir"))
        assert user is not None and user.pin_hash is not None
        assert user.pin_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")  # remade with the small-board settings
        assert user.failed_logins == 0
