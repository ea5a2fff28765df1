"""`kmp-pos central distribute` plans from the catalogue: nothing on a placed database, the rest after an
interruption (its SQL runs against Citus stand-ins in tests/pg/test_citus_rules_pg.py)."""

from __future__ import annotations

from pos.models import Base, citus, placement


def _everything() -> dict[str, str]:
    placed = {t: "reference" for t in placement.REFERENCE} | {t: "outlet_id" for t in placement.PER_OUTLET}
    return placed | dict(placement.BY_OWN_KEY)


def test_every_table_of_the_models_is_placed_once() -> None:
    lists = [*placement.REFERENCE, *placement.PER_OUTLET, *placement.BY_OWN_KEY]
    assert len(lists) == len(set(lists))
    assert set(lists) == set(Base.metadata.tables)


def test_a_placed_database_needs_no_step_and_an_interrupted_run_is_finished() -> None:
    tables = frozenset(Base.metadata.tables)
    adds = [s for s in citus.plan(citus.Catalogue(tables, {}, _everything())) if "ADD CONSTRAINT" in s]
    assert len(adds) == sum(len(t.foreign_key_constraints) for t in Base.metadata.sorted_tables) > 100
    keys = {citus._constraint_name(s): ("x", "y") for s in adds}
    assert citus.plan(citus.Catalogue(tables, keys, _everything())) == []
    # Stopped after the foreign keys were dropped and most tables placed:
    halfway = {t: v for t, v in _everything().items() if t not in ("payment", "statement")}
    steps = citus.plan(citus.Catalogue(tables, {}, halfway))
    assert [s for s in steps if s.startswith("SELECT")] == [
        "SELECT create_distributed_table('payment', 'outlet_id', colocate_with => 'shift');",
        "SELECT create_distributed_table('statement', 'outlet_id', colocate_with => 'shift');",
    ]
    assert [s for s in steps if "ADD CONSTRAINT" in s] == adds
    assert not [s for s in steps if "DROP CONSTRAINT" in s]
