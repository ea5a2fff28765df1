"""Shared by the SQLite and PostgreSQL migration tests: every outlet row refers to rows of its own outlet."""

from __future__ import annotations

from sqlalchemy import Connection, ForeignKeyConstraint, text

from pos.models import Base, placement


def outlet_links() -> list[tuple[str, str, str]]:
    """(table, column, parent) of every foreign key between outlet tables, from the models."""
    links = []
    for table in Base.metadata.sorted_tables:
        for constraint in table.constraints:
            if isinstance(constraint, ForeignKeyConstraint) and constraint.referred_table.name in placement.PER_OUTLET:
                column = next(c.name for c in constraint.columns if c.name != "outlet_id")
                links.append((table.name, column, constraint.referred_table.name))
    return links


def children_carry_their_parents_outlet(connection: Connection) -> int:
    """Assert each link joins rows of one outlet; returns how many linked rows were checked."""
    checked = 0
    for table, column, parent in outlet_links():
        wrong, total = connection.execute(
            text(
                f"SELECT count(*) FILTER (WHERE p.outlet_id <> c.outlet_id), count(*) "
                f"FROM {table} c JOIN {parent} p ON p.id = c.{column}"
            )
        ).one()
        assert wrong == 0, f"{table}.{column}: {wrong} rows name another outlet's {parent}"
        checked += total
    return checked
