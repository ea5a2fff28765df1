"""What a statement central runs would ask of a Citus cluster, read from its SQL: a join of two outlet tables
not matched on ``outlet_id`` (Citus would have to repartition), an ``ON CONFLICT`` target of an outlet table
without ``outlet_id``, an outlet record looked up by UUID, or updated or deleted, without its outlet (a query to
every shard), or an outlet table joined with a rollup distributed by another key."""

from __future__ import annotations

import re

from pos.models import Base
from pos.models.placement import BY_OWN_KEY, PER_OUTLET

OUTLET_TABLES = frozenset(PER_OUTLET)
# Documents central's users open from a link by UUID alone: indexed on it (one lookup per shard), so allowed.
BY_LINK = frozenset(
    table.name
    for table in Base.metadata.sorted_tables
    if any(index.name == f"ix_{table.name}_uuid" for index in table.indexes)
)
OTHER_KEYED = frozenset(BY_OWN_KEY)

_NAMED = re.compile(r"\b(?:FROM|JOIN|UPDATE|INTO)\s+(\w+)(?:\s+AS\s+(\w+))?", re.IGNORECASE)
_JOIN = re.compile(
    r"\bJOIN\s+(\w+)(?:\s+AS\s+(\w+))?\s+ON\s+(.+?)"
    r"(?=\s+(?:LEFT OUTER |RIGHT OUTER |FULL OUTER |INNER )?JOIN\s|\s+WHERE\s|\s+GROUP BY\s|\s+ORDER BY\s|\s+LIMIT\s|\)|$)",
    re.IGNORECASE | re.DOTALL,
)
_PAIR = re.compile(r"(\w+)\.(\w+)\s*=\s*(\w+)\.(\w+)")
_CONFLICT = re.compile(r"INSERT INTO (\w+).*?ON CONFLICT \(([^)]*)\)", re.IGNORECASE | re.DOTALL)
_BY_UUID = re.compile(r"\b(\w+)\.uuid\s*(?:=|IN\b)", re.IGNORECASE)
_BARE_UUID = re.compile(r"(?<![.\w])uuid\s*(?:=|IN\b)", re.IGNORECASE)
_BARE_OUTLET = re.compile(r"(?<![.\w])outlet_id\b")
_FIRST_FROM = re.compile(r"\bFROM\s+(\w+)", re.IGNORECASE)
_PREDICATES = re.compile(
    r"\b(?:WHERE|ON)\b(.*?)(?=\bGROUP BY\b|\bORDER BY\b|\bLIMIT\b|\bRETURNING\b|\bJOIN\b|$)", re.DOTALL
)
_WRITE = re.compile(r"^\s*(UPDATE|DELETE FROM)\s+(\w+)\b(.*)$", re.IGNORECASE | re.DOTALL)


def problems(sql: str) -> list[str]:
    found: list[str] = []
    aliases = {alias or table: table for table, alias in _NAMED.findall(sql)}
    for table, alias, condition in _JOIN.findall(sql):
        me = alias or table
        pairs = _PAIR.findall(condition)
        others = {a for a, _c, b, _d in pairs for a in (a, b)} - {me}
        for other in others:
            mine, theirs = aliases.get(me), aliases.get(other)
            if mine in OUTLET_TABLES and theirs in OUTLET_TABLES:
                matched = any({a, b} == {me, other} and c == d == "outlet_id" for a, c, b, d in pairs)
                if not matched:
                    found.append(f"join of {mine} and {theirs} not on outlet_id")
            elif {mine, theirs} & OTHER_KEYED and {mine, theirs} & OUTLET_TABLES:
                found.append(f"join of {mine} and {theirs}: distributed by different keys")
    for table, target in _CONFLICT.findall(sql):
        if table in OUTLET_TABLES and "outlet_id" not in target:
            found.append(f"ON CONFLICT ({target}) on {table} without outlet_id")
    predicates = " ".join(_PREDICATES.findall(sql))
    for alias in set(_BY_UUID.findall(predicates)):
        table = aliases.get(alias)
        if table in OUTLET_TABLES - BY_LINK and f"{alias}.outlet_id" not in predicates:
            found.append(f"{table} looked up by uuid without its outlet")
    first = _FIRST_FROM.search(sql)
    bare = first is not None and first.group(1) in OUTLET_TABLES - BY_LINK and _BARE_UUID.search(predicates)
    if bare and first and not _BARE_OUTLET.search(predicates):
        found.append(f"{first.group(1)} looked up by uuid without its outlet")
    write = _WRITE.match(sql)
    if write and write.group(2) in OUTLET_TABLES and "outlet_id" not in write.group(3).split("WHERE", 1)[-1]:
        found.append(f"{write.group(1).upper()} of {write.group(2)} without its outlet")
    return found
