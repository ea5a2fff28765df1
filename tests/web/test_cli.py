from pathlib import Path

from click.testing import CliRunner
from flask import Flask

from pos.cli import main
from pos.extensions import db
from pos.models import Outlet, Role, User


def test_outlets_and_users_create(app: Flask, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "outlets",
            "create",
            "SRG-BRU",
            "--name",
            "Gerai Baru",
            "--cooperative",
            "KMP-BARU",
            "--cooperative-name",
            "Koperasi Baru",
            "--timezone",
            "Asia/Makassar",
        ]
    )
    assert result.exit_code == 0, result.output
    monkeypatch.setenv("POS_NEW_PASSWORD", "kata-sandi-baru")
    monkeypatch.setenv("POS_NEW_PIN", "246813")
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Budi",
            "--name",
            "Budi",
            "--role",
            "cashier",
            "--outlet",
            "SRG-BRU",
            "--password",
            "env",
            "--pin",
            "env",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-BRU"))
        assert outlet is not None and outlet.timezone == "Asia/Makassar"
        user = db.session.scalar(db.select(User).where(User.username == "budi"))
        assert user is not None and user.role == Role.CASHIER and user.pin_hash and user.pin_hash.startswith("$argon2")


def test_cli_refuses_bad_input_without_writing(app: Flask, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    assert runner.invoke(args=["outlets", "create", "X1", "--name", "X", "--cooperative", "NOPE"]).exit_code != 0
    assert (
        runner.invoke(
            args=["outlets", "create", "X1", "--name", "X", "--cooperative", "KMP-CIPARE", "--timezone", "Mars/Base"]
        ).exit_code
        != 0
    )
    for short in ("12", "1234", "12345"):  # a new PIN has 6 to 8 digits
        monkeypatch.setenv("POS_NEW_PIN", short)
        result = runner.invoke(
            args=["users", "create", "xyz", "--name", "X", "--role", "cashier", "--outlet", "SRG-CPR", "--pin", "env"]
        )
        assert result.exit_code != 0 and "6 sampai 8 angka" in result.output and "Traceback" not in result.output
    assert (
        runner.invoke(
            args=["users", "create", "manajer", "--name", "X", "--role", "admin", "--password", "env"]
        ).exit_code
        != 0
    )
    with app.app_context():
        assert db.session.scalar(db.select(User).where(User.username == "xyz")) is None
        assert db.session.scalar(db.select(Outlet).where(Outlet.code == "X1")) is None


def test_demo_command_creates_and_reruns(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("POS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    monkeypatch.setenv("POS_RATELIMIT", "false")
    runner = CliRunner()
    first = runner.invoke(main, ["demo", "--no-serve"])
    assert first.exit_code == 0, first.output
    assert "Demo data created." in first.output and "PIN 1234" in first.output
    second = runner.invoke(main, ["demo", "--no-serve"])
    assert second.exit_code == 0 and "already there" in second.output
    assert (tmp_path / "secret_key").exists()


def _demo_env(tmp_path: Path, monkeypatch, role: str = "all") -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("POS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'pos.sqlite3'}")
    monkeypatch.setenv("POS_RATELIMIT", "false")
    monkeypatch.setenv("POS_ROLE", role)


def test_the_demo_never_mixes_into_an_operators_database(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _demo_env(tmp_path, monkeypatch)
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    made = runner.invoke(
        main,
        ["outlets", "create", "MY-01", "--name", "Gerai Saya", "--cooperative", "KOP", "--cooperative-name", "Kop"],
    )
    assert made.exit_code == 0, made.output
    monkeypatch.setenv("POS_NEW_PIN", "246813")
    assert (
        runner.invoke(
            main,
            ["users", "create", "kasir2", "--name", "Kasir", "--role", "cashier", "--outlet", "MY-01", "--pin", "env"],
        ).exit_code
        == 0
    )
    refused = runner.invoke(main, ["demo", "--no-serve"])
    assert refused.exit_code == 1 and refused.exception is not None and isinstance(refused.exception, SystemExit)
    assert "not the demo's" in refused.output and "1 outlets" in refused.output and "Traceback" not in refused.output
    app = _app_on(tmp_path)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Outlet.id))) == 1
        assert db.session.scalar(db.select(User.full_name).where(User.username == "kasir2")) == "Kasir"


def test_the_demo_refuses_a_central_server_unless_asked(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _demo_env(tmp_path, monkeypatch, role="central")
    runner = CliRunner()
    refused = runner.invoke(main, ["demo", "--no-serve"])
    assert refused.exit_code == 1 and "POS_ROLE=central" in refused.output and "--on-central" in refused.output
    assert not (tmp_path / "pos.sqlite3").exists() or _users(tmp_path) == 0
    seeded = runner.invoke(main, ["demo", "--no-serve", "--on-central"])
    assert seeded.exit_code == 0, seeded.output
    assert "WARNING" in seeded.output and "public" in seeded.output


def _app_on(tmp_path: Path) -> Flask:
    from tests.conftest import make_app

    return make_app(f"sqlite:///{tmp_path / 'pos.sqlite3'}")


def _users(tmp_path: Path) -> int:
    with _app_on(tmp_path).app_context():
        return int(db.session.scalar(db.select(db.func.count(User.id))) or 0)
