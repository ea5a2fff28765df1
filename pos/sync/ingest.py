"""Central ingest: store pushed events once, apply them in bulk, keep rollups in the same transaction.

Every event is stored by its id (a unique key). A repeated event is acknowledged; the same id with
another body is refused and recorded as a conflict, never overwritten. Business records keep the
UUIDs they were born with (unique keys too), so an event can never create a record twice.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import psycopg
from flask import current_app
from sqlalchemy import Uuid, case, func
from sqlalchemy.exc import DataError, IntegrityError, InternalError, ProgrammingError

from pos.core import clock, upsert
from pos.domain.money import line_amount
from pos.domain.pricing import LineInput, SoldLine, price_sale, take_back
from pos.domain.quantity import MAX_STEPS
from pos.domain.sync import LINE_FIGURES, Envelope, EnvelopeError, body_digest, canonical, digest_of, read_envelope
from pos.domain.units import UNITS
from pos.extensions import db
from pos.models import (
    AgreementVersion,
    CashMovement,
    Delivery,
    DeliveryStatus,
    Investor,
    Outlet,
    OutletSyncState,
    Payment,
    Product,
    Register,
    Role,
    Sale,
    SaleLine,
    Shift,
    ShiftStatus,
    StaffMember,
    StockBalance,
    StockMovement,
    SyncConflict,
    SyncEvent,
    User,
)
from pos.partnership.agreements import RateBook
from pos.reports import rollups

MAX_PRICE = 10**12

SALE_TYPES = ("sale.completed", "sale.refund", "sale.void")
STOCK_TYPES = ("delivery.received", "stock_count.confirmed", "stock_return.sent", "stock.written_off")
STOCK_KIND_BY_TYPE = {
    "delivery.received": "receive",
    "stock_count.confirmed": "adjust",
    "stock_return.sent": "return",
    "stock.written_off": "write_off",
}
SALE_KIND_BY_TYPE = {"sale.completed": "sale", "sale.refund": "refund", "sale.void": "void"}
PAYMENT_METHODS = frozenset({"cash", "qris", "transfer"})
MOVEMENT_KINDS = frozenset({"opening", "receive", "sale", "refund", "adjust", "return", "write_off"})
SALE_COLUMNS = (
    "uuid",
    "outlet_id",
    "shift_id",
    "cashier_id",
    "kind",
    "receipt_no",
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
    "original_id",
    "reason",
)
LINE_COLUMNS = (
    "uuid",
    "sale_id",
    "product_id",
    "investor_id",
    "agreement_version_id",
    *LINE_FIGURES,
    "original_line_id",
)
EVENT_COLUMNS = ("uuid", "outlet_id", "seq", "event_type", "schema_version", "body_hash", "payload", "received_at")
PAYMENT_COLUMNS = ("uuid", "sale_id", "method", "amount", "reference")
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
MOVEMENT_KIND_BY_DOCUMENT = {
    "sale.completed": "sale",
    "sale.refund": "refund",
    "sale.void": "void",
    "delivery.received": "delivery",
    "stock_count.confirmed": "stock_count",
    "stock_return.sent": "stock_return",
    "stock.written_off": "write_off",
}


class Refused(Exception):
    """This one event cannot be accepted; the rest of the batch goes on."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Outcome:
    id: str | None
    seq: int | None
    status: str  # accepted | duplicate | conflict | rejected
    code: str | None = None
    message: str | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "seq": self.seq, "status": self.status}
        if self.code:
            out["code"] = self.code
            out["message"] = self.message
        return out


_UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")


def _pg(connection: Any) -> Any:
    """The psycopg connection under the session's transaction, or None on another database."""
    return connection.connection.driver_connection if connection.dialect.name == "postgresql" else None


def _bulk_insert(model: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]], *, ids: bool = False) -> list[int]:
    """Insert many rows in one go: COPY on PostgreSQL, executemany elsewhere. With ``ids``, return the new
    rows' ids in order (taken from the sequence first, so the rows can be referred to at once).

    UUIDs travel as their canonical text and become UUIDs again where the driver needs them.
    """
    if not rows:
        return []
    table = model.__table__
    connection = db.session.connection()
    raw = _pg(connection)
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
        found = _lookup(model, {str(row[columns.index("uuid")]) for row in rows})
        return [found[str(row[columns.index("uuid")])] for row in rows]
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


def _lookup(model: Any, keys: set[str], outlet_id: int | None = None) -> dict[str, int]:
    """Ids of the records with these UUIDs (canonical text): one query (in chunks of 5,000 on SQLite). With
    ``outlet_id``, only that outlet's records (a sale line's outlet is its sale's)."""
    if not keys:
        return {}
    table = model.__tablename__
    scoped = outlet_id is not None
    connection = db.session.connection()
    raw = _pg(connection)
    if raw is not None:
        if model is SaleLine and scoped:
            sql = (
                "SELECT l.uuid::text, l.id FROM sale_line l JOIN sale s ON s.id = l.sale_id "
                "WHERE l.uuid = ANY(%s::uuid[]) AND s.outlet_id = %s"
            )
        else:
            sql = f"SELECT uuid::text, id FROM {table} WHERE uuid = ANY(%s::uuid[])" + (
                " AND outlet_id = %s" if scoped else ""
            )
        with raw.cursor() as cursor:
            cursor.execute(sql, (list(keys), outlet_id) if scoped else (list(keys),))
            return dict(cursor.fetchall())
    out: dict[str, int] = {}
    wanted = [uuid.UUID(key) for key in keys]
    for start in range(0, len(wanted), 5000):
        query = db.select(model.uuid, model.id).where(model.uuid.in_(wanted[start : start + 5000]))
        if scoped:
            owner = Sale.outlet_id if model is SaleLine else model.outlet_id
            if model is SaleLine:
                query = query.join(Sale, SaleLine.sale_id == Sale.id)
            query = query.where(owner == outlet_id)
        out.update((str(key), pk) for key, pk in db.session.execute(query))
    return out


def _elsewhere(wanted: dict[str, set[str]], refs: _Refs) -> set[str]:
    """Referenced UUIDs that another outlet's records carry: never this outlet's to use."""
    found: set[str] = set()
    for kind, model in (("users", User), ("shifts", Shift), ("sales", Sale), ("lines", SaleLine)):
        missing = wanted[kind] - set(getattr(refs, kind))
        found |= set(_lookup(model, missing))
    return found


def _uuid(value: Any, what: str) -> str:
    """A UUID in its canonical text (lower case with hyphens), whatever form the outlet sent."""
    if type(value) is str and _UUID_TEXT.match(value):
        return value
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise Refused("invalid", f"{what} must be a UUID") from None


def _ref(known: dict[str, int], value: Any, what: str) -> int | None:
    """The id of a referenced record: the text as sent is tried first, then its canonical form."""
    found = known.get(value) if type(value) is str else None
    return found if found is not None else known.get(_uuid(value, what))


def _int(value: Any, what: str, *, low: int = -(10**15), high: int = 10**15) -> int:
    if type(value) is not int or not low <= value <= high:
        raise Refused("invalid", f"{what} must be a whole number")
    return value


EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def _when(value: Any, what: str) -> datetime:
    if type(value) is not str:
        raise Refused("invalid", f"{what} must be an ISO 8601 time")
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise Refused("invalid", f"{what} must carry a time zone")
        in_utc = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise Refused("invalid", f"{what} must be an ISO 8601 time") from None
    if not EARLIEST <= in_utc.date() <= LATEST:
        raise Refused("invalid", f"{what} must lie between 2000 and 2100")
    return in_utc


def _day(value: Any, what: str) -> date:
    try:
        day = date.fromisoformat(value) if type(value) is str else None
    except ValueError:
        day = None
    if day is None:
        raise Refused("invalid", f"{what} must be a date")
    if not EARLIEST <= day <= LATEST:
        raise Refused("invalid", f"{what} must lie between 2000 and 2100")
    return day


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    return value


def _text(value: Any, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _check_investor(value: Any) -> None:
    key = uuid.UUID(_uuid(value, "investor"))
    if db.session.scalar(db.select(Investor.id).where(Investor.uuid == key)) is None:
        raise Refused("unknown_reference", "unknown investor")


@dataclass
class LineFacts:
    """What central knows of a sold line that a refund takes back: its figures and how much is refunded."""

    product_id: int
    investor_id: int
    version_id: int
    fee_bp: int
    quantity: int
    unit_price: int
    gross: int
    discount: int
    fee: int
    refunded: int  # units refunded so far (positive)


def _product_facts(ids: Iterable[int]) -> dict[int, tuple[int, int, int]]:
    wanted = sorted(set(ids))
    out: dict[int, tuple[int, int, int]] = {}
    for start in range(0, len(wanted), 5000):
        query = db.select(Product.id, Product.investor_id, Product.category_id, Product.price).where(
            Product.id.in_(wanted[start : start + 5000])
        )
        out.update((pid, (investor, category, price)) for pid, investor, category, price in db.session.execute(query))
    return out


def _line_facts(lines: dict[str, int]) -> dict[str, LineFacts]:
    """The sold lines these refunds name, with the units already refunded from each."""
    if not lines:
        return {}
    by_id = {pk: key for key, pk in lines.items()}
    ids = sorted(by_id)
    refunded: dict[int, int] = defaultdict(int)
    out: dict[str, LineFacts] = {}
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        for row in db.session.execute(
            db.select(
                SaleLine.id,
                SaleLine.product_id,
                SaleLine.investor_id,
                SaleLine.agreement_version_id,
                SaleLine.fee_bp,
                SaleLine.quantity,
                SaleLine.unit_price,
                SaleLine.gross,
                SaleLine.discount,
                SaleLine.fee,
            ).where(SaleLine.id.in_(chunk))
        ):
            out[by_id[row[0]]] = LineFacts(*row[1:], refunded=0)
        for original, quantity in db.session.execute(
            db.select(SaleLine.original_line_id, func.sum(SaleLine.quantity))
            .where(SaleLine.original_line_id.in_(chunk))
            .group_by(SaleLine.original_line_id)
        ):
            refunded[original] = -int(quantity)
    for pk, key in by_id.items():
        if key in out:
            out[key].refunded = refunded.get(pk, 0)
    return out


@dataclass
class _Refs:
    """UUID (canonical text) → id maps for the records a batch refers to, loaded with one query per kind."""

    products: dict[str, int] = field(default_factory=dict)
    investors: dict[str, int] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    shifts: dict[str, int] = field(default_factory=dict)
    sales: dict[str, int] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    elsewhere: set[str] = field(default_factory=set)  # another outlet's users, shifts, sales and lines
    product_facts: dict[int, tuple[int, int, int]] = field(default_factory=dict)  # id -> (investor, category, price)
    line_facts: dict[str, LineFacts] = field(default_factory=dict)  # refunded lines, by UUID

    def missing(self, kind: str, key: str, what: str) -> Refused:
        if key in self.elsewhere:
            return Refused("foreign_reference", f"the {what} belongs to another outlet")
        return Refused("unknown_reference", f"the {what} has not been received")


def _collect(envelopes: Iterable[Envelope]) -> dict[str, set[str]]:
    """The UUIDs (canonical text) of every record a batch refers to, by kind; malformed ones are left for
    the event's handler to refuse. A batch repeats the same few products, so each distinct text is
    checked once."""
    raw: dict[str, set[str]] = defaultdict(set)

    def add(kind: str, value: Any) -> None:
        if type(value) is str:
            raw[kind].add(value)

    def each(items: Any) -> list[dict[str, Any]]:
        return [item for item in items if type(item) is dict] if type(items) is list else []

    for env in envelopes:
        p = env.payload
        if env.type in SALE_TYPES:
            add("sales", p.get("uuid"))
            add("shifts", p.get("shift"))
            add("users", p.get("cashier"))
            add("sales", p.get("original"))
            for line in each(p.get("lines")):
                add("products", line.get("product"))
                add("investors", line.get("investor"))
                add("versions", line.get("agreement_version"))
                add("lines", line.get("original_line"))
        elif env.type in ("shift.opened", "shift.closed", "cash.moved"):
            add("shifts", p.get("uuid") if env.type != "cash.moved" else p.get("shift"))
            add("users", p.get("cashier"))
        for key in ("confirmed_by", "sent_by", "requested_by", "received_by"):
            add("users", p.get(key))
        if env.type in ("stock_count.confirmed", "restock.requested"):
            for line in each(p.get("lines")):
                add("products", line.get("product"))
        for move in each(p.get("movements")):
            add("products", move.get("product"))
    wanted: dict[str, set[str]] = defaultdict(set)
    for kind, values in raw.items():
        for value in values:
            with contextlib.suppress(Refused):
                wanted[kind].add(_uuid(value, kind))
    return wanted


class _Batch:
    """One request's new events, turned into rows and written with one statement per table."""

    def __init__(self, outlet: Outlet, refs: _Refs) -> None:
        self.outlet = outlet
        self.refs = refs
        self.now = clock.now()
        self.sales: list[dict[str, Any]] = []
        self.lines: list[dict[str, Any]] = []
        self.payments: list[tuple[Any, ...]] = []
        self.moves: list[tuple[Any, ...]] = []
        self.shifts: list[dict[str, Any]] = []
        self.closes: list[dict[str, Any]] = []
        self.cash: list[dict[str, Any]] = []
        self.receipts: list[dict[str, Any]] = []
        self.documents: list[Envelope] = []
        self.sale_uuids: set[str] = set()
        self.line_uuids: set[str] = set()
        self.receipt_nos: set[str] = set()
        self.receipts_taken: set[str] = set()
        self.books: dict[date, RateBook] = {}
        self.price_differs: dict[uuid.UUID, int] = {}  # per accepted event

    LISTS = ("sales", "lines", "payments", "moves", "shifts", "closes", "cash", "receipts", "documents")

    def sizes(self) -> tuple[int, ...]:
        return tuple(len(getattr(self, name)) for name in self.LISTS)

    def truncate(self, sizes: tuple[int, ...]) -> None:
        for name, size in zip(self.LISTS, sizes, strict=True):
            del getattr(self, name)[size:]

    def part(self, start: tuple[int, ...], end: tuple[int, ...]) -> _Batch:
        """The rows one event added, as a batch of their own."""
        piece = _Batch(self.outlet, self.refs)
        piece.now = self.now
        for name, a, b in zip(self.LISTS, start, end, strict=True):
            setattr(piece, name, getattr(self, name)[a:b])
        return piece

    # Each handler validates completely before it adds anything, so a refused event leaves no rows.

    def sale(self, env: Envelope) -> None:
        p, refs = env.payload, self.refs
        sale_uuid = _uuid(p.get("uuid"), "uuid")
        if sale_uuid in refs.sales or sale_uuid in self.sale_uuids:
            raise Refused("record_exists", "this sale is already stored under another event")
        receipt = p.get("receipt_no")
        if type(receipt) is not str or not 0 < len(receipt) <= 40:
            raise Refused("invalid", "receipt_no must be a text of 1 to 40 characters")
        if receipt in self.receipts_taken or receipt in self.receipt_nos:
            raise Refused("record_exists", f"receipt number {receipt} is already used by another sale")
        kind = SALE_KIND_BY_TYPE[env.type]
        if p.get("kind") != kind:
            raise Refused("invalid", "kind does not match the event type")
        shift_uuid = _uuid(p.get("shift"), "shift")
        cashier = _uuid(p.get("cashier"), "cashier")
        if shift_uuid not in refs.shifts:
            raise refs.missing("shifts", shift_uuid, "sale's shift")
        if cashier not in refs.users:
            raise refs.missing("users", cashier, "cashier")
        original = None
        if kind != "sale":
            original = _uuid(p.get("original"), "original")
            if original not in refs.sales:
                raise refs.missing("sales", original, "original sale")
        raw_lines = p.get("lines")
        if type(raw_lines) is not list or not raw_lines or len(raw_lines) > 500:
            raise Refused("invalid", "a sale has 1 to 500 lines")
        business_day = _day(p.get("business_date"), "business_date")
        products, investors, versions = refs.products, refs.investors, refs.versions
        lines = []
        uuids = set()
        sold: dict[int, int] = defaultdict(int)  # units per product, as the stock movements must show them
        refunding: dict[str, int] = defaultdict(int)
        differs = 0  # lines sold at another price than central's current one
        inputs: list[LineInput] = []  # a sale's lines, for the sale rule
        gross_sum = discount_sum = net_sum = fee_sum = share_sum = 0
        for number, line in enumerate(raw_lines, start=1):
            if type(line) is not dict:
                raise Refused("invalid", "a line must be an object")
            product_id = _ref(products, line.get("product"), "product")
            investor_id = _ref(investors, line.get("investor"), "investor")
            version_id = _ref(versions, line.get("agreement_version"), "agreement_version")
            if product_id is None or investor_id is None or version_id is None:
                raise Refused("unknown_reference", "unknown product, investor or agreement")
            gross, discount = _int(line.get("gross"), "gross"), _int(line.get("discount"), "discount")
            net, fee = _int(line.get("net"), "net"), _int(line.get("fee"), "fee")
            share = _int(line.get("investor_share"), "investor_share")
            quantity = _int(line.get("quantity"), "quantity", low=-MAX_STEPS, high=MAX_STEPS)
            unit_price = _int(line.get("unit_price"), "unit_price", low=0, high=MAX_PRICE)
            fee_bp = _int(line.get("fee_bp"), "fee_bp", low=0, high=10_000)
            unit_code = _text(line.get("unit"), 10) or "pcs"
            if unit_code not in UNITS:
                raise Refused("invalid", f"unknown unit {unit_code!r}"[:60])
            if fee + share != net or gross - discount != net:
                raise Refused("invalid", "a line's fee and share must add up to its net")
            if refs.product_facts.get(product_id, (None,))[0] != investor_id:
                raise Refused("wrong_investor", "the line names another investor than the product's")
            original_line = None
            if line.get("original_line"):
                original_line = _uuid(line.get("original_line"), "original_line")
                if original_line not in refs.lines:
                    raise refs.missing("lines", original_line, "refunded line")
            if kind == "sale":
                if original_line is not None or quantity <= 0:
                    raise Refused("invalid", "a sale's line sells a positive quantity")
                differs += self._check_sold(
                    business_day, product_id, version_id, fee_bp, quantity, unit_price, unit_code, line
                )
                # its discount: the line's own and its part of the sale's
                inputs.append(LineInput(quantity, unit_price, UNITS[unit_code].step_per_unit, discount, fee_bp))
            else:
                if original_line is None:
                    raise Refused("invalid", "a refund's line names the line it takes back")
                self._check_refunded(original_line, refunding, product_id, version_id, fee_bp, quantity, line)
            sold[product_id] += quantity
            line_uuid = _uuid(line.get("uuid"), "line uuid")
            if line_uuid in self.line_uuids or line_uuid in uuids:
                raise Refused("invalid", "a line UUID appears twice")
            uuids.add(line_uuid)
            lines.append(
                {
                    "uuid": line_uuid,
                    "sale_id": None,
                    "line_no": _int(line.get("line_no", number), "line_no", low=1, high=10_000),
                    "product_id": product_id,
                    "investor_id": investor_id,
                    "agreement_version_id": version_id,
                    "name": _text(line.get("name"), 160) or "?",
                    "unit": unit_code,
                    "quantity": quantity,
                    "unit_price": unit_price,
                    "gross": gross,
                    "discount": discount,
                    "net": net,
                    "fee_bp": fee_bp,
                    "fee": fee,
                    "investor_share": share,
                    "original_line_id": None,
                    "_original_line": original_line,
                    "_sale": sale_uuid,
                }
            )
            gross_sum += gross
            discount_sum += discount
            net_sum += net
            fee_sum += fee
            share_sum += share
        if inputs:  # the sale rule the outlet priced it with, once for the whole sale
            for row, expected in zip(lines, price_sale(inputs).lines, strict=True):
                if (row["net"], row["fee"], row["investor_share"]) != (
                    expected.net,
                    expected.fee,
                    expected.investor_share,
                ):
                    raise Refused("wrong_split", "the fee is not the agreed rate of the net, rounded half up")
        total = _int(p.get("total"), "total")
        if total != net_sum or _int(p.get("fee"), "fee") != fee_sum:
            raise Refused("invalid", "the sale's total and fee must equal the sum of its lines")
        payments = []
        for pay in p.get("payments") or []:
            if type(pay) is not dict or pay.get("method") not in PAYMENT_METHODS:
                raise Refused("invalid", "unknown payment method")
            payments.append(
                (
                    _uuid(pay.get("uuid"), "payment uuid"),
                    sale_uuid,
                    pay["method"],
                    _int(pay.get("amount"), "amount"),
                    _text(pay.get("reference"), 80),
                )
            )
        paid, change = _int(p.get("paid"), "paid"), _int(p.get("change"), "change", low=0)
        if sum(x[3] for x in payments) != paid or paid - change != total:
            raise Refused("invalid", "payments minus change must equal the total")
        moves = self._moves(env, p.get("movements") or [], sale_uuid)
        moved: dict[int, int] = defaultdict(int)
        for move in moves:
            if move[3] != ("sale" if kind == "sale" else "refund"):
                raise Refused("wrong_stock", "a sale's stock movements are sales, a refund's are refunds")
            moved[move[2]] += move[4]
        if {pid: -q for pid, q in sold.items() if q} != {pid: q for pid, q in moved.items() if q}:
            raise Refused("wrong_stock", "the stock movements must take out exactly the units sold (or refunded)")
        created_at = _when(p.get("created_at"), "created_at")
        self.sales.append(
            {
                "uuid": sale_uuid,
                "outlet_id": self.outlet.id,
                "shift_id": None,
                "cashier_id": refs.users[cashier],
                "kind": kind,
                "receipt_no": receipt,
                "idempotency_key": _uuid(p.get("idempotency_key") or sale_uuid, "idempotency_key"),
                "business_date": business_day,
                "created_at": created_at,
                "subtotal": gross_sum,
                "discount": _int(p.get("discount", discount_sum), "discount"),
                "total": total,
                "fee": fee_sum,
                "investor_share": share_sum,
                "paid": paid,
                "change": change,
                "original_id": None,
                "reason": _text(p.get("reason"), 255),
                "_shift": shift_uuid,
                "_original": original,
            }
        )
        self.sale_uuids.add(sale_uuid)
        self.receipt_nos.add(receipt)
        self.line_uuids |= uuids
        for key, units in refunding.items():
            refs.line_facts[key].refunded += units
        if differs:
            self.price_differs[env.id] = differs
        if kind == "sale":  # later refunds in this batch may take these lines back
            for row in lines:
                refs.line_facts[row["uuid"]] = LineFacts(
                    row["product_id"],
                    row["investor_id"],
                    row["agreement_version_id"],
                    row["fee_bp"],
                    row["quantity"],
                    row["unit_price"],
                    row["gross"],
                    row["discount"],
                    row["fee"],
                    refunded=0,
                )
        self.lines.extend(lines)
        self.payments.extend(payments)
        self.moves.extend(moves)

    def _book(self, day: date) -> RateBook:
        book = self.books.get(day)
        if book is None:
            book = self.books[day] = RateBook(self.outlet.id, day)
        return book

    def _check_sold(
        self,
        day: date,
        product_id: int,
        version_id: int,
        fee_bp: int,
        quantity: int,
        unit_price: int,
        unit_code: str,
        line: dict[str, Any],
    ) -> bool:
        """A sold line against central's own terms: the agreement in force at this outlet on the business day
        for the product's investor, its rate (or its category's), the line's amount and the fee split. True when
        it was sold at another price than central's current one."""
        investor_id, category_id, price_now = self.refs.product_facts[product_id]
        rate = self._book(day).rate(investor_id, category_id)
        if rate is None or rate.version_id != version_id:
            raise Refused("agreement_not_in_force", "no agreement with these terms covers this outlet and product then")
        if fee_bp != rate.fee_bp:
            raise Refused("wrong_rate", f"the agreed rate for this product is {rate.fee_bp} bp, not {fee_bp}")
        gross = line_amount(quantity, unit_price, UNITS[unit_code].step_per_unit)
        if line["gross"] != gross or not 0 <= line["discount"] <= gross:
            raise Refused("wrong_amount", "the line's amount is not its quantity times its price")
        return unit_price != price_now

    def _check_refunded(
        self,
        original: str,
        refunding: dict[str, int],
        product_id: int,
        version_id: int,
        fee_bp: int,
        quantity: int,
        line: dict[str, Any],
    ) -> None:
        """A refunded line takes back units of its sold line at that line's terms, by the proration rule."""
        facts = self.refs.line_facts.get(original)
        if facts is None:
            raise Refused("unknown_reference", "the refunded line has not been received")
        if (facts.product_id, facts.version_id, facts.fee_bp) != (product_id, version_id, fee_bp):
            raise Refused("wrong_rate", "a refund keeps the product, agreement and rate of the line it takes back")
        units, done = -quantity, facts.refunded + refunding[original]
        if units <= 0 or done + units > facts.quantity:
            raise Refused("over_refund", "a refund takes back more units than were sold and not yet refunded")
        sold = SoldLine(facts.quantity, facts.unit_price, facts.gross, facts.discount, facts.fee_bp, facts.fee)
        piece = take_back(sold, done, units)
        if (line["gross"], line["discount"], line["fee"]) != (piece.gross, piece.line_discount, piece.fee):
            raise Refused("wrong_split", "a refund's amounts are its share of the sold line (the proration rule)")
        refunding[original] += units

    def _moves(self, env: Envelope, raw: Any, document: str | None) -> list[tuple[Any, ...]]:
        if type(raw) is not list or len(raw) > 2000:
            raise Refused("invalid", "movements must be a list")
        out = []
        document_type = MOVEMENT_KIND_BY_DOCUMENT.get(env.type)
        for move in raw:
            if type(move) is not dict or move.get("kind") not in MOVEMENT_KINDS:
                raise Refused("invalid", "unknown stock movement")
            product_id = _ref(self.refs.products, move.get("product"), "product")
            if product_id is None:
                raise Refused("unknown_reference", f"unknown product {move.get('product')}"[:120])
            out.append(
                (
                    _uuid(move.get("uuid"), "movement uuid"),
                    self.outlet.id,
                    product_id,
                    move["kind"],
                    _int(move.get("quantity"), "quantity", low=-MAX_STEPS, high=MAX_STEPS),
                    document_type,
                    document,
                    _text(move.get("note"), 255),
                    self.now,
                )
            )
        return out

    def stock(self, env: Envelope) -> None:
        p = env.payload
        document_key = {
            "delivery.received": "delivery",
            "stock_count.confirmed": "count",
            "stock_return.sent": "return",
        }
        document = _uuid(p.get(document_key[env.type]), "document") if env.type in document_key else None
        moves = self._moves(env, p.get("movements") or [], document)
        if any(move[3] != STOCK_KIND_BY_TYPE[env.type] for move in moves):
            raise Refused("wrong_stock", f"a {env.type} event moves stock as {STOCK_KIND_BY_TYPE[env.type]} only")
        if env.type == "delivery.received":
            lines = p.get("lines")
            if not isinstance(lines, list) or len(lines) > 5000:
                raise Refused("invalid", "lines must be a list")
            owner = db.session.scalar(db.select(Delivery.outlet_id).where(Delivery.uuid == uuid.UUID(document)))
            if owner is None:
                raise Refused("unknown_reference", "the delivery has not been received")
            if owner != self.outlet.id:
                raise Refused("foreign_reference", "this delivery is for another outlet")
            for result in lines:
                if not isinstance(result, dict):
                    raise Refused("invalid", "a line must be an object")
                for name in ("good", "damaged"):
                    if result.get(name) is not None:
                        _int(result.get(name), name, low=0, high=MAX_STEPS)
            by = _uuid(p["received_by"], "received_by") if p.get("received_by") else None
            self.receipts.append(
                {
                    "delivery": document,
                    "lines": lines,
                    "at": _when(p.get("received_at"), "received_at"),
                    "by": self.refs.users.get(by) if by else None,
                }
            )
        elif env.type in ("stock_count.confirmed", "stock_return.sent"):
            self._check_document(env)
            self.documents.append(env)
        self.moves.extend(moves)

    def staff(self, env: Envelope) -> None:
        from pos.models import Employer, StaffRole

        p = env.payload
        self._check_owner(StaffMember, _uuid(p.get("uuid"), "uuid"), "staff member")
        if p.get("role") not in set(StaffRole) or p.get("employer") not in set(Employer):
            raise Refused("invalid", "unknown role or employer")
        if type(p.get("new_job")) is not bool:
            raise Refused("invalid", "new_job must be true or false")
        _day(p.get("start_date"), "start_date")
        if p.get("end_date"):
            _day(p.get("end_date"), "end_date")
        _when(p.get("updated_at"), "updated_at")
        if not isinstance(p.get("full_name"), str) or not p["full_name"].strip():
            raise Refused("invalid", "full_name is required")
        nik = p.get("national_id")
        if nik is not None and (not isinstance(nik, str) or len(nik) != 16 or not nik.isdigit()):
            raise Refused("invalid", "national_id must have 16 digits")
        if p.get("investor"):
            _check_investor(p.get("investor"))
        self.documents.append(env)

    def restock(self, env: Envelope) -> None:
        self._check_document(env)
        self.documents.append(env)

    def _check_owner(self, model: Any, key: str, what: str) -> None:
        """A document this event names must be the pushing outlet's, when central already holds it."""
        owner = db.session.scalar(db.select(model.outlet_id).where(model.uuid == uuid.UUID(key)))
        if owner is not None and owner != self.outlet.id:
            raise Refused("foreign_reference", f"this {what} belongs to another outlet")

    def _check_document(self, env: Envelope) -> None:
        from pos.models import RestockRequest, StockCount, StockReturn

        p = env.payload
        key, model = {
            "stock_count.confirmed": ("count", StockCount),
            "stock_return.sent": ("return", StockReturn),
            "restock.requested": ("request", RestockRequest),
        }[env.type]
        self._check_owner(model, _uuid(p.get(key), key), key)
        if not isinstance(p.get("number"), str) or not p["number"]:
            raise Refused("invalid", "the document needs its number")
        if env.type != "stock_count.confirmed":
            _check_investor(p.get("investor"))
        lines = p.get("lines") or []
        if type(lines) is not list or len(lines) > 5000:
            raise Refused("invalid", "lines must be a list")
        for line in lines:
            if not isinstance(line, dict):
                raise Refused("invalid", "a line must be an object")
            if line.get("product") and _uuid(line["product"], "product") not in self.refs.products:
                raise Refused("unknown_reference", "unknown product")
            if env.type == "restock.requested":
                _int(line.get("quantity"), "quantity", low=1, high=MAX_STEPS)
                if not line.get("product") and not _text(line.get("description"), 160).strip():
                    raise Refused("invalid", "a requested line names a product or describes one")
                continue
            if env.type == "stock_count.confirmed":
                if not line.get("product"):
                    raise Refused("invalid", "a counted line names its product")
                for name, low, high in (
                    ("counted", 0, MAX_STEPS),
                    ("expected", -MAX_STEPS, MAX_STEPS),
                    ("unit_price", 0, MAX_PRICE),
                ):
                    if line.get(name) is not None:
                        _int(line.get(name), name, low=low, high=high)

    def shift_opened(self, env: Envelope) -> None:
        p = env.payload
        shift = _uuid(p.get("uuid"), "uuid")
        cashier = _uuid(p.get("cashier"), "cashier")
        if shift in self.refs.elsewhere:
            raise Refused("foreign_reference", "this shift belongs to another outlet")
        if cashier not in self.refs.users:
            raise self.refs.missing("users", cashier, "cashier")
        self.shifts.append(
            {
                "uuid": shift,
                "register": _text(p.get("register"), 20) or "?",
                "cashier_id": self.refs.users[cashier],
                "opened_at": _when(p.get("opened_at"), "opened_at"),
                "opening_float": _int(p.get("opening_float"), "opening_float", low=0),
            }
        )
        self.refs.shifts.setdefault(shift, -1)  # known for the sales later in this batch

    def shift_closed(self, env: Envelope) -> None:
        p = env.payload
        shift = _uuid(p.get("uuid"), "uuid")
        if shift not in self.refs.shifts:
            raise self.refs.missing("shifts", shift, "shift")
        self.closes.append(
            {
                "uuid": shift,
                "closed_at": _when(p.get("closed_at"), "closed_at"),
                "expected_cash": _int(p.get("expected_cash"), "expected_cash"),
                "counted_cash": _int(p.get("counted_cash"), "counted_cash"),
            }
        )

    def cash_moved(self, env: Envelope) -> None:
        p = env.payload
        shift = _uuid(p.get("shift"), "shift")
        if shift not in self.refs.shifts:
            raise self.refs.missing("shifts", shift, "shift")
        if p.get("kind") not in ("in", "out"):
            raise Refused("invalid", "kind must be in or out")
        self.cash.append(
            {
                "uuid": _uuid(p.get("uuid"), "uuid"),
                "shift": shift,
                "kind": p["kind"],
                "amount": _int(p.get("amount"), "amount", low=0),
                "reason": _text(p.get("reason"), 255),
                "created_at": _when(p.get("at"), "at"),
            }
        )

    # Writing

    def write(self) -> None:
        self._write_shifts()
        self._write_sales()
        self._write_moves()
        self._write_receipts()
        for env in self.documents:
            _write_document(self.outlet, self.refs, env)

    def _write_shifts(self) -> None:
        if self.shifts:
            registers = self._registers({row["register"] for row in self.shifts})
            rows = [
                {
                    "uuid": uuid.UUID(row["uuid"]),
                    "outlet_id": self.outlet.id,
                    "register_id": registers[row["register"]],
                    "cashier_id": row["cashier_id"],
                    "status": ShiftStatus.OPEN.value,
                    "opened_at": row["opened_at"],
                    "opening_float": row["opening_float"],
                    "closing_note": "",
                }
                for row in self.shifts
            ]
            db.session.execute(upsert.insert(Shift).on_conflict_do_nothing(index_elements=["uuid"]), rows)
            self.refs.shifts.update(_lookup(Shift, {row["uuid"] for row in self.shifts}, self.outlet.id))
        for row in self.closes:
            db.session.execute(
                db.update(Shift)
                .where(Shift.uuid == uuid.UUID(row["uuid"]))
                .values(
                    status=ShiftStatus.CLOSED.value,
                    closed_at=row["closed_at"],
                    expected_cash=row["expected_cash"],
                    counted_cash=row["counted_cash"],
                )
            )
        if self.cash:
            shift_ids = self.refs.shifts
            cashier = dict(
                db.session.execute(
                    db.select(Shift.id, Shift.cashier_id).where(
                        Shift.id.in_([shift_ids[r["shift"]] for r in self.cash])
                    )
                ).all()
            )
            rows = [
                {
                    "uuid": uuid.UUID(r["uuid"]),
                    "shift_id": shift_ids[r["shift"]],
                    "kind": r["kind"],
                    "amount": r["amount"],
                    "reason": r["reason"],
                    "user_id": cashier[shift_ids[r["shift"]]],
                    "created_at": r["created_at"],
                }
                for r in self.cash
            ]
            db.session.execute(upsert.insert(CashMovement).on_conflict_do_nothing(index_elements=["uuid"]), rows)

    def _registers(self, codes: set[str]) -> dict[str, int]:
        found = dict(
            db.session.execute(
                db.select(Register.code, Register.id).where(
                    Register.outlet_id == self.outlet.id, Register.code.in_(codes)
                )
            ).all()
        )
        for code in codes - set(found):
            register = Register(outlet_id=self.outlet.id, code=code, name=code)
            db.session.add(register)
            db.session.flush()
            found[code] = register.id
        return found

    def _write_sales(self) -> None:
        if not self.sales:
            return
        # Sales before refunds: a refund may refer to a sale (and its lines) of this same batch.
        for phase in (("sale",), ("refund", "void")):
            rows = [row for row in self.sales if row["kind"] in phase]
            if not rows:
                continue
            if phase[0] != "sale":
                self.refs.sales.update(_lookup(Sale, {r["_original"] for r in rows}, self.outlet.id))
                wanted = {ln["_original_line"] for ln in self.lines if ln["_original_line"] is not None}
                self.refs.lines.update(_lookup(SaleLine, wanted, self.outlet.id))
            shifts, sales = self.refs.shifts, self.refs.sales
            for row in rows:
                row["shift_id"] = shifts[row["_shift"]]
                row["original_id"] = sales[row["_original"]] if row["_original"] else None
            ids = dict(
                zip(
                    (row["uuid"] for row in rows),
                    _bulk_insert(Sale, SALE_COLUMNS, [tuple(row[c] for c in SALE_COLUMNS) for row in rows], ids=True),
                    strict=True,
                )
            )
            lines = []
            for line in self.lines:
                sale_id = ids.get(line["_sale"])
                if sale_id is not None:
                    original = line["_original_line"]
                    line["original_line_id"] = self.refs.lines.get(original) if original else None
                    line["sale_id"] = sale_id
                    lines.append(tuple(line[c] for c in LINE_COLUMNS))
            _bulk_insert(SaleLine, LINE_COLUMNS, lines)
            _bulk_insert(
                Payment,
                PAYMENT_COLUMNS,
                [(pay[0], ids[pay[1]], *pay[2:]) for pay in self.payments if pay[1] in ids],
            )
        self._rollups()

    def _rollups(self) -> None:
        day_of = {row["uuid"]: row["business_date"] for row in self.sales}
        for line in self.lines:
            line["day"] = day_of[line["_sale"]]
        rollups.add(self.outlet.id, self.sales, self.lines)

    def _write_moves(self) -> None:
        if not self.moves:
            return
        _bulk_insert(StockMovement, MOVE_COLUMNS, self.moves)
        totals: dict[int, int] = defaultdict(int)
        for move in self.moves:
            totals[move[2]] += move[4]
        rollups.accumulate(
            StockBalance,
            ["outlet_id", "product_id"],
            ("quantity",),
            [
                {"outlet_id": self.outlet.id, "product_id": pid, "quantity": qty, "needs_count": False}
                for pid, qty in sorted(totals.items())
            ],
        )

    def _write_receipts(self) -> None:
        for receipt in self.receipts:
            delivery = db.session.scalar(
                db.select(Delivery).where(
                    Delivery.uuid == uuid.UUID(receipt["delivery"]), Delivery.outlet_id == self.outlet.id
                )
            )
            if delivery is None or delivery.status == DeliveryStatus.RECEIVED:
                continue
            results = [r for r in receipt["lines"] if isinstance(r, dict)]
            for line, result in zip(sorted(delivery.lines, key=lambda ln: ln.id), results, strict=False):
                line.received = result.get("good") if isinstance(result.get("good"), int) else 0
                line.damaged = result.get("damaged") if isinstance(result.get("damaged"), int) else 0
            delivery.status = DeliveryStatus.RECEIVED
            delivery.received_at = receipt["at"]
            delivery.received_by_id = receipt["by"]


HANDLERS = {
    "sale.completed": _Batch.sale,
    "sale.refund": _Batch.sale,
    "sale.void": _Batch.sale,
    "shift.opened": _Batch.shift_opened,
    "shift.closed": _Batch.shift_closed,
    "cash.moved": _Batch.cash_moved,
    "delivery.received": _Batch.stock,
    "stock_count.confirmed": _Batch.stock,
    "stock_return.sent": _Batch.stock,
    "stock.written_off": _Batch.stock,
    "restock.requested": _Batch.restock,
    "staff.saved": _Batch.staff,
}


def _free_number(model: Any, number: str, key: uuid.UUID) -> str:
    """Document numbers are unique; a reinstalled outlet node may reuse one, so the later copy is marked."""
    if db.session.scalar(db.select(model.id).where(model.number == number)) is None:
        return number
    return f"{number}-{key.hex[:6]}"


def _write_document(outlet: Outlet, refs: _Refs, env: Envelope) -> None:
    """Outlet documents the other side acts on: counts (shrinkage), returns (to confirm), restock requests."""
    from pos.models import (
        CountStatus,
        RestockLine,
        RestockRequest,
        ReturnReason,
        StockCount,
        StockCountLine,
        StockReturn,
        StockReturnLine,
    )

    p = env.payload
    if env.type == "staff.saved":
        from pos.staff import roster

        roster.apply(outlet.id, p)
        return
    products = {
        key: (pid, investor)
        for key, pid, investor in db.session.execute(
            db.select(Product.uuid, Product.id, Product.investor_id).where(
                Product.uuid.in_([uuid.UUID(k) for k in refs.products])
            )
        )
    }
    if env.type == "stock_count.confirmed":
        key = uuid.UUID(p["count"])
        if db.session.scalar(db.select(StockCount.id).where(StockCount.uuid == key)) is not None:
            return
        confirmed_at = _when(p.get("confirmed_at"), "confirmed_at")
        count = StockCount(
            uuid=key,
            number=_free_number(StockCount, p["number"][:60], key),
            outlet_id=outlet.id,
            status=CountStatus.CONFIRMED,
            scope_label=_text(p.get("scope"), 160),
            reason=_text(p.get("reason"), 255),
            started_at=_when(p.get("started_at") or p.get("confirmed_at"), "started_at"),
            confirmed_at=confirmed_at,
            confirmed_by_id=refs.users.get(_uuid(p["confirmed_by"], "confirmed_by")) if p.get("confirmed_by") else None,
        )
        db.session.add(count)
        db.session.flush()
        for line in p.get("lines") or []:
            pid, investor = products[uuid.UUID(line["product"])]
            db.session.add(
                StockCountLine(
                    count_id=count.id,
                    product_id=pid,
                    investor_id=investor,
                    counted=line.get("counted"),
                    expected=line.get("expected"),
                    unit_price=line.get("unit_price"),
                    note=_text(line.get("note"), 255),
                )
            )
    elif env.type == "stock_return.sent":
        key = uuid.UUID(p["return"])
        if db.session.scalar(db.select(StockReturn.id).where(StockReturn.uuid == key)) is not None:
            return
        reason = p.get("reason") if p.get("reason") in set(ReturnReason) else ReturnReason.UNSOLD.value
        document = StockReturn(
            uuid=key,
            number=_free_number(StockReturn, p["number"][:60], key),
            outlet_id=outlet.id,
            investor_id=db.session.scalar(db.select(Investor.id).where(Investor.uuid == uuid.UUID(p["investor"]))),
            reason=ReturnReason(reason),
            note=_text(p.get("note"), 2000),
            sent_at=_when(p.get("sent_at"), "sent_at") if p.get("sent_at") else clock.now(),
            sent_by_id=refs.users.get(_uuid(p["sent_by"], "sent_by")) if p.get("sent_by") else None,
        )
        for move in p.get("movements") or []:
            pid, _investor = products[uuid.UUID(move["product"])]
            document.lines.append(StockReturnLine(product_id=pid, quantity=-int(move["quantity"])))
        db.session.add(document)
    elif env.type == "restock.requested":
        key = uuid.UUID(p["request"])
        if db.session.scalar(db.select(RestockRequest.id).where(RestockRequest.uuid == key)) is not None:
            return
        request = RestockRequest(
            uuid=key,
            number=_free_number(RestockRequest, p["number"][:60], key),
            outlet_id=outlet.id,
            investor_id=db.session.scalar(db.select(Investor.id).where(Investor.uuid == uuid.UUID(p["investor"]))),
            note=_text(p.get("note"), 2000),
            requested_at=_when(p.get("requested_at"), "requested_at") if p.get("requested_at") else clock.now(),
            requested_by_id=refs.users.get(_uuid(p["requested_by"], "requested_by")) if p.get("requested_by") else None,
        )
        for line in p.get("lines") or []:
            product = products.get(uuid.UUID(line["product"])) if line.get("product") else None
            request.lines.append(
                RestockLine(
                    product_id=product[0] if product else None,
                    description=_text(line.get("description"), 160),
                    quantity=int(line["quantity"]),
                )
            )
        db.session.add(request)
    db.session.flush()


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _conflict(
    outlet: Outlet, env_id: uuid.UUID, seq: int | None, event_type: str, reason: str, detail: str, body: Any
) -> None:
    text = body if isinstance(body, str) else canonical(body)
    if not _encodable(text):
        text = text.encode("utf-8", "replace").decode("utf-8")
    db.session.add(
        SyncConflict(
            outlet_id=outlet.id,
            event_uuid=env_id,
            seq=seq,
            event_type=event_type[:40],
            reason=reason,
            detail=detail[:500],
            body=text[:100_000],
        )
    )


def _stub_users(outlet: Outlet, envelopes: list[Envelope], refs: _Refs) -> None:
    """Staff created at the outlet (not on central) become login-less user records on central, named by their
    whole UUID (two made within the same minute share a UUIDv7's first digits)."""
    known = refs.users
    for env in envelopes:
        if env.type != "shift.opened":
            continue
        try:
            cashier = _uuid(env.payload.get("cashier"), "cashier")
        except Refused:
            continue
        if cashier in known or cashier in refs.elsewhere:
            continue
        name = _text(env.payload.get("cashier_name"), 120) or f"Kasir {str(cashier)[:8]}"
        user = User(
            uuid=uuid.UUID(cashier),
            username=f"outlet-{outlet.code}-{uuid.UUID(cashier).hex}".lower()[:60],
            full_name=name,
            role=Role.CASHIER,
            outlet_id=outlet.id,
            active=False,
        )
        db.session.add(user)
        db.session.flush()
        known[cashier] = user.id


def _stored(outlet: Outlet, envelopes: list[Envelope]) -> dict[uuid.UUID, tuple[int, str]]:
    """Events of this batch already stored (by anyone): their outlet and body digest."""
    if not envelopes:
        return {}
    raw = _pg(db.session.connection())
    if raw is not None:
        with raw.cursor() as cursor:
            cursor.execute(
                "SELECT uuid, outlet_id, body_hash FROM sync_event WHERE uuid = ANY(%s)", ([e.id for e in envelopes],)
            )
            return {key: (outlet_id, digest) for key, outlet_id, digest in cursor}
    out = {}
    ids = [e.id for e in envelopes]
    for start in range(0, len(ids), 5000):
        query = db.select(SyncEvent.uuid, SyncEvent.outlet_id, SyncEvent.body_hash).where(
            SyncEvent.uuid.in_(ids[start : start + 5000])
        )
        out.update({key: (outlet_id, digest) for key, outlet_id, digest in db.session.execute(query)})
    return out


def _taken(column: Any, outlet: Outlet, values: list[Any], array_type: str) -> set[Any]:
    """Which of these values the outlet has already used in ``column`` (unique together with the outlet)."""
    if not values:
        return set()
    raw = _pg(db.session.connection())
    if raw is not None:
        table, name = column.table.name, column.name
        with raw.cursor() as cursor:
            # one index probe per value, whatever the planner's statistics say about the outlet's history
            cursor.execute(
                f"SELECT x.v FROM unnest(%s::{array_type}[]) AS wanted(v) CROSS JOIN LATERAL "
                f"(SELECT t.{name} AS v FROM {table} t WHERE t.outlet_id = %s AND t.{name} = wanted.v LIMIT 1) AS x",
                (values, outlet.id),
            )
            return {value for (value,) in cursor}
    query = db.select(column).where(column.table.c.outlet_id == outlet.id, column.in_(values))
    return set(db.session.scalars(query))


def _legacy_digest(env: Envelope) -> str:
    """The digest as computed before canonical text came from orjson (the same bytes, but checked, not assumed)."""
    return body_digest(env.id, env.seq, env.type, env.schema_version, env.payload)


def ingest(outlet: Outlet, raw_events: list[Any]) -> list[Outcome]:
    """Take one pushed batch. Nothing is written for a refused event; the others are stored once."""
    outcomes: list[Outcome] = []
    envelopes: list[Envelope] = []
    seen: dict[uuid.UUID, Envelope] = {}
    for raw in raw_events:
        try:
            env = read_envelope(raw)
        except EnvelopeError as exc:
            raw_id = raw.get("id") if isinstance(raw, dict) else None
            raw_seq = raw.get("seq") if isinstance(raw, dict) else None
            outcomes.append(
                Outcome(
                    str(raw_id)[:40] if raw_id is not None else None,
                    raw_seq if isinstance(raw_seq, int) and not isinstance(raw_seq, bool) else None,
                    "rejected",
                    exc.code,
                    str(exc),
                )
            )
            continue
        twin = seen.get(env.id)
        if twin is not None:
            status = "duplicate" if twin.digest == env.digest else "conflict"
            outcomes.append(
                Outcome(
                    str(env.id),
                    env.seq,
                    status,
                    None if status == "duplicate" else "changed_body",
                    None if status == "duplicate" else "the same event id was sent with another body",
                )
            )
            continue
        seen[env.id] = env
        envelopes.append(env)
    envelopes.sort(key=lambda e: e.seq)

    # Events already stored: acknowledge exact repeats, refuse changed bodies.
    stored = _stored(outlet, envelopes)
    taken_seqs = _taken(SyncEvent.__table__.c.seq, outlet, [e.seq for e in envelopes if e.id not in stored], "bigint")
    texts = {}
    for env in list(envelopes):
        text = canonical(env.payload)
        if not _encodable(text):  # a lone surrogate: no database can store it, no client meant it
            envelopes.remove(env)
            _conflict(outlet, env.id, env.seq, env.type, "invalid_text", "text that is not valid Unicode", text)
            outcomes.append(Outcome(str(env.id), env.seq, "rejected", "invalid_text", "text that is not valid Unicode"))
            continue
        texts[env.id] = text
    for env in envelopes:
        if "\\u0000" in texts[env.id]:  # no PostgreSQL text column holds NUL: the stored records go without it
            cleaned = _without_nul(env.payload)
            env.payload.clear()
            env.payload.update(cleaned)
    fresh: list[Envelope] = []
    for env in envelopes:
        row = stored.get(env.id)
        if row is not None:
            if row[0] == outlet.id and row[1] in (digest_of(env, texts[env.id]), _legacy_digest(env)):
                outcomes.append(Outcome(str(env.id), env.seq, "duplicate"))
            else:
                _conflict(outlet, env.id, env.seq, env.type, "changed_body", "stored with another body", env.payload)
                outcomes.append(
                    Outcome(
                        str(env.id), env.seq, "conflict", "changed_body", "this event id is stored with another body"
                    )
                )
        elif env.seq in taken_seqs:
            _conflict(outlet, env.id, env.seq, env.type, "seq_reused", "sequence number already used", env.payload)
            outcomes.append(Outcome(str(env.id), env.seq, "conflict", "seq_reused", "this sequence number is taken"))
        else:
            fresh.append(env)

    wanted = _collect(fresh)
    refs = _Refs(
        products=_lookup(Product, wanted["products"]),
        investors=_lookup(Investor, wanted["investors"]),
        versions=_lookup(AgreementVersion, wanted["versions"]),
        users=_lookup(User, wanted["users"], outlet.id),
        shifts=_lookup(Shift, wanted["shifts"], outlet.id),
        sales=_lookup(Sale, wanted["sales"], outlet.id),
        lines=_lookup(SaleLine, wanted["lines"], outlet.id),
    )
    refs.elsewhere = _elsewhere(wanted, refs)
    refs.product_facts = _product_facts(refs.products.values())
    refs.line_facts = _line_facts(refs.lines)
    _stub_users(outlet, fresh, refs)
    batch = _Batch(outlet, refs)
    receipts = {_text(e.payload.get("receipt_no"), 40) for e in fresh if e.type in SALE_TYPES}
    if receipts:
        batch.receipts_taken = _taken(Sale.__table__.c.receipt_no, outlet, sorted(receipts), "text")
    accepted: list[Envelope] = []
    spans: dict[uuid.UUID, tuple[tuple[int, ...], tuple[int, ...]]] = {}  # each event's rows in the batch
    for env in fresh:
        before = batch.sizes()
        try:
            HANDLERS[env.type](batch, env)
        except (Refused, KeyError, TypeError, AttributeError, ValueError) as exc:
            batch.truncate(before)  # nothing of this event stays in the batch
            code = exc.code if isinstance(exc, Refused) else "invalid"
            message = str(exc) if isinstance(exc, Refused) else "the payload is incomplete"
            _conflict(outlet, env.id, env.seq, env.type, code, message, env.payload)
            outcomes.append(Outcome(str(env.id), env.seq, "rejected", code, message))
            continue
        accepted.append(env)
        spans[env.id] = (before, batch.sizes())
        # sales later in the batch may refund this one
        if env.type == "sale.completed":
            refs.sales.setdefault(_uuid(env.payload["uuid"], "uuid"), -1)
            for line in env.payload["lines"]:
                refs.lines.setdefault(_uuid(line["uuid"], "line uuid"), -1)

    if accepted:
        try:
            with db.session.begin_nested():
                _write(outlet, batch, accepted, texts)
        except WRITE_FAILURES as exc:
            # One event the checks let through is refused by the database itself: write the batch again one
            # event at a time, each in its own savepoint, so that only the events the database refuses are lost.
            current_app.logger.warning("batch written event by event after %s", str(exc).splitlines()[0][:300])
            kept = []
            for env in accepted:
                try:
                    with db.session.begin_nested():
                        _write(outlet, batch.part(*spans[env.id]), [env], texts)
                except (*WRITE_FAILURES, KeyError) as single:
                    if isinstance(single, IntegrityError | psycopg.IntegrityError) and _stored(outlet, [env]):
                        raise  # another push stored this event meanwhile: the retry acknowledges it
                    reason = str(single).splitlines()[0][:300] if str(single) else type(single).__name__
                    _conflict(outlet, env.id, env.seq, env.type, "database_refused", reason, env.payload)
                    outcomes.append(
                        Outcome(str(env.id), env.seq, "rejected", "database_refused", "central could not store it")
                    )
                    continue
                kept.append(env)
            accepted = kept
        outcomes.extend(Outcome(str(env.id), env.seq, "accepted") for env in accepted)
        # an event refused before (a reference that had not arrived yet) and accepted now is no longer open
        db.session.execute(
            db.update(SyncConflict)
            .where(
                SyncConflict.outlet_id == outlet.id,
                SyncConflict.resolved_at.is_(None),
                SyncConflict.event_uuid.in_([env.id for env in accepted]),
            )
            .values(resolved_at=batch.now)
        )
    _touch_state(
        outlet,
        len(accepted),
        [env.seq for env in accepted],
        sum(1 for o in outcomes if o.status in ("conflict", "rejected")),
        sum(1 for o in outcomes if o.status == "duplicate"),
        sum(batch.price_differs.get(env.id, 0) for env in accepted),
    )
    return outcomes


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


def _write(outlet: Outlet, batch: _Batch, events: list[Envelope], texts: dict[uuid.UUID, str]) -> None:
    """The event log rows and every record the events carry."""
    _bulk_insert(
        SyncEvent,
        EVENT_COLUMNS,
        [
            (
                env.id,
                outlet.id,
                env.seq,
                env.type,
                env.schema_version,
                digest_of(env, texts[env.id]),
                texts[env.id],
                batch.now,
            )
            for env in events
        ],
    )
    batch.write()


def _touch_state(
    outlet: Outlet, accepted: int, seqs: list[int], refused: int, resent: int, price_differs: int = 0
) -> None:
    now = clock.now()
    today = clock.business_date(current_app.config.get("POS_TIMEZONE") or "Asia/Jakarta", now)
    stmt = upsert.insert(OutletSyncState)
    values = {
        "events_day": today,
        "events_today": accepted,
        "outlet_id": outlet.id,
        "last_seen_at": now,
        "last_event_at": now if accepted else None,
        "received": accepted,
        "max_seq": max(seqs) if seqs else 0,
        "conflicts": refused,
        "resent": resent,
        "price_differs": price_differs,
        "pull_cursor": 0,
    }
    set_: dict[str, Any] = {
        "last_seen_at": stmt.excluded.last_seen_at,
        "received": OutletSyncState.received + stmt.excluded.received,
        "max_seq": func.greatest(OutletSyncState.max_seq, stmt.excluded.max_seq)
        if db.session.get_bind().dialect.name == "postgresql"
        else func.max(OutletSyncState.max_seq, stmt.excluded.max_seq),
        "conflicts": OutletSyncState.conflicts + stmt.excluded.conflicts,
        "resent": OutletSyncState.resent + stmt.excluded.resent,
        "price_differs": OutletSyncState.price_differs + stmt.excluded.price_differs,
        "events_today": case(
            (OutletSyncState.events_day == stmt.excluded.events_day, OutletSyncState.events_today + accepted),
            else_=accepted,
        ),
        "events_day": stmt.excluded.events_day,
    }
    if accepted:
        set_["last_event_at"] = stmt.excluded.last_event_at
    db.session.execute(stmt.values(**values).on_conflict_do_update(index_elements=["outlet_id"], set_=set_))


def as_response(outcomes: list[Outcome]) -> dict[str, Any]:
    counts: dict[str, int] = defaultdict(int)
    for outcome in outcomes:
        counts[outcome.status] += 1
    return {
        "results": [o.as_json() for o in outcomes],
        "accepted": counts["accepted"],
        "duplicates": counts["duplicate"],
        "conflicts": counts["conflict"],
        "rejected": counts["rejected"],
        "ack": [o.id for o in outcomes if o.status in ("accepted", "duplicate")],
    }
