import sqlite3
from pathlib import Path

from flask import Flask

from pos import demo
from pos.extensions import db
from tests.conftest import make_app
from tests.schema_check import pending_diff


def test_migrations_match_the_models_on_sqlite(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    assert pending_diff(app) == []


def test_sqlite_runs_in_wal_with_foreign_keys_and_full_sync(app: Flask, db_path: Path) -> None:
    with app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_demo_seed_is_idempotent(app: Flask) -> None:
    from pos.models import Product, User

    with app.app_context():
        products = db.session.query(Product).count()
        users = db.session.query(User).count()
        assert demo.seed() is False
        db.session.commit()
        assert db.session.query(Product).count() == products >= 40
        assert db.session.query(User).count() == users


def test_upgrading_a_database_with_sales_fills_the_report_rollups(app: Flask, db_path: Path) -> None:
    from flask_migrate import downgrade, upgrade

    from tests.rollup_check import assert_rollups_match, kept

    with app.app_context():
        downgrade(revision="6519917509b2")  # before the month, programme and product rollups
        upgrade()
        assert all(kept().values())
        assert_rollups_match()


def test_the_outlet_keys_migration_downgrades_and_upgrades_a_database_with_data(app: Flask, db_path: Path) -> None:
    from flask_migrate import downgrade, upgrade

    from pos.models import placement
    from tests.migration_check import children_carry_their_parents_outlet

    def counts() -> dict[str, int]:
        with db.engine.connect() as connection:
            # going back before members at the till forgets which member bought (and their rollup) by design
            return {
                t: connection.exec_driver_sql(f'SELECT count(*) FROM "{t}"').scalar_one()
                for t in placement.PER_OUTLET
                if t != "member_month_rollup"
            }

    with app.app_context():
        before = counts()
        assert before["sale_line"] > 1000 and before["payment"] > 100
        downgrade(revision="3c9a1f2b7d10")  # before outlet keys: children without outlet_id
        with db.engine.connect() as connection:
            columns = {row[1] for row in connection.exec_driver_sql("PRAGMA table_info(sale_line)")}
            assert "outlet_id" not in columns
        upgrade()
        assert counts() == before
        with db.engine.connect() as connection:
            assert children_carry_their_parents_outlet(connection) > before["sale_line"]
            key = connection.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'sale_line'").scalar_one()
            assert "PRIMARY KEY (id)" in key and "UNIQUE (outlet_id, id)" in key  # the rowid stays the id
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
