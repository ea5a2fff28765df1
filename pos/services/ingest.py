"""Central ingest: store pushed events once, apply them in bulk, keep rollups in the same transaction.

Every event is stored by its id (a unique key). A repeated event is acknowledged; the same id with
another body is refused and recorded as a conflict, never overwritten. Business records keep the
UUIDs they were born with (unique keys too), so an event can never create a record twice.
"""

from __future__ import annotations

import contextlib
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func

from pos.domain.sync import Envelope, EnvelopeError, canonical, read_envelope
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
    StockBalance,
    StockMovement,
    SyncConflict,
    SyncEvent,
    User,
)
from pos.models.base import utcnow
from pos.services import upsert

SALE_TYPES = ("sale.completed", "sale.refund", "sale.void")
STOCK_TYPES = ("delivery.received", "stock_count.confirmed", "stock_return.sent", "stock.written_off")
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


def _bulk_insert(model: Any, rows: list[dict[str, Any]]) -> dict[uuid.UUID, int]:
    """Insert many rows in one go and return their ids by UUID: COPY on PostgreSQL, multi-row INSERT elsewhere."""
    if not rows:
        return {}
    table = model.__table__
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(table.insert(), rows)
        return _Refs._load(model.uuid, model.id, {row["uuid"] for row in rows})
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", (table.name, len(rows))
        )
        ids = [row[0] for row in cursor.fetchall()]
        columns = ["id", *rows[0]]
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for new_id, row in zip(ids, rows, strict=True):
                copy.write_row((new_id, *row.values()))
    return {row["uuid"]: new_id for row, new_id in zip(rows, ids, strict=True)}


def _uuid(value: Any, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Refused("invalid", f"{what} must be a UUID") from None


def _int(value: Any, what: str, *, low: int = -(10**15), high: int = 10**15) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise Refused("invalid", f"{what} must be a whole number")
    return value


def _when(value: Any, what: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise Refused("invalid", f"{what} must be an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise Refused("invalid", f"{what} must carry a time zone")
    return moment


def _day(value: Any, what: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise Refused("invalid", f"{what} must be a date") from None


def _text(value: Any, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


@dataclass
class _Refs:
    """UUID → id maps for the records a batch refers to, loaded with one query per kind."""

    products: dict[uuid.UUID, int] = field(default_factory=dict)
    investors: dict[uuid.UUID, int] = field(default_factory=dict)
    versions: dict[uuid.UUID, int] = field(default_factory=dict)
    users: dict[uuid.UUID, int] = field(default_factory=dict)
    shifts: dict[uuid.UUID, int] = field(default_factory=dict)
    sales: dict[uuid.UUID, int] = field(default_factory=dict)
    lines: dict[uuid.UUID, int] = field(default_factory=dict)

    @staticmethod
    def _load(column_uuid: Any, column_id: Any, keys: set[uuid.UUID]) -> dict[uuid.UUID, int]:
        if not keys:
            return {}
        out: dict[uuid.UUID, int] = {}
        keys_list = list(keys)
        for start in range(0, len(keys_list), 5000):
            chunk = keys_list[start : start + 5000]
            out.update(dict(db.session.execute(db.select(column_uuid, column_id).where(column_uuid.in_(chunk))).all()))
        return out


def _collect(envelopes: Iterable[Envelope]) -> dict[str, set[uuid.UUID]]:
    wanted: dict[str, set[uuid.UUID]] = defaultdict(set)

    def add(kind: str, value: Any) -> None:
        with contextlib.suppress(ValueError):
            wanted[kind].add(uuid.UUID(str(value)))

    for env in envelopes:
        p = env.payload
        if env.type in SALE_TYPES:
            add("sales", p.get("uuid"))
            add("shifts", p.get("shift"))
            add("users", p.get("cashier"))
            if p.get("original"):
                add("sales", p.get("original"))
            for line in p.get("lines") or []:
                if isinstance(line, dict):
                    add("products", line.get("product"))
                    add("investors", line.get("investor"))
                    add("versions", line.get("agreement_version"))
                    if line.get("original_line"):
                        add("lines", line.get("original_line"))
        elif env.type in ("shift.opened", "shift.closed", "cash.moved"):
            add("shifts", p.get("uuid") if env.type != "cash.moved" else p.get("shift"))
            add("users", p.get("cashier"))
        for key in ("confirmed_by", "sent_by", "requested_by", "received_by"):
            if p.get(key):
                add("users", p.get(key))
        if env.type in ("stock_count.confirmed", "restock.requested"):
            for line in p.get("lines") or []:
                if isinstance(line, dict) and line.get("product"):
                    add("products", line.get("product"))
        for move in p.get("movements") or []:
            if isinstance(move, dict):
                add("products", move.get("product"))
    return wanted


class _Batch:
    """One request's new events, turned into rows and written with one statement per table."""

    def __init__(self, outlet: Outlet, refs: _Refs) -> None:
        self.outlet = outlet
        self.refs = refs
        self.sales: list[dict[str, Any]] = []
        self.lines: list[dict[str, Any]] = []
        self.payments: list[dict[str, Any]] = []
        self.moves: list[dict[str, Any]] = []
        self.shifts: list[dict[str, Any]] = []
        self.closes: list[dict[str, Any]] = []
        self.cash: list[dict[str, Any]] = []
        self.receipts: list[dict[str, Any]] = []
        self.documents: list[Envelope] = []
        self.sale_uuids: set[uuid.UUID] = set()
        self.line_uuids: set[uuid.UUID] = set()
        self.receipt_nos: set[str] = set()
        self.receipts_taken: set[str] = set()

    # Each handler validates completely before it adds anything, so a refused event leaves no rows.

    def sale(self, env: Envelope) -> None:
        p, refs = env.payload, self.refs
        sale_uuid = _uuid(p.get("uuid"), "uuid")
        if sale_uuid in refs.sales or sale_uuid in self.sale_uuids:
            raise Refused("record_exists", "this sale is already stored under another event")
        receipt = _text(p.get("receipt_no"), 40)
        if receipt in self.receipts_taken or receipt in self.receipt_nos:
            raise Refused("record_exists", f"receipt number {receipt} is already used by another sale")
        kind = env.type.split(".", 1)[1].replace("completed", "sale")
        if p.get("kind") != kind:
            raise Refused("invalid", "kind does not match the event type")
        shift_uuid = _uuid(p.get("shift"), "shift")
        cashier = _uuid(p.get("cashier"), "cashier")
        if shift_uuid not in refs.shifts:
            raise Refused("unknown_reference", "the sale's shift has not been received")
        if cashier not in refs.users:
            raise Refused("unknown_reference", "unknown cashier")
        original = None
        if kind != "sale":
            original = _uuid(p.get("original"), "original")
            if original not in refs.sales:
                raise Refused("unknown_reference", "the original sale has not been received")
        raw_lines = p.get("lines")
        if not isinstance(raw_lines, list) or not raw_lines or len(raw_lines) > 500:
            raise Refused("invalid", "a sale has 1 to 500 lines")
        lines = []
        totals = {"gross": 0, "discount": 0, "net": 0, "fee": 0, "share": 0}
        for number, line in enumerate(raw_lines, start=1):
            if not isinstance(line, dict):
                raise Refused("invalid", "a line must be an object")
            product = _uuid(line.get("product"), "product")
            investor = _uuid(line.get("investor"), "investor")
            version = _uuid(line.get("agreement_version"), "agreement_version")
            for key, table in ((product, refs.products), (investor, refs.investors), (version, refs.versions)):
                if key not in table:
                    raise Refused("unknown_reference", f"unknown product, investor or agreement {key}")
            gross, discount = _int(line.get("gross"), "gross"), _int(line.get("discount"), "discount")
            net, fee = _int(line.get("net"), "net"), _int(line.get("fee"), "fee")
            share = _int(line.get("investor_share"), "investor_share")
            if fee + share != net or gross - discount != net:
                raise Refused("invalid", "a line's fee and share must add up to its net")
            original_line = None
            if line.get("original_line"):
                original_line = _uuid(line.get("original_line"), "original_line")
                if original_line not in refs.lines:
                    raise Refused("unknown_reference", "the refunded line has not been received")
            line_uuid = _uuid(line.get("uuid"), "line uuid")
            if line_uuid in self.line_uuids:
                raise Refused("invalid", "a line UUID appears twice")
            lines.append(
                {
                    "uuid": line_uuid,
                    "line_no": _int(line.get("line_no", number), "line_no", low=1, high=10_000),
                    "product_id": refs.products[product],
                    "investor_id": refs.investors[investor],
                    "agreement_version_id": refs.versions[version],
                    "name": _text(line.get("name"), 160) or "?",
                    "unit": _text(line.get("unit"), 10) or "pcs",
                    "quantity": _int(line.get("quantity"), "quantity"),
                    "unit_price": _int(line.get("unit_price"), "unit_price"),
                    "gross": gross,
                    "discount": discount,
                    "net": net,
                    "fee_bp": _int(line.get("fee_bp"), "fee_bp", low=0, high=10_000),
                    "fee": fee,
                    "investor_share": share,
                    "original_line_id": None,
                    "_original_line": original_line,
                }
            )
            totals["gross"] += gross
            totals["discount"] += discount
            totals["net"] += net
            totals["fee"] += fee
            totals["share"] += share
        total = _int(p.get("total"), "total")
        if total != totals["net"] or _int(p.get("fee"), "fee") != totals["fee"]:
            raise Refused("invalid", "the sale's total and fee must equal the sum of its lines")
        payments = []
        for pay in p.get("payments") or []:
            if not isinstance(pay, dict) or pay.get("method") not in ("cash", "qris", "transfer"):
                raise Refused("invalid", "unknown payment method")
            payments.append(
                {
                    "uuid": _uuid(pay.get("uuid"), "payment uuid"),
                    "method": pay["method"],
                    "amount": _int(pay.get("amount"), "amount"),
                    "reference": _text(pay.get("reference"), 80),
                }
            )
        paid, change = _int(p.get("paid"), "paid"), _int(p.get("change"), "change", low=0)
        if sum(x["amount"] for x in payments) != paid or paid - change != total:
            raise Refused("invalid", "payments minus change must equal the total")
        moves = self._moves(env, p.get("movements") or [], sale_uuid)
        created_at = _when(p.get("created_at"), "created_at")
        business_day = _day(p.get("business_date"), "business_date")
        sale_row = {
            "uuid": sale_uuid,
            "outlet_id": self.outlet.id,
            "shift_id": None,
            "_shift": shift_uuid,
            "_original": original,
            "cashier_id": refs.users[cashier],
            "kind": kind,
            "receipt_no": _text(p.get("receipt_no"), 40),
            "idempotency_key": _uuid(p.get("idempotency_key") or sale_uuid, "idempotency_key"),
            "business_date": business_day,
            "created_at": created_at,
            "subtotal": totals["gross"],
            "discount": _int(p.get("discount", totals["discount"]), "discount"),
            "total": total,
            "fee": totals["fee"],
            "investor_share": totals["share"],
            "paid": paid,
            "change": change,
            "original_id": None,
            "reason": _text(p.get("reason"), 255),
        }
        self.sale_uuids.add(sale_uuid)
        self.receipt_nos.add(receipt)
        self.line_uuids.update(line["uuid"] for line in lines)
        self.sales.append(sale_row)
        for line in lines:
            line["_sale"] = sale_uuid
        for pay in payments:
            pay["_sale"] = sale_uuid
        self.lines.extend(lines)
        self.payments.extend(payments)
        self.moves.extend(moves)

    def _moves(self, env: Envelope, raw: Any, document: uuid.UUID | None) -> list[dict[str, Any]]:
        if not isinstance(raw, list) or len(raw) > 2000:
            raise Refused("invalid", "movements must be a list")
        out = []
        for move in raw:
            if not isinstance(move, dict) or move.get("kind") not in (
                "opening",
                "receive",
                "sale",
                "refund",
                "adjust",
                "return",
                "write_off",
            ):
                raise Refused("invalid", "unknown stock movement")
            product = _uuid(move.get("product"), "product")
            if product not in self.refs.products:
                raise Refused("unknown_reference", f"unknown product {product}")
            out.append(
                {
                    "uuid": _uuid(move.get("uuid"), "movement uuid"),
                    "outlet_id": self.outlet.id,
                    "product_id": self.refs.products[product],
                    "kind": move["kind"],
                    "quantity": _int(move.get("quantity"), "quantity"),
                    "document_type": MOVEMENT_KIND_BY_DOCUMENT.get(env.type),
                    "document_uuid": document,
                    "note": _text(move.get("note"), 255),
                    "created_at": utcnow(),
                }
            )
        return out

    def stock(self, env: Envelope) -> None:
        p = env.payload
        document_key = {
            "delivery.received": "delivery",
            "stock_count.confirmed": "count",
            "stock_return.sent": "return",
        }
        document = _uuid(p[document_key[env.type]], "document") if env.type in document_key else None
        moves = self._moves(env, p.get("movements") or [], document)
        if env.type == "delivery.received":
            lines = p.get("lines")
            if not isinstance(lines, list):
                raise Refused("invalid", "lines must be a list")
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
        _uuid(p.get("uuid"), "uuid")
        if p.get("role") not in set(StaffRole) or p.get("employer") not in set(Employer):
            raise Refused("invalid", "unknown role or employer")
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
            investor = _uuid(p.get("investor"), "investor")
            if db.session.scalar(db.select(Investor.id).where(Investor.uuid == investor)) is None:
                raise Refused("unknown_reference", "unknown investor")
        self.documents.append(env)

    def restock(self, env: Envelope) -> None:
        self._check_document(env)
        self.documents.append(env)

    def _check_document(self, env: Envelope) -> None:
        p = env.payload
        key = {"stock_count.confirmed": "count", "stock_return.sent": "return", "restock.requested": "request"}[
            env.type
        ]
        _uuid(p.get(key), key)
        if not isinstance(p.get("number"), str) or not p["number"]:
            raise Refused("invalid", "the document needs its number")
        if env.type != "stock_count.confirmed":
            investor = _uuid(p.get("investor"), "investor")
            if db.session.scalar(db.select(Investor.id).where(Investor.uuid == investor)) is None:
                raise Refused("unknown_reference", "unknown investor")
        for line in p.get("lines") or []:
            if not isinstance(line, dict):
                raise Refused("invalid", "a line must be an object")
            if line.get("product") and _uuid(line["product"], "product") not in self.refs.products:
                raise Refused("unknown_reference", "unknown product")
            if env.type == "restock.requested":
                _int(line.get("quantity"), "quantity", low=1)
            elif line.get("counted") is not None:
                _int(line.get("counted"), "counted", low=0)

    def shift_opened(self, env: Envelope) -> None:
        p = env.payload
        shift = _uuid(p.get("uuid"), "uuid")
        cashier = _uuid(p.get("cashier"), "cashier")
        if cashier not in self.refs.users:
            raise Refused("unknown_reference", "unknown cashier")
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
            raise Refused("unknown_reference", "the shift has not been received")
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
            raise Refused("unknown_reference", "the shift has not been received")
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
                    "uuid": row["uuid"],
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
            self.refs.shifts.update(_Refs._load(Shift.uuid, Shift.id, {row["uuid"] for row in rows}))
        for row in self.closes:
            db.session.execute(
                db.update(Shift)
                .where(Shift.uuid == row["uuid"])
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
                    "uuid": r["uuid"],
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
                self.refs.sales.update(_Refs._load(Sale.uuid, Sale.id, {r["_original"] for r in rows}))
                wanted = {ln["_original_line"] for ln in self.lines if ln["_original_line"] is not None}
                self.refs.lines.update(_Refs._load(SaleLine.uuid, SaleLine.id, wanted))
            mine = {row["uuid"] for row in rows}
            inserts = []
            for row in rows:
                row["shift_id"] = self.refs.shifts[row["_shift"]]
                row["original_id"] = self.refs.sales[row["_original"]] if row["_original"] else None
                inserts.append({k: v for k, v in row.items() if not k.startswith("_")})
            ids = _bulk_insert(Sale, inserts)
            lines = []
            for line in self.lines:
                if line["_sale"] in mine:
                    original = line["_original_line"]
                    line["original_line_id"] = self.refs.lines.get(original) if original else None
                    line["sale_id"] = ids[line["_sale"]]
                    lines.append({k: v for k, v in line.items() if not k.startswith("_")})
            _bulk_insert(SaleLine, lines)
            payments = [
                {**{k: v for k, v in pay.items() if not k.startswith("_")}, "sale_id": ids[pay["_sale"]]}
                for pay in self.payments
                if pay["_sale"] in mine
            ]
            _bulk_insert(Payment, payments)
        self._rollups()

    def _rollups(self) -> None:
        from pos.services import rollups

        day_of = {row["uuid"]: row["business_date"] for row in self.sales}
        rollups.add(
            self.outlet.id,
            self.sales,
            [{**line, "day": day_of[line["_sale"]]} for line in self.lines],
        )

    def _write_moves(self) -> None:
        if not self.moves:
            return
        _bulk_insert(StockMovement, self.moves)
        totals: dict[int, int] = defaultdict(int)
        for move in self.moves:
            totals[move["product_id"]] += move["quantity"]
        stmt = upsert.insert(StockBalance)
        db.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["outlet_id", "product_id"],
                set_={"quantity": StockBalance.quantity + stmt.excluded.quantity},
            ),
            [
                {"outlet_id": self.outlet.id, "product_id": pid, "quantity": qty, "needs_count": False}
                for pid, qty in sorted(totals.items())
            ],
        )

    def _write_receipts(self) -> None:
        for receipt in self.receipts:
            delivery = db.session.scalar(
                db.select(Delivery).where(Delivery.uuid == receipt["delivery"], Delivery.outlet_id == self.outlet.id)
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
        from pos.services import staff

        staff.apply(outlet.id, p)
        return
    products = {
        key: (pid, investor)
        for key, pid, investor in db.session.execute(
            db.select(Product.uuid, Product.id, Product.investor_id).where(Product.uuid.in_(list(refs.products)))
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
            confirmed_by_id=refs.users.get(uuid.UUID(p["confirmed_by"])) if p.get("confirmed_by") else None,
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
            sent_at=_when(p.get("sent_at"), "sent_at") if p.get("sent_at") else utcnow(),
            sent_by_id=refs.users.get(uuid.UUID(p["sent_by"])) if p.get("sent_by") else None,
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
            requested_at=_when(p.get("requested_at"), "requested_at") if p.get("requested_at") else utcnow(),
            requested_by_id=refs.users.get(uuid.UUID(p["requested_by"])) if p.get("requested_by") else None,
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


def _conflict(
    outlet: Outlet, env_id: uuid.UUID, seq: int | None, event_type: str, reason: str, detail: str, body: Any
) -> None:
    db.session.add(
        SyncConflict(
            outlet_id=outlet.id,
            event_uuid=env_id,
            seq=seq,
            event_type=event_type[:40],
            reason=reason,
            detail=detail[:500],
            body=canonical(body)[:100_000],
        )
    )


def _stub_users(outlet: Outlet, envelopes: list[Envelope], known: dict[uuid.UUID, int]) -> None:
    """Staff created at the outlet (not on central) become login-less user records on central."""
    for env in envelopes:
        if env.type != "shift.opened":
            continue
        try:
            cashier = uuid.UUID(str(env.payload.get("cashier")))
        except ValueError:
            continue
        if cashier in known:
            continue
        name = _text(env.payload.get("cashier_name"), 120) or f"Kasir {str(cashier)[:8]}"
        user = User(
            uuid=cashier,
            username=f"outlet-{outlet.code}-{str(cashier)[:8]}".lower(),
            full_name=name,
            role=Role.CASHIER,
            outlet_id=outlet.id,
            active=False,
        )
        db.session.add(user)
        db.session.flush()
        known[cashier] = user.id


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
    stored = {}
    ids = [e.id for e in envelopes]
    for start in range(0, len(ids), 5000):
        stored.update(
            {
                row.uuid: row
                for row in db.session.execute(
                    db.select(SyncEvent.uuid, SyncEvent.outlet_id, SyncEvent.body_hash, SyncEvent.seq).where(
                        SyncEvent.uuid.in_(ids[start : start + 5000])
                    )
                )
            }
        )
    taken_seqs = (
        set(
            db.session.scalars(
                db.select(SyncEvent.seq).where(
                    SyncEvent.outlet_id == outlet.id,
                    SyncEvent.seq.in_([e.seq for e in envelopes if e.id not in stored]),
                )
            )
        )
        if envelopes
        else set()
    )
    fresh: list[Envelope] = []
    for env in envelopes:
        row = stored.get(env.id)
        if row is not None:
            if row.outlet_id == outlet.id and row.body_hash == env.digest:
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
        products=_Refs._load(Product.uuid, Product.id, wanted["products"]),
        investors=_Refs._load(Investor.uuid, Investor.id, wanted["investors"]),
        versions=_Refs._load(AgreementVersion.uuid, AgreementVersion.id, wanted["versions"]),
        users=_Refs._load(User.uuid, User.id, wanted["users"]),
        shifts=_Refs._load(Shift.uuid, Shift.id, wanted["shifts"]),
        sales=_Refs._load(Sale.uuid, Sale.id, wanted["sales"]),
        lines=_Refs._load(SaleLine.uuid, SaleLine.id, wanted["lines"]),
    )
    _stub_users(outlet, fresh, refs.users)
    batch = _Batch(outlet, refs)
    receipts = {_text(e.payload.get("receipt_no"), 40) for e in fresh if e.type in SALE_TYPES}
    if receipts:
        batch.receipts_taken = set(
            db.session.scalars(
                db.select(Sale.receipt_no).where(Sale.outlet_id == outlet.id, Sale.receipt_no.in_(receipts))
            )
        )
    accepted: list[Envelope] = []
    for env in fresh:
        snapshot = (
            len(batch.sales),
            len(batch.lines),
            len(batch.payments),
            len(batch.moves),
            len(batch.shifts),
            len(batch.closes),
            len(batch.cash),
            len(batch.receipts),
            len(batch.documents),
        )
        try:
            HANDLERS[env.type](batch, env)
        except (Refused, KeyError, TypeError, AttributeError, ValueError) as exc:
            # nothing of this event stays in the batch
            for name, size in zip(
                ("sales", "lines", "payments", "moves", "shifts", "closes", "cash", "receipts", "documents"),
                snapshot,
                strict=True,
            ):
                del getattr(batch, name)[size:]
            code = exc.code if isinstance(exc, Refused) else "invalid"
            message = str(exc) if isinstance(exc, Refused) else "the payload is incomplete"
            _conflict(outlet, env.id, env.seq, env.type, code, message, env.payload)
            outcomes.append(Outcome(str(env.id), env.seq, "rejected", code, message))
            continue
        accepted.append(env)
        # sales later in the batch may refund this one
        if env.type == "sale.completed":
            sale_uuid = uuid.UUID(str(env.payload["uuid"]))
            refs.sales.setdefault(sale_uuid, -1)
            for line in env.payload["lines"]:
                refs.lines.setdefault(uuid.UUID(str(line["uuid"])), -1)

    if accepted:
        now = utcnow()
        rows = [
            {
                "uuid": env.id,
                "outlet_id": outlet.id,
                "seq": env.seq,
                "event_type": env.type,
                "schema_version": env.schema_version,
                "body_hash": env.digest,
                "payload": canonical(env.payload),
                "received_at": now,
            }
            for env in accepted
        ]
        _bulk_insert(SyncEvent, rows)
        batch.write()
        outcomes.extend(Outcome(str(env.id), env.seq, "accepted") for env in accepted)
    _touch_state(
        outlet,
        len(accepted),
        [env.seq for env in accepted],
        sum(1 for o in outcomes if o.status in ("conflict", "rejected")),
    )
    return outcomes


def _touch_state(outlet: Outlet, accepted: int, seqs: list[int], refused: int) -> None:
    now = utcnow()
    stmt = upsert.insert(OutletSyncState)
    values = {
        "outlet_id": outlet.id,
        "last_seen_at": now,
        "last_event_at": now if accepted else None,
        "received": accepted,
        "max_seq": max(seqs) if seqs else 0,
        "conflicts": refused,
        "pull_cursor": 0,
    }
    set_: dict[str, Any] = {
        "last_seen_at": stmt.excluded.last_seen_at,
        "received": OutletSyncState.received + stmt.excluded.received,
        "max_seq": func.greatest(OutletSyncState.max_seq, stmt.excluded.max_seq)
        if db.session.get_bind().dialect.name == "postgresql"
        else func.max(OutletSyncState.max_seq, stmt.excluded.max_seq),
        "conflicts": OutletSyncState.conflicts + stmt.excluded.conflicts,
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
