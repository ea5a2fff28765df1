"""``kmp-pos serve`` knows whether the database is at the newest migration without loading Alembic."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

from pos import migration_state

ROOT = Path(__file__).resolve().parents[2]


def test_the_heads_read_from_the_files_are_alembics() -> None:
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    assert migration_state.heads() == set(ScriptDirectory.from_config(config).get_heads())


def test_a_database_is_up_to_date_only_at_the_heads(tmp_path: Path) -> None:
    path = tmp_path / "node.sqlite3"
    url = f"sqlite:///{path}"
    assert migration_state.current(url) is None and not migration_state.up_to_date(url)  # no file yet
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        connection.execute("INSERT INTO alembic_version VALUES ('0123456789ab')")
    assert migration_state.current(url) == {"0123456789ab"} and not migration_state.up_to_date(url)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = ?", tuple(migration_state.heads()))
    assert migration_state.up_to_date(url)
    assert not migration_state.up_to_date("mysql://nobody@nowhere/x")  # unknown here: the upgrade decides
