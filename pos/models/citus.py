"""Placing central's tables on a Citus cluster: reference tables copied to every node, outlet tables distributed
by ``outlet_id`` and co-located, the programme rollups by their own key (``pos.models.placement``).

Citus distributes a table only while no foreign key ties it to a table that is not placed yet, so the plan drops
the foreign keys of the tables it still has to place, places them (references first, then parents before
children) and adds every foreign key of the models that the catalogue lacks. Each step looks at the catalogue
first, so running it again after an interruption finishes the work, and running it on a placed database does
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, ForeignKeyConstraint, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import AddConstraint

from pos.models import Base
from pos.models.placement import BY_OWN_KEY, DISTRIBUTION_COLUMN, PER_OUTLET, REFERENCE

COLOCATE_WITH = PER_OUTLET[0]


@dataclass(frozen=True)
class Catalogue:
    """What the database already has: its tables, their foreign keys by name, and the tables Citus placed
    (``reference`` or the distribution column)."""

    tables: frozenset[str]
    foreign_keys: dict[str, tuple[str, str]]  # name -> (table, referred table)
    placed: dict[str, str]

    @classmethod
    def read(cls, connection: Connection) -> Catalogue:
        tables = frozenset(
            connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).scalars()
        )
        keys = {
            name: (table, referred)
            for name, table, referred in connection.execute(
                text(
                    "SELECT c.conname, t.relname, r.relname FROM pg_constraint c "
                    "JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid "
                    "JOIN pg_namespace n ON n.oid = t.relnamespace "
                    "WHERE c.contype = 'f' AND n.nspname = current_schema()"
                )
            )
        }
        placed: dict[str, str] = {}
        if citus_version(connection) is not None:
            for table, method, column in connection.execute(
                text(
                    "SELECT logicalrelid::regclass::text, partmethod, "
                    "CASE WHEN partkey IS NULL THEN NULL "
                    "ELSE column_to_column_name(logicalrelid, partkey) END FROM pg_dist_partition"
                )
            ):
                placed[table.strip('"')] = "reference" if method == "n" else str(column)
        return cls(tables, keys, placed)


def citus_version(connection: Connection) -> str | None:
    return connection.execute(text("SELECT extversion FROM pg_extension WHERE extname = 'citus'")).scalar()


def _wanted() -> list[tuple[str, str | None]]:
    """Every table with where it goes, in the order Citus needs: (table, None) for a reference table, else its
    distribution column."""
    return (
        [(table, None) for table in REFERENCE]
        + [(table, DISTRIBUTION_COLUMN) for table in PER_OUTLET]
        + list(BY_OWN_KEY.items())
    )


def _model_foreign_keys() -> list[ForeignKeyConstraint]:
    found = []
    for table in Base.metadata.sorted_tables:
        found.extend(c for c in table.constraints if isinstance(c, ForeignKeyConstraint))
    return found


def plan(catalogue: Catalogue, shards: int | None = None) -> list[str]:
    """The SQL that places every table not yet placed; empty when all are."""
    todo = [
        (table, column)
        for table, column in _wanted()
        if table in catalogue.tables and catalogue.placed.get(table) != (column or "reference")
    ]
    steps: list[str] = []
    moving = {table for table, _column in todo}
    for name, (table, referred) in sorted(catalogue.foreign_keys.items()):
        if table in moving or referred in moving:
            steps.append(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}";')
    if todo and shards:
        steps.append(f"SET citus.shard_count = {int(shards)};")
    for table, column in todo:
        if column is None:
            steps.append(f"SELECT create_reference_table('{table}');")
        elif table in PER_OUTLET and table != COLOCATE_WITH:
            steps.append(f"SELECT create_distributed_table('{table}', '{column}', colocate_with => '{COLOCATE_WITH}');")
        elif table in PER_OUTLET:
            steps.append(f"SELECT create_distributed_table('{table}', '{column}');")
        else:
            steps.append(f"SELECT create_distributed_table('{table}', '{column}', colocate_with => 'none');")
    dialect = postgresql.dialect()
    kept = {name for name, (table, referred) in catalogue.foreign_keys.items() if not {table, referred} & moving}
    for constraint in _model_foreign_keys():
        compiled = str(AddConstraint(constraint).compile(dialect=dialect))
        if constraint.table.name in catalogue.tables and _constraint_name(compiled) not in kept:
            steps.append(compiled.strip() + ";")
    return steps


def _constraint_name(compiled: str) -> str:
    # ALTER TABLE x ADD CONSTRAINT name FOREIGN KEY ...
    return compiled.split("ADD CONSTRAINT", 1)[1].split()[0].strip('"')


def distribute(connection: Connection, shards: int | None = None) -> list[str]:
    """Run the plan on a Citus coordinator, one statement at a time; returns what it ran."""
    steps = plan(Catalogue.read(connection), shards)
    for statement in steps:
        connection.exec_driver_sql(statement)
    return steps


def violations(connection: Connection) -> list[str]:
    """Where the live catalogue breaks a rule Citus enforces (or that distribution needs), one line each:
    every table is placed; a distributed table's primary and unique keys include its distribution column; a
    foreign key between distributed tables includes it on both sides; no reference table refers to a distributed
    one; no id column is an ``integer``."""
    from pos.models.placement import UNPLACED, placement

    found: list[str] = []
    tables = set(
        connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).scalars()
    )
    where: dict[str, str] = {}
    for table in sorted(tables - set(UNPLACED)):
        try:
            kind = placement(table)
        except KeyError:
            found.append(f"{table}: not placed (add it to pos.models.placement)")
            continue
        where[table] = "reference" if kind == "reference" else BY_OWN_KEY.get(table, DISTRIBUTION_COLUMN)
    for table, kind, columns in connection.execute(
        text(
            "SELECT t.relname, CASE WHEN i.indisprimary THEN 'primary key' ELSE 'unique key' END, "
            "array_agg(a.attname::text ORDER BY a.attnum) "
            "FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
            "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(i.indkey) "
            "WHERE n.nspname = current_schema() AND i.indisunique AND t.relkind = 'r' "
            "GROUP BY t.relname, i.indexrelid, i.indisprimary"
        )
    ):
        column = where.get(table)
        if column not in (None, "reference") and column not in columns:
            found.append(f"{table}: {kind} ({', '.join(columns)}) does not include {column}")
    for name, table, referred, columns, referred_columns in connection.execute(
        text(
            "SELECT c.conname, t.relname, r.relname, "
            "ARRAY(SELECT attname::text FROM pg_attribute WHERE attrelid = c.conrelid AND attnum = ANY(c.conkey)), "
            "ARRAY(SELECT attname::text FROM pg_attribute WHERE attrelid = c.confrelid AND attnum = ANY(c.confkey)) "
            "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid "
            "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE c.contype = 'f' AND n.nspname = current_schema()"
        )
    ):
        source, target = where.get(table), where.get(referred)
        if source == "reference" and target not in (None, "reference"):
            found.append(f"{table}: {name} refers from a reference table to distributed {referred}")
        elif (
            source not in (None, "reference")
            and target not in (None, "reference")
            and (source != target or source not in columns or target not in referred_columns)
        ):
            found.append(f"{table}: {name} ({', '.join(columns)}) -> {referred} does not go by {source}")
    for table, column in connection.execute(
        text(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND data_type = 'integer' "
            "AND (column_name = 'id' OR column_name LIKE '%\\_id') ORDER BY 1, 2"
        )
    ):
        found.append(f"{table}.{column}: integer id (ids are bigint)")
    return found
