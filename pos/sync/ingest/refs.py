"""What the events of a batch refer to, looked up once per batch and within the pushing outlet."""

from __future__ import annotations

import contextlib
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func

from pos.domain.sync import Envelope
from pos.extensions import db
from pos.models import (
    Investor,
    Member,
    Product,
    SaleLine,
    User,
)
from pos.stock import products
from pos.sync.events import SALE_TYPES
from pos.sync.ingest.bulk import lookup
from pos.sync.ingest.values import Refused, uuid_of


def elsewhere(wanted: dict[str, set[str]], refs: Refs) -> set[str]:
    """Cashiers named by UUID that are another outlet's users. Users are a reference table, unique by UUID across
    the programme; an outlet's own records (shifts, sales, lines, documents) are only ever looked for within the
    pushing outlet, so another outlet's are simply not there (``unknown_reference``)."""
    return set(lookup(User, wanted["users"] - set(refs.users)))


def members_of(cooperative_id: int, keys: set[str]) -> tuple[dict[str, int], set[str]]:
    """The members named, of this cooperative (UUID text → id), and those that are another cooperative's."""
    if not keys:
        return {}, set()
    found: dict[str, int] = {}
    foreign: set[str] = set()
    wanted = [uuid.UUID(key) for key in keys]
    for start in range(0, len(wanted), 5000):
        query = db.select(Member.uuid, Member.id, Member.cooperative_id).where(
            Member.uuid.in_(wanted[start : start + 5000])
        )
        for key, pk, cooperative in db.session.execute(query):
            if cooperative == cooperative_id:
                found[str(key)] = pk
            else:
                foreign.add(str(key))
    return found, foreign


def check_investor(value: Any) -> None:
    key = uuid.UUID(uuid_of(value, "investor"))
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


def product_facts(ids: Iterable[int]) -> dict[int, tuple[int, int, int]]:
    wanted = sorted(set(ids))
    out: dict[int, tuple[int, int, int]] = {}
    prices = products.prices_now(wanted)
    for start in range(0, len(wanted), 5000):
        query = db.select(Product.id, Product.investor_id, Product.category_id).where(
            Product.id.in_(wanted[start : start + 5000])
        )
        out.update((pid, (investor, category, prices[pid])) for pid, investor, category in db.session.execute(query))
    return out


def line_facts(outlet_id: int, lines: dict[str, int]) -> dict[str, LineFacts]:
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
            ).where(SaleLine.outlet_id == outlet_id, SaleLine.id.in_(chunk))
        ):
            out[by_id[row[0]]] = LineFacts(*row[1:], refunded=0)
        for original, quantity in db.session.execute(
            db.select(SaleLine.original_line_id, func.sum(SaleLine.quantity))
            .where(SaleLine.outlet_id == outlet_id, SaleLine.original_line_id.in_(chunk))
            .group_by(SaleLine.original_line_id)
        ):
            refunded[original] = -int(quantity)
    for pk, key in by_id.items():
        if key in out:
            out[key].refunded = refunded.get(pk, 0)
    return out


@dataclass
class Refs:
    """UUID (canonical text) → id maps for the records a batch refers to, loaded with one query per kind."""

    products: dict[str, int] = field(default_factory=dict)
    investors: dict[str, int] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    shifts: dict[str, int] = field(default_factory=dict)
    sales: dict[str, int] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    elsewhere: set[str] = field(default_factory=set)  # another outlet's users
    product_facts: dict[int, tuple[int, int, int]] = field(default_factory=dict)  # id -> (investor, category, price)
    line_facts: dict[str, LineFacts] = field(default_factory=dict)  # refunded lines, by UUID
    members: dict[str, int] = field(default_factory=dict)  # of the pushing outlet's cooperative
    foreign_members: set[str] = field(default_factory=set)  # another cooperative's

    def missing(self, kind: str, key: str, what: str) -> Refused:
        if key in self.elsewhere:
            return Refused("foreign_reference", f"the {what} belongs to another outlet")
        return Refused("unknown_reference", f"the {what} has not been received")


def collect(envelopes: Iterable[Envelope]) -> dict[str, set[str]]:
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
            add("members", p.get("member"))
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
                wanted[kind].add(uuid_of(value, kind))
    return wanted
