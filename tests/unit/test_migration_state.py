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


def test_the_command_line_loads_no_database_layer_until_a_command_needs_it() -> None:
    """``kmp-pos serve`` checks the migration state before anything heavy is imported."""
    import subprocess
    import sys

    probe = (
        "import sys; from pos.cli import main; from pos import migration_state; migration_state.heads(); "
        "print(sorted(m for m in ('alembic', 'flask_migrate', 'sqlalchemy', 'pos.app', 'pos.models') if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    assert loaded.stdout.strip() == "[]", loaded.stdout + loaded.stderr
