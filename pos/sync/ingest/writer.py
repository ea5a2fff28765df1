"""The batch writer: the rows the handlers staged, stored in bulk in dependency order."""

from __future__ import annotations

import uuid
from collections import defaultdict

from pos.core import upsert
from pos.extensions import db
from pos.members import purchases
from pos.models import (
    CashMovement,
    Delivery,
    DeliveryStatus,
    Payment,
    Register,
    Sale,
    SaleLine,
    Shift,
    ShiftStatus,
    StockBalance,
    StockMovement,
)
from pos.reports import rollups
from pos.sync.ingest.batch import Batch
from pos.sync.ingest.bulk import LINE_COLUMNS, MOVE_COLUMNS, PAYMENT_COLUMNS, SALE_COLUMNS, bulk_insert, lookup
from pos.sync.ingest.documents import write_document


def write(batch: Batch) -> None:
    """Store the staged rows of every accepted event of the batch at once: shifts, sales with their lines and
    payments (and the rollups), stock movements and balances, delivery receipts, documents."""
    _shifts(batch)
    _sales(batch)
    _moves(batch)
    _receipts(batch)
    for env in batch.documents:
        write_document(batch.outlet, batch.refs, env)


def _shifts(batch: Batch) -> None:
    if batch.shifts:
        registers = _registers(batch, {row["register"] for row in batch.shifts})
        rows = [
            {
                "uuid": uuid.UUID(row["uuid"]),
                "outlet_id": batch.outlet.id,
                "register_id": registers[row["register"]],
                "cashier_id": row["cashier_id"],
                "status": ShiftStatus.OPEN.value,
                "opened_at": row["opened_at"],
                "opening_float": row["opening_float"],
                "closing_note": "",
            }
            for row in batch.shifts
        ]
        db.session.execute(upsert.insert(Shift).on_conflict_do_nothing(index_elements=["outlet_id", "uuid"]), rows)
        batch.refs.shifts.update(lookup(Shift, {row["uuid"] for row in batch.shifts}, batch.outlet.id))
    for row in batch.closes:
        db.session.execute(
            db.update(Shift)
            .where(Shift.outlet_id == batch.outlet.id, Shift.uuid == uuid.UUID(row["uuid"]))
            .values(
                status=ShiftStatus.CLOSED.value,
                closed_at=row["closed_at"],
                expected_cash=row["expected_cash"],
                counted_cash=row["counted_cash"],
            )
        )
    if batch.cash:
        shift_ids = batch.refs.shifts
        cashier = dict(
            db.session.execute(
                db.select(Shift.id, Shift.cashier_id).where(
                    Shift.outlet_id == batch.outlet.id, Shift.id.in_([shift_ids[r["shift"]] for r in batch.cash])
                )
            ).all()
        )
        rows = [
            {
                "uuid": uuid.UUID(r["uuid"]),
                "outlet_id": batch.outlet.id,
                "shift_id": shift_ids[r["shift"]],
                "kind": r["kind"],
                "amount": r["amount"],
                "reason": r["reason"],
                "user_id": cashier[shift_ids[r["shift"]]],
                "created_at": r["created_at"],
            }
            for r in batch.cash
        ]
        db.session.execute(
            upsert.insert(CashMovement).on_conflict_do_nothing(index_elements=["outlet_id", "uuid"]), rows
        )


def _registers(batch: Batch, codes: set[str]) -> dict[str, int]:
    found = dict(
        db.session.execute(
            db.select(Register.code, Register.id).where(Register.outlet_id == batch.outlet.id, Register.code.in_(codes))
        ).all()
    )
    for code in codes - set(found):
        register = Register(outlet_id=batch.outlet.id, code=code, name=code)
        db.session.add(register)
        db.session.flush()
        found[code] = register.id
    return found


def _sales(batch: Batch) -> None:
    if not batch.sales:
        return
    # Sales before refunds: a refund may refer to a sale (and its lines) of this same batch.
    for phase in (("sale",), ("refund", "void")):
        rows = [row for row in batch.sales if row["kind"] in phase]
        if not rows:
            continue
        if phase[0] != "sale":
            batch.refs.sales.update(lookup(Sale, {r["_original"] for r in rows}, batch.outlet.id))
            wanted = {ln["_original_line"] for ln in batch.lines if ln["_original_line"] is not None}
            batch.refs.lines.update(lookup(SaleLine, wanted, batch.outlet.id))
        shifts, sales = batch.refs.shifts, batch.refs.sales
        for row in rows:
            row["shift_id"] = shifts[row["_shift"]]
            row["original_id"] = sales[row["_original"]] if row["_original"] else None
        ids = dict(
            zip(
                (row["uuid"] for row in rows),
                bulk_insert(Sale, SALE_COLUMNS, [tuple(row[c] for c in SALE_COLUMNS) for row in rows], ids=True),
                strict=True,
            )
        )
        lines = []
        for line in batch.lines:
            sale_id = ids.get(line["_sale"])
            if sale_id is not None:
                original = line["_original_line"]
                line["original_line_id"] = batch.refs.lines.get(original) if original else None
                line["sale_id"] = sale_id
                line["outlet_id"] = batch.outlet.id
                lines.append(tuple(line[c] for c in LINE_COLUMNS))
        bulk_insert(SaleLine, LINE_COLUMNS, lines)
        bulk_insert(
            Payment,
            PAYMENT_COLUMNS,
            [(pay[0], batch.outlet.id, ids[pay[1]], *pay[2:]) for pay in batch.payments if pay[1] in ids],
        )
    _rollups(batch)


def _rollups(batch: Batch) -> None:
    day_of = {row["uuid"]: row["business_date"] for row in batch.sales}
    for line in batch.lines:
        line["day"] = day_of[line["_sale"]]
    rollups.add(batch.outlet.id, batch.sales, batch.lines)
    purchases.add(batch.outlet.id, batch.sales)


def _moves(batch: Batch) -> None:
    if not batch.moves:
        return
    bulk_insert(StockMovement, MOVE_COLUMNS, batch.moves)
    totals: dict[int, int] = defaultdict(int)
    for move in batch.moves:
        totals[move[2]] += move[4]
    rollups.accumulate(
        StockBalance,
        ["outlet_id", "product_id"],
        ("quantity",),
        [
            {"outlet_id": batch.outlet.id, "product_id": pid, "quantity": qty, "needs_count": False}
            for pid, qty in sorted(totals.items())
        ],
    )


def _receipts(batch: Batch) -> None:
    for receipt in batch.receipts:
        delivery = db.session.scalar(
            db.select(Delivery).where(
                Delivery.outlet_id == batch.outlet.id, Delivery.uuid == uuid.UUID(receipt["delivery"])
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
