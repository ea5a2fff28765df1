"""Backups of an outlet node's SQLite database, and restoring one.

A backup is SQLite's online backup of the live database (writers go on while it is copied, a few pages at a
time), checked with ``PRAGMA integrity_check`` before it takes its final name, kept ``keep`` deep per folder.
Restoring checks the file the same way, refuses a backup of another outlet, keeps a copy of the database it
replaces, and marks the node restored: its next sync asks central how far the outlet got (see
``pos.sync.standing``) before the till sells again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pos.core import clock

NAME = re.compile(r"^kmp-pos-(?P<outlet>[A-Z0-9-]+)-(?P<at>\d{8}T\d{6}Z)\.sqlite3$")
log = logging.getLogger(__name__)
PAGES_PER_STEP = 256  # 1 MiB at a time: a till's write waits at most one step


class BackupError(Exception):
    """A backup that cannot be made or a file that cannot be restored; the message says why."""


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    outlets: tuple[str, ...]
    sales: int
    waiting: int  # outbox events not yet acknowledged by central
    taken_at: datetime | None


def database_path(url: str) -> Path:
    """The file behind a ``sqlite:///`` URL (a backup is of a node's SQLite database, never of central)."""
    if not url.startswith("sqlite:///") or url in ("sqlite:///", "sqlite:///:memory:"):
        raise BackupError("backups are of an outlet node's SQLite database; central is backed up with pg_dump")
    return Path(url.removeprefix("sqlite:///")).resolve()


def _checked(path: Path) -> sqlite3.Connection:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path.name} is not a readable SQLite database ({exc})") from exc
    if verdict != "ok":
        connection.close()
        raise BackupError(f"{path.name} failed its integrity check: {verdict}")
    return connection


def inspect(path: Path) -> BackupInfo:
    """What a backup holds, after checking it is whole and is a KMP POS database."""
    if not path.is_file():
        raise BackupError(f"no file {path}")
    connection = _checked(path)
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"outlet", "sale", "outbox_event", "alembic_version"} <= tables:
            raise BackupError(f"{path.name} is not a KMP POS database")
        outlets = tuple(row[0] for row in connection.execute("SELECT code FROM outlet ORDER BY code"))
        sales = connection.execute("SELECT count(*) FROM sale").fetchone()[0]
        waiting = connection.execute("SELECT count(*) FROM outbox_event WHERE sent_at IS NULL").fetchone()[0]
    finally:
        connection.close()
    match = NAME.match(path.name)
    taken = datetime.strptime(match["at"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC) if match else None
    return BackupInfo(path, outlets, sales, waiting, taken)


def take(source: Path, folder: Path, label: str, keep: int = 48) -> BackupInfo:
    """Back the live database up into ``folder`` (a USB stick's mount point will do), then keep ``keep`` newest
    of this label there."""
    if keep < 1:
        raise BackupError("keep at least one backup")
    folder.mkdir(parents=True, exist_ok=True)
    stamp = clock.now().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    final = folder / f"kmp-pos-{label}-{stamp}.sqlite3"
    part = final.with_name(final.name + ".part")
    part.unlink(missing_ok=True)
    try:
        src = sqlite3.connect(source)
        dst = sqlite3.connect(part)
        try:
            with dst:
                src.backup(dst, pages=PAGES_PER_STEP, sleep=0.002)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            dst.close()
            src.close()
        with open(part, "rb+") as handle:
            os.fsync(handle.fileno())
        _checked(part).close()
        os.replace(part, final)
    except (OSError, sqlite3.Error) as exc:
        part.unlink(missing_ok=True)
        raise BackupError(f"the backup to {folder} failed: {exc}") from exc
    _sync_folder(folder)
    _prune(folder, label, keep)
    return inspect(final)


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def kept(folder: Path, label: str | None = None) -> list[Path]:
    """The backups in a folder, newest first."""
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if (m := NAME.match(p.name)) and (label is None or m["outlet"] == label)]
    return sorted(found, key=lambda p: p.name, reverse=True)


def _prune(folder: Path, label: str, keep: int) -> None:
    for old in kept(folder, label)[keep:]:
        old.unlink(missing_ok=True)


def restore(backup: Path, target: Path, outlet_code: str | None, label: str, *, syncs: bool) -> BackupInfo:
    """Put ``backup`` in place of the database at ``target`` (the server stopped). The database it replaces is
    backed up first, next to it, in ``before-restore``. A node that ``syncs`` is marked restored."""
    info = inspect(backup)
    if outlet_code and outlet_code not in info.outlets:
        held = ", ".join(info.outlets) or "no outlet"
        raise BackupError(f"{backup.name} is a backup of {held}, not of this node's outlet {outlet_code}")
    if target.exists() and target.stat().st_size:
        with contextlib.suppress(BackupError):  # a damaged database (the reason to restore) is replaced all the same
            take(target, target.parent / "before-restore", label, keep=5)
    try:
        src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        dst = sqlite3.connect(target)
        try:
            with dst:
                src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")
            with dst:
                if syncs:
                    _mark_restored(dst, backup.name)
        finally:
            dst.close()
            src.close()
    except sqlite3.Error as exc:
        raise BackupError(f"restoring {backup.name} failed: {exc}") from exc
    return info


def _mark_restored(dst: sqlite3.Connection, name: str) -> None:
    at = clock.now().astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    if dst.execute("SELECT count(*) FROM sync_status").fetchone()[0] == 0:
        dst.execute("INSERT INTO sync_status (id, pull_cursor, failures) VALUES (1, 0, 0)")
    dst.execute("UPDATE sync_status SET restored_at = ?, restored_from = ?", (at, name[:255]))


def label_of(outlet_code: str | None) -> str:
    return outlet_code or "ALL"


def in_background(app: Any, stop: threading.Event | None = None, check_every: int = 30) -> threading.Thread | None:
    """`kmp-pos serve` on SQLite: a backup every ``POS_BACKUP_MINUTES`` and after each shift is closed."""
    minutes = int(app.config.get("POS_BACKUP_MINUTES") or 0)
    try:
        source = database_path(app.config["SQLALCHEMY_DATABASE_URI"])
    except BackupError:
        return None
    if minutes <= 0:
        return None
    folder = Path(app.config["POS_BACKUP_DIR"])
    keep = int(app.config["POS_BACKUP_KEEP"])
    label = label_of(app.config.get("POS_OUTLET_CODE"))
    halt = stop or threading.Event()

    def last_close() -> str | None:
        connection = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=10)
        try:
            return connection.execute("SELECT max(closed_at) FROM shift").fetchone()[0]
        except sqlite3.Error:
            return None
        finally:
            connection.close()

    def loop() -> None:
        closed, due = last_close(), time.monotonic() + minutes * 60
        while not halt.wait(check_every):
            now_closed = last_close()
            if time.monotonic() < due and now_closed == closed:
                continue
            try:
                take(source, folder, label, keep)
            except BackupError as exc:  # a full or missing stick: said in the log, tried again next time
                log.warning("backup failed: %s", exc)
            closed, due = now_closed, time.monotonic() + minutes * 60

    thread = threading.Thread(target=loop, name="kmp-backup", daemon=True)
    thread.start()
    return thread
