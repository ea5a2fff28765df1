"""A node restored from a backup continues after what central already holds of its outlet.

Sales made after the backup may have reached central before the node's disk died. Their event sequence numbers
and receipt numbers are taken: central says the highest of each (``standing``), and the restored node's first
sync puts a ``node.restored`` event right after central's highest sequence number and moves its receipt
counters past central's, before the till may sell again (``selling_blocked``).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func

from pos.core import clock, upsert
from pos.core.clock import business_date
from pos.core.errors import PosError
from pos.domain.ids import new_id
from pos.extensions import db
from pos.models import OutboxEvent, Outlet, OutletSyncState, ReceiptSequence, Sale, SyncStatus
from pos.sync import events, outbox

RECEIPT_DAYS = 3  # receipt numbers are per business day: only the days a new sale may still fall on matter


def standing(outlet: Outlet) -> dict[str, Any]:
    """Central: the outlet's highest event sequence number, and its last receipt number on each recent day."""
    state = db.session.get(OutletSyncState, outlet.id)
    since = business_date(outlet.timezone) - timedelta(days=RECEIPT_DAYS - 1)
    last: dict[str, int] = {}
    for day, receipt in db.session.execute(
        db.select(Sale.business_date, Sale.receipt_no).where(Sale.outlet_id == outlet.id, Sale.business_date >= since)
    ):
        tail = receipt.rsplit("-", 1)[-1]
        if tail.isdigit():
            last[day.isoformat()] = max(last.get(day.isoformat(), 0), int(tail))
    return {"outlet": outlet.code, "max_seq": state.max_seq if state else 0, "receipts": last}


_blocked: bool | None = None


def selling_blocked() -> bool:
    """Whether this node was restored and has not yet heard central's standing (read once a process while it is
    not: the sale path pays nothing for it)."""
    global _blocked
    if _blocked is False:
        return False
    status = db.session.get(SyncStatus, 1)
    _blocked = status is not None and status.restored_at is not None
    return _blocked


def forget() -> None:
    """Read the restored mark again (a restore in this very process: the command line, tests)."""
    global _blocked
    _blocked = None


def refuse_while_restored() -> None:
    from flask_babel import gettext as _

    if selling_blocked():
        raise PosError(
            _(
                "This outlet server was restored from a backup. It sells again after its first sync with central "
                "(so that no receipt number is used twice)."
            ),
            409,
        )


def continue_after(answer: dict[str, Any], outlet: Outlet) -> int:
    """Node: take central's standing. Returns the sequence number the ``node.restored`` event took."""
    global _blocked
    status = db.session.get(SyncStatus, 1)
    if status is None or status.restored_at is None:
        return 0
    central_max = int(answer.get("max_seq") or 0)
    local_max = db.session.scalar(db.select(func.max(OutboxEvent.seq)).where(OutboxEvent.outlet_id == outlet.id)) or 0
    seq = max(central_max, local_max) + 1
    payload = {
        "restored_from": status.restored_from or "",
        "restored_at": status.restored_at.isoformat(),
        "backup_seq": local_max,
        "central_seq": central_max,
    }
    events.check("node.restored", payload)
    db.session.connection().execute(
        db.insert(OutboxEvent.__table__).values(
            uuid=new_id(),
            outlet_id=outlet.id,
            seq=seq,
            event_type="node.restored",
            schema_version=outbox.SCHEMA_VERSION,
            payload=json.dumps(payload, sort_keys=True, separators=(",", ":")),
            created_at=clock.now(),
            attempts=0,
        )
    )
    receipts = answer.get("receipts") or {}
    table = ReceiptSequence.__table__
    for day, number in receipts.items():
        stmt = upsert.insert(table).values(outlet_id=outlet.id, business_date=_day(day), last_no=int(number))
        db.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["outlet_id", "business_date"],
                set_={"last_no": upsert.greatest(table.c.last_no, stmt.excluded.last_no)},
            )
        )
    status.restored_at = None
    db.session.flush()
    _blocked = False
    return seq


def _day(text: str) -> date:
    return date.fromisoformat(text)
