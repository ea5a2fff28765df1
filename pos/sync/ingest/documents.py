"""Outlet documents the other side acts on (counts, returns, restock requests, staff) and the users an
outlet creates."""

from __future__ import annotations

import uuid
from typing import Any

from pos.core import clock
from pos.domain.sync import Envelope
from pos.extensions import db
from pos.models import (
    Investor,
    Outlet,
    Product,
    Role,
    User,
)
from pos.sync.ingest.refs import Refs
from pos.sync.ingest.values import Refused, instant, text_of, uuid_of


def _free_number(model: Any, outlet: Outlet, number: str, key: uuid.UUID) -> str:
    """Document numbers are unique within an outlet; a reinstalled outlet node may reuse one, so the later copy
    is marked."""
    if db.session.scalar(db.select(model.id).where(model.outlet_id == outlet.id, model.number == number)) is None:
        return number
    return f"{number}-{key.hex[:6]}"


def _held(model: Any, outlet: Outlet, key: uuid.UUID) -> bool:
    """Whether the outlet's document with this UUID is stored already (an event sent again)."""
    return db.session.scalar(db.select(model.id).where(model.outlet_id == outlet.id, model.uuid == key)) is not None


def write_document(outlet: Outlet, refs: Refs, env: Envelope) -> None:
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
    if env.type == "outlet.settings":
        from pos.cashier import settings

        settings.apply(outlet, p)
        return
    if env.type == "account.saved":
        from pos.staff import logins

        logins.apply(outlet, p)
        return
    if env.type == "node.restored":
        from pos.core import audit

        detail = f"{str(p['restored_from'])[:200]}: backup at #{p['backup_seq']}, central at #{p['central_seq']}"
        audit.record("outlet", outlet.uuid, "node_restored", None, detail)
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
        if _held(StockCount, outlet, key):
            return
        confirmed_at = instant(p.get("confirmed_at"), "confirmed_at")
        count = StockCount(
            uuid=key,
            number=_free_number(StockCount, outlet, p["number"][:60], key),
            outlet_id=outlet.id,
            status=CountStatus.CONFIRMED,
            scope_label=text_of(p.get("scope"), 160),
            reason=text_of(p.get("reason"), 255),
            started_at=instant(p.get("started_at") or p.get("confirmed_at"), "started_at"),
            confirmed_at=confirmed_at,
            confirmed_by_id=refs.users.get(uuid_of(p["confirmed_by"], "confirmed_by"))
            if p.get("confirmed_by")
            else None,
        )
        db.session.add(count)
        db.session.flush()
        for line in p.get("lines") or []:
            pid, investor = products[uuid.UUID(line["product"])]
            db.session.add(
                StockCountLine(
                    outlet_id=outlet.id,
                    count_id=count.id,
                    product_id=pid,
                    investor_id=investor,
                    counted=line.get("counted"),
                    expected=line.get("expected"),
                    unit_price=line.get("unit_price"),
                    note=text_of(line.get("note"), 255),
                )
            )
    elif env.type == "stock_return.sent":
        key = uuid.UUID(p["return"])
        if _held(StockReturn, outlet, key):
            return
        reason = p.get("reason") if p.get("reason") in set(ReturnReason) else ReturnReason.UNSOLD.value
        document = StockReturn(
            uuid=key,
            number=_free_number(StockReturn, outlet, p["number"][:60], key),
            outlet_id=outlet.id,
            investor_id=db.session.scalar(db.select(Investor.id).where(Investor.uuid == uuid.UUID(p["investor"]))),
            reason=ReturnReason(reason),
            note=text_of(p.get("note"), 2000),
            sent_at=instant(p.get("sent_at"), "sent_at") if p.get("sent_at") else clock.now(),
            sent_by_id=refs.users.get(uuid_of(p["sent_by"], "sent_by")) if p.get("sent_by") else None,
        )
        for move in p.get("movements") or []:
            pid, _investor = products[uuid.UUID(move["product"])]
            document.lines.append(StockReturnLine(product_id=pid, quantity=-int(move["quantity"])))
        db.session.add(document)
    elif env.type == "restock.requested":
        key = uuid.UUID(p["request"])
        if _held(RestockRequest, outlet, key):
            return
        request = RestockRequest(
            uuid=key,
            number=_free_number(RestockRequest, outlet, p["number"][:60], key),
            outlet_id=outlet.id,
            investor_id=db.session.scalar(db.select(Investor.id).where(Investor.uuid == uuid.UUID(p["investor"]))),
            note=text_of(p.get("note"), 2000),
            requested_at=instant(p.get("requested_at"), "requested_at") if p.get("requested_at") else clock.now(),
            requested_by_id=refs.users.get(uuid_of(p["requested_by"], "requested_by"))
            if p.get("requested_by")
            else None,
        )
        for line in p.get("lines") or []:
            product = products.get(uuid.UUID(line["product"])) if line.get("product") else None
            request.lines.append(
                RestockLine(
                    product_id=product[0] if product else None,
                    description=text_of(line.get("description"), 160),
                    quantity=int(line["quantity"]),
                )
            )
        db.session.add(request)
    db.session.flush()


def stub_users(outlet: Outlet, envelopes: list[Envelope], refs: Refs) -> None:
    """Staff created at the outlet (not on central) become login-less user records on central, named by their
    whole UUID (two made within the same minute share a UUIDv7's first digits)."""
    known = refs.users
    for env in envelopes:
        if env.type != "shift.opened":
            continue
        try:
            cashier = uuid_of(env.payload.get("cashier"), "cashier")
        except Refused:
            continue
        if cashier in known or cashier in refs.elsewhere:
            continue
        name = text_of(env.payload.get("cashier_name"), 120) or f"Kasir {str(cashier)[:8]}"
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
