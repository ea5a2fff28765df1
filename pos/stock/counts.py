"""Stock counts (stock opname): count what is on the shelf; differences become adjustments."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, update

from pos.core import audit, clock
from pos.core.clock import business_date
from pos.core.errors import Conflict, PosError
from pos.core.numbers import next_number
from pos.domain.quantity import MAX_STEPS
from pos.domain.stock import count_adjustment
from pos.extensions import db
from pos.models import (
    CountStatus,
    MovementKind,
    Outlet,
    Product,
    StockBalance,
    StockCount,
    StockCountLine,
    User,
)
from pos.partnership import supply
from pos.stock import ledger, products
from pos.sync import outbox

MAX_LINES = 50_000


def start(
    outlet: Outlet,
    user: User,
    *,
    investor_id: int | None = None,
    category_id: int | None = None,
    flagged_only: bool = False,
    reason: str = "",
    scope_label: str = "",
) -> StockCount:
    """Open a count over the outlet's products (all, one investor's, one category's or those flagged)."""
    investors = supply.investor_ids_of(outlet.id)
    if investor_id is not None:
        if investor_id not in investors:
            raise PosError(_("That investor does not supply this outlet."), 404)
        investors = {investor_id}
    query = db.select(Product.id, Product.investor_id).where(
        Product.investor_id.in_(investors), Product.active.is_(True)
    )
    if category_id is not None:
        query = query.where(Product.category_id == category_id)
    if flagged_only:
        query = query.join(
            StockBalance, (StockBalance.product_id == Product.id) & (StockBalance.outlet_id == outlet.id)
        ).where(StockBalance.needs_count.is_(True))
    rows = db.session.execute(query.limit(MAX_LINES + 1)).all()
    if not rows:
        raise PosError(_("No products match: nothing to count."))
    if len(rows) > MAX_LINES:
        raise PosError(_("Too many products for one count: choose an investor or a category."))
    count = StockCount(
        number=next_number(StockCount, "OPN", outlet.code, business_date(outlet.timezone), outlet.id),
        outlet_id=outlet.id,
        reason=reason,
        scope_label=scope_label,
        started_by_id=user.id,
    )
    db.session.add(count)
    db.session.flush()
    db.session.execute(
        db.insert(StockCountLine),
        [
            {"outlet_id": outlet.id, "count_id": count.id, "product_id": pid, "investor_id": inv, "note": ""}
            for pid, inv in rows
        ],
    )
    audit.record("stock_count", count.uuid, "started", user, scope_label)
    return count


def _require_open(count: StockCount) -> None:
    if count.status == CountStatus.CONFIRMED:
        raise Conflict(_("Count %(number)s is already confirmed.", number=count.number))
    if count.status != CountStatus.OPEN:
        raise Conflict(_("Count %(number)s was cancelled.", number=count.number))


def line_for(count: StockCount, product_id: int) -> StockCountLine | None:
    return db.session.scalar(
        db.select(StockCountLine).where(
            StockCountLine.outlet_id == count.outlet_id,
            StockCountLine.count_id == count.id,
            StockCountLine.product_id == product_id,
        )
    )


def record(count: StockCount, line: StockCountLine, counted: int | None, note: str = "") -> None:
    _require_open(count)
    if counted is not None and not 0 <= counted <= MAX_STEPS:
        raise PosError(_("A counted quantity must be zero or more."))
    line.counted = counted
    line.note = note[:255]


def progress(count: StockCount) -> tuple[int, int]:
    counted, total = db.session.execute(
        db.select(func.count(StockCountLine.counted), func.count(StockCountLine.id)).where(
            StockCountLine.outlet_id == count.outlet_id, StockCountLine.count_id == count.id
        )
    ).one()
    return counted, total


def confirm(count: StockCount, user: User) -> int:
    """Turn every counted line's difference into an adjustment; uncounted lines change nothing."""
    _require_open(count)
    lines = list(
        db.session.scalars(
            db.select(StockCountLine).where(
                StockCountLine.outlet_id == count.outlet_id,
                StockCountLine.count_id == count.id,
                StockCountLine.counted.is_not(None),
            )
        )
    )
    if not lines:
        raise PosError(_("Nothing has been counted yet."))
    on_hand = ledger.on_hand_many(count.outlet_id, [line.product_id for line in lines])
    prices = products.prices_now(ln.product_id for ln in lines)
    moves: dict[int, int] = {}
    for line in lines:
        expected = on_hand.get(line.product_id, 0)
        line.expected = expected
        line.unit_price = prices[line.product_id]
        delta = count_adjustment(line.counted or 0, expected)
        if delta:
            moves[line.product_id] = delta
    movements = []
    if moves:
        movements = ledger.post_many(
            count.outlet_id,
            moves,
            MovementKind.ADJUST,
            user_id=user.id,
            document_type="stock_count",
            document_uuid=count.uuid,
            note=f"{count.number} {count.reason}".strip()[:255],
        )
    db.session.execute(
        update(StockBalance)
        .where(
            StockBalance.outlet_id == count.outlet_id,
            StockBalance.product_id.in_([line.product_id for line in lines]),
        )
        .values(needs_count=False)
    )
    count.status = CountStatus.CONFIRMED
    count.confirmed_at = clock.now()
    count.confirmed_by_id = user.id
    outbox.append(
        count.outlet_id,
        "stock_count.confirmed",
        {
            "count": str(count.uuid),
            "number": count.number,
            "confirmed_by": str(user.uuid),
            "confirmed_at": count.confirmed_at.isoformat(),
            "started_at": count.started_at.isoformat(),
            "scope": count.scope_label,
            "reason": count.reason,
            "lines": _line_payload(lines),
            "movements": ledger.describe(movements),
        },
    )
    audit.record("stock_count", count.uuid, "confirmed", user, str(len(moves)))
    return len(moves)


def _line_payload(lines: list[StockCountLine]) -> list[dict[str, object]]:
    uuids = dict(
        db.session.execute(
            db.select(Product.id, Product.uuid).where(Product.id.in_([line.product_id for line in lines]))
        ).all()
    )
    return [
        {
            "product": str(uuids[line.product_id]),
            "counted": line.counted,
            "expected": line.expected,
            "unit_price": line.unit_price,
            "note": line.note,
        }
        for line in lines
    ]


def cancel(count: StockCount, user: User) -> None:
    _require_open(count)
    count.status = CountStatus.CANCELLED
    audit.record("stock_count", count.uuid, "cancelled", user)
