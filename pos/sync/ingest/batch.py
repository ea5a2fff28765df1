"""One handler per event type: each checks its event against central's own records and stages its rows;
``Batch.write`` then stores the staged rows of every accepted event at once."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from pos.core import clock
from pos.domain import qris
from pos.domain.cash import MAX_ROUNDING, ROUNDING_STEPS, is_cash_rounding
from pos.domain.ids import RECEIPT_TOKEN
from pos.domain.money import MAX_PRICE, line_amount
from pos.domain.pricing import LineInput, SoldLine, price_sale, take_back
from pos.domain.quantity import MAX_STEPS
from pos.domain.sync import Envelope
from pos.domain.units import UNITS
from pos.extensions import db
from pos.models import (
    Delivery,
    Outlet,
    Sale,
)
from pos.partnership.agreements import RateBook
from pos.sync.events import (
    MOVEMENT_KIND_BY_DOCUMENT,
    MOVEMENT_KINDS,
    PAYMENT_METHODS,
    SALE_KIND_BY_TYPE,
    STOCK_KIND_BY_TYPE,
)
from pos.sync.ingest.refs import LineFacts, Refs, check_investor
from pos.sync.ingest.values import Refused, day_from, instant, ref_of, text_of, uuid_of, whole_number


@dataclass(frozen=True, slots=True)
class SaleHead:
    """A pushed sale's own fields, checked: what its lines and payments are checked against."""

    uuid: str
    receipt: str
    kind: str
    shift: str
    cashier: str
    original: str | None
    day: date


class Batch:
    """One request's new events, turned into rows and written with one statement per table."""

    def __init__(self, outlet: Outlet, refs: Refs) -> None:
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

    def part(self, start: tuple[int, ...], end: tuple[int, ...]) -> Batch:
        """The rows one event added, as a batch of their own."""
        piece = Batch(self.outlet, self.refs)
        piece.now = self.now
        for name, a, b in zip(self.LISTS, start, end, strict=True):
            setattr(piece, name, getattr(self, name)[a:b])
        return piece

    # Each handler validates completely before it adds anything, so a refused event leaves no rows.

    def sale(self, env: Envelope) -> None:
        """A sale, refund or void: its head, each line checked and recomputed, payments, stock movements."""
        p, refs = env.payload, self.refs
        head = self._sale_head(env)
        raw_lines = p.get("lines")
        if type(raw_lines) is not list or not raw_lines or len(raw_lines) > 500:
            raise Refused("invalid", "a sale has 1 to 500 lines")
        lines: list[dict[str, Any]] = []
        uuids: set[str] = set()
        sold: dict[int, int] = defaultdict(int)  # units per product, as the stock movements must show them
        refunding: dict[str, int] = defaultdict(int)
        inputs: list[LineInput] = []  # a sale's lines, for the sale rule
        differs = 0  # lines sold at another price than central's current one
        for number, line in enumerate(raw_lines, start=1):
            row, other_price = self._sale_line(head, number, line, uuids, sold, refunding, inputs)
            lines.append(row)
            differs += other_price
        if inputs:  # the sale rule the outlet priced it with, once for the whole sale
            for row, expected in zip(lines, price_sale(inputs).lines, strict=True):
                if (row["net"], row["fee"], row["investor_share"]) != (
                    expected.net,
                    expected.fee,
                    expected.investor_share,
                ):
                    raise Refused("wrong_split", "the fee is not the agreed rate of the net, rounded half up")
        sums = {name: sum(row[name] for row in lines) for name in ("gross", "discount", "net", "fee", "investor_share")}
        total = whole_number(p.get("total"), "total")
        if total != sums["net"] or whole_number(p.get("fee"), "fee") != sums["fee"]:
            raise Refused("invalid", "the sale's total and fee must equal the sum of its lines")
        payments, paid, change, rounding = self._sale_payments(p, head.uuid, total)
        member_id = self._member(p, head)
        moves = self._sale_moves(env, head, sold)
        self.sales.append(
            {
                "uuid": head.uuid,
                "outlet_id": self.outlet.id,
                "shift_id": None,
                "cashier_id": refs.users[head.cashier],
                "kind": head.kind,
                "receipt_no": head.receipt,
                "receipt_token": self._receipt_token(p),
                "idempotency_key": uuid_of(p.get("idempotency_key") or head.uuid, "idempotency_key"),
                "business_date": head.day,
                "created_at": instant(p.get("created_at"), "created_at"),
                "subtotal": sums["gross"],
                "discount": whole_number(p.get("discount", sums["discount"]), "discount"),
                "total": total,
                "fee": sums["fee"],
                "investor_share": sums["investor_share"],
                "paid": paid,
                "change": change,
                "rounding": rounding,
                "original_id": None,
                "reason": text_of(p.get("reason"), 255),
                "member_id": member_id,
                "_shift": head.shift,
                "_original": head.original,
            }
        )
        self.sale_uuids.add(head.uuid)
        self.receipt_nos.add(head.receipt)
        self.line_uuids |= uuids
        for key, units in refunding.items():
            refs.line_facts[key].refunded += units
        if differs:
            self.price_differs[env.id] = differs
        if head.kind == "sale":  # later refunds in this batch may take these lines back
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

    def _sale_head(self, env: Envelope) -> SaleHead:
        p, refs = env.payload, self.refs
        sale_uuid = uuid_of(p.get("uuid"), "uuid")
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
        shift_uuid = uuid_of(p.get("shift"), "shift")
        cashier = uuid_of(p.get("cashier"), "cashier")
        if shift_uuid not in refs.shifts:
            raise refs.missing("shifts", shift_uuid, "sale's shift")
        if cashier not in refs.users:
            raise refs.missing("users", cashier, "cashier")
        original = None
        if kind != "sale":
            original = uuid_of(p.get("original"), "original")
            if original not in refs.sales:
                raise refs.missing("sales", original, "original sale")
        day = day_from(p.get("business_date"), "business_date")
        return SaleHead(sale_uuid, receipt, kind, shift_uuid, cashier, original, day)

    def _sale_line(
        self,
        head: SaleHead,
        number: int,
        line: Any,
        uuids: set[str],
        sold: dict[int, int],
        refunding: dict[str, int],
        inputs: list[LineInput],
    ) -> tuple[dict[str, Any], int]:
        """One line checked against central's records and rules; returns its row and 1 if it was sold at
        another price than central's current one."""
        refs = self.refs
        if type(line) is not dict:
            raise Refused("invalid", "a line must be an object")
        product_id = ref_of(refs.products, line.get("product"), "product")
        investor_id = ref_of(refs.investors, line.get("investor"), "investor")
        version_id = ref_of(refs.versions, line.get("agreement_version"), "agreement_version")
        if product_id is None or investor_id is None or version_id is None:
            raise Refused("unknown_reference", "unknown product, investor or agreement")
        gross, discount = whole_number(line.get("gross"), "gross"), whole_number(line.get("discount"), "discount")
        net, fee = whole_number(line.get("net"), "net"), whole_number(line.get("fee"), "fee")
        share = whole_number(line.get("investor_share"), "investor_share")
        quantity = whole_number(line.get("quantity"), "quantity", low=-MAX_STEPS, high=MAX_STEPS)
        unit_price = whole_number(line.get("unit_price"), "unit_price", low=0, high=MAX_PRICE)
        fee_bp = whole_number(line.get("fee_bp"), "fee_bp", low=0, high=10_000)
        unit_code = text_of(line.get("unit"), 10) or "pcs"
        if unit_code not in UNITS:
            raise Refused("invalid", f"unknown unit {unit_code!r}"[:60])
        if fee + share != net or gross - discount != net:
            raise Refused("invalid", "a line's fee and share must add up to its net")
        if refs.product_facts.get(product_id, (None,))[0] != investor_id:
            raise Refused("wrong_investor", "the line names another investor than the product's")
        original_line = None
        if line.get("original_line"):
            original_line = uuid_of(line.get("original_line"), "original_line")
            if original_line not in refs.lines:
                raise refs.missing("lines", original_line, "refunded line")
        differs = 0
        if head.kind == "sale":
            if original_line is not None or quantity <= 0:
                raise Refused("invalid", "a sale's line sells a positive quantity")
            differs = self._check_sold(head.day, product_id, version_id, fee_bp, quantity, unit_price, unit_code, line)
            # its discount: the line's own and its part of the sale's
            inputs.append(LineInput(quantity, unit_price, UNITS[unit_code].step_per_unit, discount, fee_bp))
        else:
            if original_line is None:
                raise Refused("invalid", "a refund's line names the line it takes back")
            self._check_refunded(original_line, refunding, product_id, version_id, fee_bp, quantity, line)
        sold[product_id] += quantity
        line_uuid = uuid_of(line.get("uuid"), "line uuid")
        if line_uuid in self.line_uuids or line_uuid in uuids:
            raise Refused("invalid", "a line UUID appears twice")
        uuids.add(line_uuid)
        row = {
            "uuid": line_uuid,
            "sale_id": None,
            "line_no": whole_number(line.get("line_no", number), "line_no", low=1, high=10_000),
            "product_id": product_id,
            "investor_id": investor_id,
            "agreement_version_id": version_id,
            "name": text_of(line.get("name"), 160) or "?",
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
            "_sale": head.uuid,
        }
        return row, differs

    def _member(self, p: dict[str, Any], head: SaleHead) -> int | None:
        """The member the sale names, of the outlet's own cooperative; a refund or void names its sale's."""
        value = p.get("member")
        member_id = None
        if value is not None:
            key = uuid_of(value, "member")
            if key in self.refs.foreign_members:
                raise Refused("foreign_reference", "the member belongs to another cooperative")
            if key not in self.refs.members:
                raise Refused("unknown_reference", "the member has not been received")
            member_id = self.refs.members[key]
        if head.original is not None and member_id != self._member_of_sale(head.original):
            raise Refused("invalid", "a refund or void keeps the member of the sale it takes back")
        return member_id

    def _member_of_sale(self, sale_uuid: str) -> int | None:
        for row in self.sales:
            if row["uuid"] == sale_uuid:
                return row["member_id"]
        return db.session.scalar(
            db.select(Sale.member_id).where(Sale.outlet_id == self.outlet.id, Sale.uuid == uuid.UUID(sale_uuid))
        )

    @staticmethod
    def _receipt_token(p: dict[str, Any]) -> str | None:
        """The customer's receipt link, as the outlet made it; a sale from before receipt links has none."""
        token = p.get("receipt_token")
        if token is None:
            return None
        if not isinstance(token, str) or not RECEIPT_TOKEN.match(token):
            raise Refused("invalid", "receipt_token must be 22 to 32 URL-safe characters")
        return token

    def _sale_payments(
        self, p: dict[str, Any], sale_uuid: str, total: int
    ) -> tuple[list[tuple[Any, ...]], int, int, int]:
        """The payments, paid, change and cash rounding: payments − change == total + rounding, and the rounding
        is what an outlet's rounding step gives for the cash part (``pos.domain.cash``)."""
        payments = []
        for pay in p.get("payments") or []:
            if type(pay) is not dict or pay.get("method") not in PAYMENT_METHODS:
                raise Refused("invalid", "unknown payment method")
            payments.append(
                (
                    uuid_of(pay.get("uuid"), "payment uuid"),
                    sale_uuid,
                    pay["method"],
                    whole_number(pay.get("amount"), "amount"),
                    text_of(pay.get("reference"), 80),
                )
            )
        paid, change = whole_number(p.get("paid"), "paid"), whole_number(p.get("change"), "change", low=0)
        rounding = whole_number(p.get("rounding", 0), "rounding", low=-MAX_ROUNDING, high=MAX_ROUNDING)
        if sum(x[3] for x in payments) != paid or paid - change != total + rounding:
            raise Refused("invalid", "payments minus change must equal the total and its cash rounding")
        if rounding:
            cash_due = total - sum(x[3] for x in payments if x[2] != "cash")
            paid_in_cash = any(x[2] == "cash" for x in payments)
            if (
                cash_due == 0
                or (cash_due > 0) != (total > 0)  # more than the total paid by QRIS or transfer: no cash was due
                or not is_cash_rounding(cash_due, rounding)
                or (not paid_in_cash and cash_due + rounding != 0)
            ):
                raise Refused("invalid", "the rounding is not the cash part rounded to Rp100 or Rp500")
        return payments, paid, change, rounding

    def _sale_moves(self, env: Envelope, head: SaleHead, sold: dict[int, int]) -> list[tuple[Any, ...]]:
        """The movements must take out exactly the units sold (put back those refunded), as their own kind."""
        moves = self._moves(env, env.payload.get("movements") or [], head.uuid)
        moved: dict[int, int] = defaultdict(int)
        for move in moves:
            if move[3] != ("sale" if head.kind == "sale" else "refund"):
                raise Refused("wrong_stock", "a sale's stock movements are sales, a refund's are refunds")
            moved[move[2]] += move[4]
        if {pid: -q for pid, q in sold.items() if q} != {pid: q for pid, q in moved.items() if q}:
            raise Refused("wrong_stock", "the stock movements must take out exactly the units sold (or refunded)")
        return moves

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
            product_id = ref_of(self.refs.products, move.get("product"), "product")
            if product_id is None:
                raise Refused("unknown_reference", f"unknown product {move.get('product')}"[:120])
            out.append(
                (
                    uuid_of(move.get("uuid"), "movement uuid"),
                    self.outlet.id,
                    product_id,
                    move["kind"],
                    whole_number(move.get("quantity"), "quantity", low=-MAX_STEPS, high=MAX_STEPS),
                    document_type,
                    document,
                    text_of(move.get("note"), 255),
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
        document = uuid_of(p.get(document_key[env.type]), "document") if env.type in document_key else None
        moves = self._moves(env, p.get("movements") or [], document)
        if any(move[3] != STOCK_KIND_BY_TYPE[env.type] for move in moves):
            raise Refused("wrong_stock", f"a {env.type} event moves stock as {STOCK_KIND_BY_TYPE[env.type]} only")
        if env.type == "delivery.received":
            lines = p.get("lines")
            if not isinstance(lines, list) or len(lines) > 5000:
                raise Refused("invalid", "lines must be a list")
            found = db.session.scalar(
                db.select(Delivery.id).where(Delivery.outlet_id == self.outlet.id, Delivery.uuid == uuid.UUID(document))
            )
            if found is None:
                raise Refused("unknown_reference", "no such delivery to this outlet")
            for result in lines:
                if not isinstance(result, dict):
                    raise Refused("invalid", "a line must be an object")
                for name in ("good", "damaged"):
                    if result.get(name) is not None:
                        whole_number(result.get(name), name, low=0, high=MAX_STEPS)
            by = uuid_of(p["received_by"], "received_by") if p.get("received_by") else None
            self.receipts.append(
                {
                    "delivery": document,
                    "lines": lines,
                    "at": instant(p.get("received_at"), "received_at"),
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
        uuid_of(p.get("uuid"), "uuid")
        if p.get("role") not in set(StaffRole) or p.get("employer") not in set(Employer):
            raise Refused("invalid", "unknown role or employer")
        if type(p.get("new_job")) is not bool:
            raise Refused("invalid", "new_job must be true or false")
        day_from(p.get("start_date"), "start_date")
        if p.get("end_date"):
            day_from(p.get("end_date"), "end_date")
        instant(p.get("updated_at"), "updated_at")
        if not isinstance(p.get("full_name"), str) or not p["full_name"].strip():
            raise Refused("invalid", "full_name is required")
        nik = p.get("national_id")
        if nik is not None and (not isinstance(nik, str) or len(nik) != 16 or not nik.isdigit()):
            raise Refused("invalid", "national_id must have 16 digits")
        if p.get("investor"):
            check_investor(p.get("investor"))
        self.documents.append(env)

    def account(self, env: Envelope) -> None:
        """A till login the outlet's manager made or changed: only the outlet's own cashiers (a new one named
        after the outlet, so that no node takes another's username), and the managers' own PINs."""
        from pos.models import User

        p = env.payload
        key = uuid.UUID(uuid_of(p.get("uuid"), "uuid"))
        instant(p.get("updated_at"), "updated_at")
        if p.get("role") not in ("cashier", "manager"):
            raise Refused("invalid", "a node changes only cashier and manager logins")
        if type(p.get("active")) is not bool:
            raise Refused("invalid", "active must be true or false")
        pin = p.get("pin_hash")
        if pin is not None and (not isinstance(pin, str) or not pin.startswith("$argon2") or len(pin) > 200):
            raise Refused("invalid", "pin_hash must be an Argon2 hash")
        if not isinstance(p.get("full_name"), str) or not p["full_name"].strip():
            raise Refused("invalid", "full_name is required")
        existing = db.session.execute(
            db.select(User.outlet_id, User.role, User.username).where(User.uuid == key)
        ).first()
        if existing is not None:
            if existing.outlet_id != self.outlet.id or existing.role.value != p["role"]:
                raise Refused("foreign_reference", "this login is not one of the outlet's or changes its role")
            if existing.username != p.get("username"):
                raise Refused("invalid", "a node does not rename a login")
        else:
            username = p.get("username")
            if p["role"] != "cashier" or not isinstance(username, str):
                raise Refused("invalid", "a node makes only cashier logins")
            if not username.endswith("." + self.outlet.code.lower()) or len(username) > 60:
                raise Refused("invalid", "a login made at an outlet ends with its outlet's code")
            if db.session.scalar(db.select(User.id).where(User.username == username)) is not None:
                raise Refused("record_exists", f"the username {username} is taken")
        self.documents.append(env)

    def node_restored(self, env: Envelope) -> None:
        """The node was restored from a backup and continues after central's sequence: kept in the trail."""
        p = env.payload
        instant(p.get("restored_at"), "restored_at")
        if not isinstance(p.get("restored_from"), str):
            raise Refused("invalid", "restored_from must be the backup's file name")
        for name in ("backup_seq", "central_seq"):
            if type(p.get(name)) is not int or p[name] < 0:
                raise Refused("invalid", f"{name} must be a whole number")
        self.documents.append(env)

    def outlet_settings(self, env: Envelope) -> None:
        """The manager's till settings: a static QRIS that parses, a rounding step, the blind count."""
        p = env.payload
        instant(p.get("updated_at"), "updated_at")
        if p.get("cash_rounding") not in ROUNDING_STEPS or type(p.get("cash_rounding")) is not int:
            raise Refused("invalid", "cash_rounding must be 0, 100 or 500")
        if type(p.get("show_expected_cash")) is not bool:
            raise Refused("invalid", "show_expected_cash must be true or false")
        code = p.get("qris_static")
        if code is not None:
            try:
                parsed = qris.parse(code) if isinstance(code, str) else None
            except qris.QrisError:
                parsed = None
            if parsed is None or parsed.is_dynamic:
                raise Refused("invalid", "qris_static must be a static QRIS code")
        for name, digits in (("npwp", (15, 16)), ("nitku", (22,))):
            value = p.get(name, "")
            if not isinstance(value, str) or (value and (not value.isdigit() or len(value) not in digits)):
                raise Refused("invalid", f"{name} must be empty or {' or '.join(map(str, digits))} digits")
        footer = p.get("receipt_footer", "")
        if not isinstance(footer, str) or len(footer) > 160:
            raise Refused("invalid", "receipt_footer must be a text of at most 160 characters")
        self.documents.append(env)

    def restock(self, env: Envelope) -> None:
        self._check_document(env)
        self.documents.append(env)

    def _check_document(self, env: Envelope) -> None:
        p = env.payload
        key = {"stock_count.confirmed": "count", "stock_return.sent": "return", "restock.requested": "request"}[
            env.type
        ]
        uuid_of(p.get(key), key)
        if not isinstance(p.get("number"), str) or not p["number"]:
            raise Refused("invalid", "the document needs its number")
        if env.type != "stock_count.confirmed":
            check_investor(p.get("investor"))
        lines = p.get("lines") or []
        if type(lines) is not list or len(lines) > 5000:
            raise Refused("invalid", "lines must be a list")
        for line in lines:
            if not isinstance(line, dict):
                raise Refused("invalid", "a line must be an object")
            if line.get("product") and uuid_of(line["product"], "product") not in self.refs.products:
                raise Refused("unknown_reference", "unknown product")
            if env.type == "restock.requested":
                whole_number(line.get("quantity"), "quantity", low=1, high=MAX_STEPS)
                if not line.get("product") and not text_of(line.get("description"), 160).strip():
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
                        whole_number(line.get(name), name, low=low, high=high)

    def shift_opened(self, env: Envelope) -> None:
        p = env.payload
        shift = uuid_of(p.get("uuid"), "uuid")
        cashier = uuid_of(p.get("cashier"), "cashier")
        if cashier not in self.refs.users:
            raise self.refs.missing("users", cashier, "cashier")
        self.shifts.append(
            {
                "uuid": shift,
                "register": text_of(p.get("register"), 20) or "?",
                "cashier_id": self.refs.users[cashier],
                "opened_at": instant(p.get("opened_at"), "opened_at"),
                "opening_float": whole_number(p.get("opening_float"), "opening_float", low=0),
            }
        )
        self.refs.shifts.setdefault(shift, -1)  # known for the sales later in this batch

    def shift_closed(self, env: Envelope) -> None:
        p = env.payload
        shift = uuid_of(p.get("uuid"), "uuid")
        if shift not in self.refs.shifts:
            raise self.refs.missing("shifts", shift, "shift")
        self.closes.append(
            {
                "uuid": shift,
                "closed_at": instant(p.get("closed_at"), "closed_at"),
                "expected_cash": whole_number(p.get("expected_cash"), "expected_cash"),
                "counted_cash": whole_number(p.get("counted_cash"), "counted_cash"),
            }
        )

    def cash_moved(self, env: Envelope) -> None:
        p = env.payload
        shift = uuid_of(p.get("shift"), "shift")
        if shift not in self.refs.shifts:
            raise self.refs.missing("shifts", shift, "shift")
        if p.get("kind") not in ("in", "out"):
            raise Refused("invalid", "kind must be in or out")
        self.cash.append(
            {
                "uuid": uuid_of(p.get("uuid"), "uuid"),
                "shift": shift,
                "kind": p["kind"],
                "amount": whole_number(p.get("amount"), "amount", low=0),
                "reason": text_of(p.get("reason"), 255),
                "created_at": instant(p.get("at"), "at"),
            }
        )


HANDLERS = {
    "sale.completed": Batch.sale,
    "sale.refund": Batch.sale,
    "sale.void": Batch.sale,
    "shift.opened": Batch.shift_opened,
    "shift.closed": Batch.shift_closed,
    "cash.moved": Batch.cash_moved,
    "delivery.received": Batch.stock,
    "stock_count.confirmed": Batch.stock,
    "stock_return.sent": Batch.stock,
    "stock.written_off": Batch.stock,
    "restock.requested": Batch.restock,
    "staff.saved": Batch.staff,
    "outlet.settings": Batch.outlet_settings,
    "node.restored": Batch.node_restored,
    "account.saved": Batch.account,
}
