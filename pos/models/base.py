"""Declarative base, naming convention and shared column types."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    Enum,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry
from sqlalchemy.schema import CreateColumn

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are stored in UTC and come back timezone-aware, on SQLite and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are refused: pass an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def str_enum(enum_cls: type[enum.Enum], length: int = 20) -> Enum:
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


# Every id is a BIGINT on PostgreSQL (a national sale_line passes 2^31 within months, and Citus's workers take
# ids only from bigint sequences); on SQLite an INTEGER is already 64 bits, and only an INTEGER key is the rowid.
BigId = BigInteger().with_variant(Integer(), "sqlite")
intpk = Annotated[int, mapped_column(BigId, primary_key=True)]
rupiah = Annotated[int, mapped_column(BigInteger)]
born_uuid = Annotated[uuid.UUID, mapped_column(Uuid, unique=True)]
str40 = Annotated[str, mapped_column(String(40))]
str120 = Annotated[str, mapped_column(String(120))]
str255 = Annotated[str, mapped_column(String(255))]


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


def only_set(column: str) -> dict[str, Any]:
    """Index options for a column that is mostly NULL: only rows that have a value are indexed."""
    condition = text(f"{column} IS NOT NULL")
    return {"postgresql_where": condition, "sqlite_where": condition}


class OutletRow:
    """A record of one outlet's (see ``pos.models.placement``): keyed by ``(id, outlet_id)`` so central can be
    distributed by outlet, and every update names its outlet (``session.get(Sale, (id, outlet_id))``)."""

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True, sort_order=-20)
    outlet_id: Mapped[int] = mapped_column(BigId, ForeignKey("outlet.id"), primary_key=True, sort_order=-10)


class OutletChild:
    """A line of an outlet record (a sale's line, a statement's payment): keyed like it, ``(id, outlet_id)``; its
    outlet is its parent's, which the composite foreign key to the parent proves, so it needs no key of its own
    to the outlet (one check less for every line central stores)."""

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True, sort_order=-20)
    outlet_id: Mapped[int] = mapped_column(BigId, primary_key=True, sort_order=-10)


def of_outlet(parent: str, column: str | None = None) -> ForeignKeyConstraint:
    """A foreign key from one outlet row to another of the same outlet: ``(outlet_id, <parent>_id)``."""
    return ForeignKeyConstraint(["outlet_id", column or f"{parent}_id"], [f"{parent}.outlet_id", f"{parent}.id"])


def lines_of(table: str, parent: str, column: str | None = None) -> tuple[ForeignKeyConstraint, Index]:
    """A child's key to its parent of the same outlet, and the index that finds a parent's children."""
    column = column or f"{parent}_id"
    return of_outlet(parent, column), Index(f"ix_{table}_{column}", "outlet_id", column)


def outlet_unique(*columns: str) -> UniqueConstraint:
    """Unique within an outlet: a UUID born at the outlet, a document number, an idempotency key."""
    return UniqueConstraint("outlet_id", *columns)


def found_by_uuid(table: str) -> Index:
    """A document (delivery, statement, return, …) that central's users open by its UUID alone, from a link,
    whatever outlet it belongs to: an index on the UUID (on Citus, one index lookup per shard)."""
    return Index(f"ix_{table}_uuid", "uuid")


def _keyed_by_outlet(columns: list[str]) -> bool:
    return sorted(columns) == ["id", "outlet_id"]


# SQLite numbers a row only through an INTEGER PRIMARY KEY of one column, so there an outlet row's key is its id
# and ``(outlet_id, id)`` is a unique key beside it, which the composite foreign keys refer to. An outlet node's
# database holds one outlet (or a demo's few): nothing is distributed there.
@compiles(PrimaryKeyConstraint, "sqlite")
def _sqlite_primary_key(constraint: PrimaryKeyConstraint, compiler: Any, **kw: Any) -> str:
    if not _keyed_by_outlet([c.name for c in constraint.columns]):
        return str(compiler.visit_primary_key_constraint(constraint, **kw))
    name = compiler.preparer.format_constraint(constraint)  # pk_<table>, also while a migration rebuilds it
    table = name[3:] if name and name.startswith("pk_") else constraint.table.name
    return f"CONSTRAINT pk_{table} PRIMARY KEY (id), CONSTRAINT {sqlite_outlet_key(table)} UNIQUE (outlet_id, id)"


@compiles(CreateColumn, "sqlite")
def _sqlite_column(element: CreateColumn[Any], compiler: Any, **kw: Any) -> str:
    column = element.element
    if column.name == "id" and _keyed_by_outlet([c.name for c in column.table.primary_key.columns]):
        return f"{compiler.preparer.format_column(column)} INTEGER NOT NULL"
    return str(compiler.visit_create_column(element, **kw))


def sqlite_outlet_key(table: str) -> str:
    """The name of the unique key that stands for an outlet row's primary key on SQLite."""
    return f"uq_{table}_outlet_id_id"


def compared(name: str | None, kind: str, _parents: object = None) -> bool:
    """What Alembic compares with the models: not the name-search indexes each database keeps its own way (SQLite's
    full-text tables, PostgreSQL's trigram index), and not the unique keys that stand for an outlet row's primary
    key on SQLite."""
    if kind == "table" and name and name.startswith("product_fts"):
        return False
    if kind == "index" and name and name.endswith("_trgm"):
        return False
    return not (kind == "unique_constraint" and name and name.startswith("uq_") and name.endswith("_outlet_id_id"))
