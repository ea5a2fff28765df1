"""Backups of the outlet node and restoring one: sell, back up, sell more, restore, sync — central has every
sale that reached it once, and the restored node continues after them."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from pos.extensions import db
from pos.models import Outlet, OutletSyncState, Register, Sale, SyncConflict
from pos.node import backup
from pos.sync import tokens, worker
from tests.conftest import Client, make_app
from tests.web.checkout_helpers import MIE, pay, scan


def test_a_backup_is_whole_checked_and_kept_n_deep(db_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "usb"
    made = [backup.take(db_path, folder, "SRG-CPR", keep=2) for _ in range(3)]
    assert made[-1].outlets == ("SRG-CPR", "SRG-KDR") and made[-1].sales > 100
    kept = backup.kept(folder, "SRG-CPR")
    assert len(kept) <= 2 and made[-1].path in kept
    assert not list(folder.glob("*.part"))
    with sqlite3.connect(kept[0]) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT count(*) FROM sale").fetchone()[0] == made[-1].sales


def test_a_damaged_or_foreign_file_is_never_restored(db_path: Path, tmp_path: Path) -> None:
    target = tmp_path / "node.sqlite3"
    shutil.copyfile(db_path, target)
    junk = tmp_path / "kmp-pos-SRG-CPR-20261201T000000Z.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(backup.BackupError, match="not a readable SQLite database"):
        backup.restore(junk, target, "SRG-CPR", "SRG-CPR", syncs=True)
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE notes (x)")
    with pytest.raises(backup.BackupError, match="not a KMP POS database"):
        backup.restore(other, target, "SRG-CPR", "SRG-CPR", syncs=True)
    taken = backup.take(db_path, tmp_path / "b", "SRG-CPR")
    with pytest.raises(backup.BackupError, match="not of this node's outlet SRG-XYZ"):
        backup.restore(taken.path, target, "SRG-XYZ", "SRG-XYZ", syncs=True)
    assert target.read_bytes() == db_path.read_bytes()  # untouched by every refusal


def _sell(client: Client) -> dict[str, Any]:
    scanned = scan(client, MIE)
    assert scanned.status_code == 200, scanned.get_data(as_text=True)[:600]
    node = client.raw.application
    answer = pay(client, node, cash="10000")
    return {"status": answer.status_code, "text": answer.get_data(as_text=True)}


def _receipts(app: Flask) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(db.select(Sale.receipt_no).where(Sale.receipt_no.like("SRG-CPR-%"))))


def test_sell_back_up_sell_restore_sync_keeps_every_sale_once(db_path: Path, tmp_path: Path) -> None:
    from flask_migrate import upgrade

    from tests.e2e.conftest import LiveServer

    central = make_app(f"sqlite:///{db_path}", POS_ROLE="central")
    with central.app_context():
        outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-CPR"))
        token = tokens.issue(outlet, None)
        outlet.allow_negative_stock = True  # a new node counts its stock; these tests only sell
        db.session.commit()
        before = set(_receipts(central))
    with LiveServer(central) as server:
        node = make_app(
            f"sqlite:///{tmp_path / 'node.sqlite3'}",
            POS_ROLE="outlet",
            POS_OUTLET_CODE="SRG-CPR",
            POS_CENTRAL_URL=server.url,
            POS_SYNC_TOKEN=token,
            POS_BACKUP_DIR=str(tmp_path / "usb"),
        )
        with node.app_context():
            upgrade()
            worker.sync_once()
            register_id = db.session.scalar(db.select(Register.id).where(Register.code == "KASIR-1"))
        cli = node.test_cli_runner()
        cashier = Client(node.test_client())
        cashier.login("kasir_pw", "kasir-pass-2026")
        assert (
            cashier.post("/cashier/shift/open", {"register": register_id, "opening_float": "100000"}).status_code == 303
        )
        assert _sell(cashier)["status"] == 303
        with node.app_context():
            worker.sync_once()
        made = cli.invoke(args=["backup"])
        assert made.exit_code == 0 and "backed up to" in made.output, made.output
        assert _sell(cashier)["status"] == 303  # after the backup, reaches central
        with node.app_context():
            worker.sync_once()
        assert _sell(cashier)["status"] == 303  # after the backup, never reaches central: lost with the disk
        lost = set(_receipts(node)) - set(_receipts(central))
        assert len(lost) == 1
        held = set(_receipts(central))
        file = backup.kept(tmp_path / "usb", "SRG-CPR")[0]
        with node.app_context():
            db.engine.dispose()
        restored = cli.invoke(args=["restore", str(file), "--yes"])
        assert restored.exit_code == 0 and "first sync" in restored.output, restored.output
        refused = _sell(cashier)
        assert refused["status"] == 409 and "dipulihkan dari cadangan" in refused["text"]
        with node.app_context():
            report = worker.sync_once()
            assert report.pending == 0
        after = _sell(cashier)
        assert after["status"] == 303, after["text"][:300]
        with node.app_context():
            worker.sync_once()
        at_central = _receipts(central)
        assert len(at_central) == len(set(at_central))
        new = set(at_central) - before
        assert len(new) == 3  # sales 1 and 2, and the one after the restore; the lost sale never got there
        (continued,) = set(at_central) - held
        assert all(continued > number for number in held - before)  # after central's numbers, never one of them
        with central.app_context():
            state = db.session.get(OutletSyncState, outlet.id)
            assert state.gaps == 0
            assert db.session.scalar(db.select(db.func.count(SyncConflict.id))) == 0
            db.engine.dispose()
        with node.app_context():
            db.engine.dispose()


def test_serve_backs_up_after_a_shift_is_closed(db_path: Path, tmp_path: Path) -> None:
    import threading
    import time

    folder = tmp_path / "usb"
    node = make_app(
        f"sqlite:///{db_path}", POS_BACKUP_DIR=str(folder), POS_BACKUP_MINUTES=15, POS_OUTLET_CODE="SRG-CPR"
    )
    stop = threading.Event()
    thread = backup.in_background(node, stop, check_every=1)
    assert thread is not None
    try:
        time.sleep(1.5)
        assert backup.kept(folder) == []  # 15 minutes are not up and no shift has closed
        with sqlite3.connect(db_path) as connection:
            connection.execute(
                "UPDATE shift SET closed_at = '2099-01-01 00:00:00.000000' WHERE id = (SELECT max(id) FROM shift)"
            )
        for _ in range(100):
            if backup.kept(folder, "SRG-CPR"):
                break
            time.sleep(0.1)
        assert len(backup.kept(folder, "SRG-CPR")) == 1
    finally:
        stop.set()
        thread.join(timeout=5)
    with node.app_context():
        db.engine.dispose()
