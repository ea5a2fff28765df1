"""Central's schema keeps the rules Citus enforces, checked over the live PostgreSQL catalogue after `db upgrade`;
the migration upgrades and downgrades a database with data; `kmp-pos central distribute` places every table.

A Citus cluster is not available here: the placement SQL runs against stand-ins of Citus's two functions that
refuse what Citus refuses (a unique key or foreign key without the distribution column, a foreign key to a
table not placed yet)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import Connection, inspect, text

from pos.extensions import db
from pos.models import citus, placement

BEFORE = "3c9a1f2b7d10"  # the revision before outlet keys


@pytest.fixture(scope="module")
def central(pg_app: Flask) -> Flask:
    """Central with the demo's year, another outlet, and statements with a payment and a dispute."""
    with pg_app.app_context():
        _statement_with_a_payment_and_a_dispute()
        db.session.commit()
    return pg_app


def _statement_with_a_payment_and_a_dispute() -> None:
    from pos.core.clock import business_date
    from pos.models import Agreement, Outlet, User
    from pos.partnership import settlements

    agreement = db.session.scalar(db.select(Agreement).where(Agreement.number.like("%SRB%")))
    outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-CPR"))
    user = db.session.scalar(db.select(User).where(User.username == "pusat"))
    assert agreement and outlet and user
    today = business_date(outlet.timezone)
    for first, last in settlements.open_periods(agreement, outlet):  # in order, up to the last whole period
        if last < today:
            statement = settlements.issue(agreement, outlet, first, user)
    settlements.raise_dispute(statement, user, "Selisih stok")
    settlements.record_payment(
        statement,
        user,
        paid_on=statement.period_end,
        amount=1000,
        method="transfer",
        reference="TRF-1",
        confirm_over=True,
    )


def _violations(app: Flask) -> list[str]:
    with app.app_context(), db.engine.connect() as connection:
        return citus.violations(connection)


def test_the_upgraded_schema_keeps_every_citus_rule(central: Flask) -> None:
    assert _violations(central) == []


def test_a_table_that_breaks_a_rule_is_named(central: Flask) -> None:
    with central.app_context(), db.engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE widget (id serial PRIMARY KEY, outlet_id bigint REFERENCES outlet (id), uuid uuid UNIQUE)"
        )
        connection.exec_driver_sql("ALTER TABLE sale ADD CONSTRAINT uq_sale_id_alone UNIQUE (id)")
        connection.exec_driver_sql(
            "ALTER TABLE payment ADD CONSTRAINT fk_payment_sale_alone FOREIGN KEY (sale_id) REFERENCES sale (id)"
        )
        connection.exec_driver_sql("ALTER TABLE register ADD COLUMN last_sale_id bigint")
        connection.exec_driver_sql(
            "ALTER TABLE register ADD CONSTRAINT fk_register_last_sale FOREIGN KEY (outlet_id, last_sale_id) "
            "REFERENCES sale (outlet_id, id)"
        )
        found = citus.violations(connection)
        connection.rollback()
    assert "widget: not placed (add it to pos.models.placement)" in found
    assert "widget.id: integer id (ids are bigint)" in found
    assert "sale: unique key (id) does not include outlet_id" in found
    assert "register: fk_register_last_sale refers from a reference table to distributed sale" in found
    assert "payment: fk_payment_sale_alone (sale_id) -> sale does not go by outlet_id" in found
    assert _violations(central) == []


def _counts(connection: Connection) -> dict[str, int]:
    return {
        table: connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
        for table in placement.PER_OUTLET
    }


def test_the_migration_downgrades_and_upgrades_a_database_with_data(central: Flask) -> None:
    from tests.migration_check import children_carry_their_parents_outlet

    with central.app_context():
        with db.engine.connect() as connection:
            before = _counts(connection)
        assert before["sale_line"] > 1000 and before["settled_line"] > 0 and before["statement_line"] > 0
        downgrade(revision=BEFORE)
        with db.engine.connect() as connection:
            assert citus.violations(connection) != []
            assert connection.execute(text("SELECT count(*) FROM sale_line")).scalar_one() == before["sale_line"]
            kept = set(inspect(connection).get_table_names())  # tables made after BEFORE are gone with it
        upgrade()
        with db.engine.connect() as connection:
            assert {t: n for t, n in _counts(connection).items() if t in kept} == {
                t: n for t, n in before.items() if t in kept
            }
            assert children_carry_their_parents_outlet(connection) > before["sale_line"]
            assert citus.violations(connection) == []
        db.engine.dispose()


STAND_INS = """
CREATE TABLE placed (seq serial, relation text PRIMARY KEY, kind text, column_name text);
CREATE FUNCTION refuse_unless_placeable(rel regclass, col text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE bad text;
BEGIN
  IF EXISTS (SELECT 1 FROM placed WHERE relation = rel::text) THEN
    RAISE EXCEPTION 'table "%" is already distributed', rel;
  END IF;
  SELECT string_agg(c.conname, ', ') INTO bad FROM pg_constraint c
   WHERE c.contype = 'f' AND (c.conrelid = rel OR c.confrelid = rel) AND c.conrelid <> c.confrelid
     AND NOT EXISTS (SELECT 1 FROM placed p WHERE p.relation IN (c.conrelid::regclass::text, c.confrelid::regclass::text)
                     AND p.relation <> rel::text);
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'cannot place "%": foreign keys to tables that are not placed: %', rel, bad;
  END IF;
  IF col IS NOT NULL THEN
    SELECT string_agg(i.indexrelid::regclass::text, ', ') INTO bad FROM pg_index i
     WHERE i.indrelid = rel AND i.indisunique
       AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = rel AND a.attname = col
                       AND a.attnum = ANY(i.indkey));
    IF bad IS NOT NULL THEN
      RAISE EXCEPTION 'Distributed relations cannot have UNIQUE, EXCLUDE, or PRIMARY KEY constraints that do not '
                      'include the partition column (%: %)', rel, bad;
    END IF;
  END IF;
END $$;
CREATE FUNCTION create_reference_table(rel regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refuse_unless_placeable(rel, NULL);
  INSERT INTO placed (relation, kind) VALUES (rel::text, 'reference');
END $$;
CREATE FUNCTION create_distributed_table(rel regclass, col text, colocate_with text DEFAULT 'default')
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refuse_unless_placeable(rel, col);
  IF colocate_with NOT IN ('default', 'none') AND NOT EXISTS (SELECT 1 FROM placed WHERE relation = colocate_with) THEN
    RAISE EXCEPTION 'colocate_with table "%" is not distributed', colocate_with;
  END IF;
  INSERT INTO placed (relation, kind, column_name) VALUES (rel::text, 'distributed', col);
END $$;
"""


def _foreign_keys(connection: Connection) -> set[tuple[str, str]]:
    return set(
        connection.execute(
            text(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype = 'f' AND connamespace = current_schema()::regnamespace"
            )
        ).all()
    )


def test_the_distribute_plan_places_every_table_in_an_order_citus_accepts(central: Flask) -> None:
    from click.testing import CliRunner

    from pos.cli import central_distribute

    result = CliRunner().invoke(central_distribute, ["--print", "--shards", "64"], obj=_script_info(central))
    assert result.exit_code == 0, result.output
    steps = result.output.strip().splitlines()
    with central.app_context(), db.engine.begin() as connection:
        keys = _foreign_keys(connection)
        connection.connection.driver_connection.execute(STAND_INS)  # type: ignore[union-attr]
        for step in steps:
            if not step.startswith("SET citus."):
                connection.exec_driver_sql(step)
        placed = connection.execute(text("SELECT relation, kind, column_name FROM placed ORDER BY seq")).all()
        assert _foreign_keys(connection) == keys  # every foreign key is back as it was
        connection.rollback()
    assert "SET citus.shard_count = 64;" in steps
    assert [r for r, kind, _c in placed if kind == "reference"] == list(placement.REFERENCE)
    assert [(r, c) for r, kind, c in placed if kind == "distributed"] == [
        *((t, "outlet_id") for t in placement.PER_OUTLET),
        *placement.BY_OWN_KEY.items(),
    ]
    assert "SELECT create_distributed_table('sale_line', 'outlet_id', colocate_with => 'shift');" in steps


def _script_info(app: Flask) -> object:
    from flask.cli import ScriptInfo

    return ScriptInfo(create_app=lambda: app)
