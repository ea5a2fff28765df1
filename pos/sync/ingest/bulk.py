"""The bulk writer: many rows in one go (COPY on PostgreSQL), records found by their UUIDs in one query,
and what the database may refuse of the rows."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
from sqlalchemy import Uuid
from sqlalchemy.exc import DataError, IntegrityError, InternalError, ProgrammingError

from pos.domain.sync import LINE_FIGURES
from pos.extensions import db

SALE_COLUMNS = (
    "uuid",
    "outlet_id",
    "shift_id",
    "cashier_id",
    "kind",
    "receipt_no",
    "receipt_token",
    "member_id",
    "idempotency_key",
    "business_date",
    "created_at",
    "subtotal",
    "discount",
    "total",
    "fee",
    "investor_share",
    "paid",
    "change",
    "rounding",
    "original_id",
    "reason",
)


LINE_COLUMNS = (
    "uuid",
    "outlet_id",
    "sale_id",
    "product_id",
    "investor_id",
    "agreement_version_id",
    *LINE_FIGURES,
    "original_line_id",
)


EVENT_COLUMNS = ("uuid", "outlet_id", "seq", "event_type", "schema_version", "body_hash", "payload", "received_at")


PAYMENT_COLUMNS = ("uuid", "outlet_id", "sale_id", "method", "amount", "reference")


MOVE_COLUMNS = (
    "uuid",
    "outlet_id",
    "product_id",
    "kind",
    "quantity",
    "document_type",
    "document_uuid",
    "note",
    "created_at",
)


def pg_connection(connection: Any) -> Any:
    """The psycopg connection under the session's transaction, or None on another database."""
    return connection.connection.driver_connection if connection.dialect.name == "postgresql" else None


def bulk_insert(model: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]], *, ids: bool = False) -> list[int]:
    """Insert many rows in one go: COPY on PostgreSQL, executemany elsewhere. With ``ids``, return the new
    rows' ids in order (taken from the sequence first, so the rows can be referred to at once).

    UUIDs travel as their canonical text and become UUIDs again where the driver needs them.
    """
    if not rows:
        return []
    table = model.__table__
    connection = db.session.connection()
    raw = pg_connection(connection)
    if raw is None:
        uuid_columns = [n for n, name in enumerate(columns) if isinstance(table.c[name].type, Uuid)]
        dicts = []
        for row in rows:
            values = dict(zip(columns, row, strict=True))
            for n in uuid_columns:
                if row[n] is not None:
                    values[columns[n]] = uuid.UUID(str(row[n]))
            dicts.append(values)
        connection.execute(table.insert(), dicts)
        if not ids:
            return []
        key, outlet = columns.index("uuid"), columns.index("outlet_id")
        found = lookup(model, {str(row[key]) for row in rows}, rows[0][outlet])
        return [found[str(row[key])] for row in rows]
    with raw.cursor() as cursor:
        if not ids:
            with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return []
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", (table.name, len(rows))
        )
        new_ids = [row[0] for row in cursor.fetchall()]
        with cursor.copy(f"COPY {table.name} (id, {', '.join(columns)}) FROM STDIN") as copy:
            for new_id, row in zip(new_ids, rows, strict=True):
                copy.write_row((new_id, *row))
    return new_ids


def lookup(model: Any, keys: set[str], outlet_id: int | None = None) -> dict[str, int]:
    """Ids of the records with these UUIDs (canonical text): one query (in chunks of 5,000 on SQLite). An
    outlet's records are looked for with ``outlet_id``, by the ``(outlet_id, uuid)`` key their tables are unique
    on; without it only reference tables (the catalogue, terms) are searched."""
    if not keys:
        return {}
    connection = db.session.connection()
    raw = pg_connection(connection)
    if raw is not None:
        sql = f"SELECT uuid::text, id FROM {model.__tablename__} WHERE uuid = ANY(%s::uuid[])"
        with raw.cursor() as cursor:
            if outlet_id is None:
                cursor.execute(sql, (list(keys),))
            else:
                cursor.execute(sql + " AND outlet_id = %s", (list(keys), outlet_id))
            return dict(cursor.fetchall())
    out: dict[str, int] = {}
    wanted = [uuid.UUID(key) for key in keys]
    for start in range(0, len(wanted), 5000):
        query = db.select(model.uuid, model.id).where(model.uuid.in_(wanted[start : start + 5000]))
        if outlet_id is not None:
            query = query.where(model.outlet_id == outlet_id)
        out.update((str(key), pk) for key, pk in db.session.execute(query))
    return out


# What the database can refuse of a record the checks let through (a value out of range, a UUID another record
# holds). An OperationalError (a busy database) is left to the push's retry, and so is an IntegrityError of an
# event another push stored meanwhile.
# COPY runs on psycopg's own connection, so its errors come unwrapped.
WRITE_FAILURES = (
    DataError,
    IntegrityError,
    InternalError,
    ProgrammingError,
    OverflowError,
    psycopg.DataError,
    psycopg.IntegrityError,
    psycopg.InternalError,
    psycopg.ProgrammingError,
)
