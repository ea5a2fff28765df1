"""The outlet node's print queue: a register that prints through the node gets a job with each sale, refund,
void and Z report, in the sale's own transaction; a thread of the node's sends it once that is committed.

A sale is complete and shown whatever the printer does: the request only writes the job. The thread tries a job
four times (at once, then after 2, 5 and 15 seconds), each step bounded by a few seconds' timeout; a job it could
not print is marked failed with the reason, and the receipt screen offers "Cetak ulang" (a new job). A job still
waiting ten minutes after it was made is not printed any more (nobody is waiting at the till for it), nor is one
that was being sent when the node stopped (it may have printed).
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from datetime import timedelta
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from pos.core import clock
from pos.domain.slip import Slip
from pos.extensions import db
from pos.models import PrintJob, PrintKind, PrintStatus, Register, Sale, Shift
from pos.receipts import connections, documents, links
from pos.receipts.escpos import encode

log = logging.getLogger(__name__)

RETRY_AFTER_S = (2, 5, 15)  # the waits before the second, third and fourth try
GIVE_UP_AFTER = timedelta(minutes=10)
IDLE_S = 30.0


def prints_on_node(register: Register | None) -> bool:
    return register is not None and register.print_via == "node" and bool(register.printer_address)


def enqueue(
    register: Register, kind: PrintKind, subject: uuid.UUID, *, link: str = "", open_drawer: bool = False
) -> PrintJob | None:
    """A job for the register's printer on the node (none for a register that prints otherwise); flushed."""
    if not prints_on_node(register):
        return None
    job = PrintJob(
        outlet_id=register.outlet_id,
        register_id=register.id,
        kind=kind,
        subject_uuid=subject,
        link=link[:200],
        open_drawer=open_drawer,
    )
    db.session.add(job)
    db.session.flush()
    return job


def print_sale(register: Register, sale: uuid.UUID, token: str | None, *, cash: bool) -> PrintJob | None:
    """The receipt (or refund or void slip) of a sale just written, for a register printing on the node; the
    drawer opens when cash moved and the register has one."""
    if not prints_on_node(register):
        return None
    return enqueue(register, PrintKind.RECEIPT, sale, link=links.receipt_link(token), open_drawer=cash)


def latest(outlet_id: int, subject: uuid.UUID) -> PrintJob | None:
    return db.session.scalar(
        db.select(PrintJob)
        .where(PrintJob.outlet_id == outlet_id, PrintJob.subject_uuid == subject)
        .order_by(PrintJob.id.desc())
        .limit(1)
    )


def slip_of(job: PrintJob) -> Slip:
    """What the job prints, read again from the records it names."""
    if job.kind == PrintKind.RECEIPT:
        sale = db.session.scalar(db.select(Sale).where(Sale.outlet_id == job.outlet_id, Sale.uuid == job.subject_uuid))
        if sale is None:
            raise LookupError("sale")
        return documents.receipt(sale, job.link or None)
    if job.kind == PrintKind.Z_REPORT:
        from pos.cashier import shifts

        shift = db.session.scalar(
            db.select(Shift).where(Shift.outlet_id == job.outlet_id, Shift.uuid == job.subject_uuid)
        )
        if shift is None:
            raise LookupError("shift")
        return documents.z_report(shifts.z_report(shift))
    return documents.test_page(job.register.name, job.register.chars_per_line)


def bytes_for(register: Register, slip: Slip, *, open_drawer: bool = False) -> bytes:
    return encode(
        slip,
        register.chars_per_line,
        paper_mm=register.paper_mm,
        cut=register.printer_cut,
        open_drawer=open_drawer and register.drawer_kick,
    )


def _claim(job_id: int, outlet_id: int) -> bool:
    taken = db.session.execute(
        update(PrintJob)
        .where(PrintJob.id == job_id, PrintJob.outlet_id == outlet_id, PrintJob.status == PrintStatus.QUEUED)
        .values(status=PrintStatus.SENDING, attempts=PrintJob.attempts + 1)
    )
    db.session.commit()
    return bool(taken.rowcount)


def _finish(job: PrintJob, error: str | None) -> None:
    now = clock.now()
    if error is None:
        job.status, job.printed_at, job.error = PrintStatus.PRINTED, now, ""
    elif job.attempts <= len(RETRY_AFTER_S) and now - job.created_at < GIVE_UP_AFTER:
        job.status, job.error = PrintStatus.QUEUED, error[:255]
        job.next_try_at = now + timedelta(seconds=RETRY_AFTER_S[job.attempts - 1])
    else:
        job.status, job.error = PrintStatus.FAILED, error[:255]
    db.session.commit()


def run_due() -> float:
    """Send every job that is due; the seconds until the next one is (``IDLE_S`` when none waits)."""
    now = clock.now()
    db.session.execute(  # jobs nobody waits for any more
        update(PrintJob)
        .where(PrintJob.status == PrintStatus.QUEUED, PrintJob.created_at < now - GIVE_UP_AFTER)
        .values(status=PrintStatus.FAILED, error="not printed in time")
    )
    db.session.commit()
    due = db.session.execute(
        db.select(PrintJob.id, PrintJob.outlet_id)
        .where(PrintJob.status == PrintStatus.QUEUED, PrintJob.next_try_at <= now)
        .order_by(PrintJob.id)
    ).all()
    for job_id, outlet_id in due:
        if not _claim(job_id, outlet_id):
            continue  # another worker process took it
        job = db.session.get(PrintJob, (job_id, outlet_id))
        assert job is not None
        register = job.register
        try:
            address = connections.parse_address(register.printer_kind, register.printer_address)
            data = bytes_for(register, slip_of(job), open_drawer=job.open_drawer)
            connections.send(address, data)
            error = None
        except connections.PrinterUnavailable as exc:
            error = str(exc) or "printer unavailable"
        except (ValueError, LookupError) as exc:
            error = f"cannot print: {exc}"
        _finish(job, error)
    waiting = db.session.scalar(
        db.select(db.func.min(PrintJob.next_try_at)).where(PrintJob.status == PrintStatus.QUEUED)
    )
    db.session.commit()
    if waiting is None:
        return IDLE_S
    return max(0.05, min(IDLE_S, (waiting - clock.now()).total_seconds()))


def interrupted() -> None:
    """Jobs a stopped node was sending: they may have printed, so they are failed for a person to reprint."""
    db.session.execute(
        update(PrintJob)
        .where(PrintJob.status == PrintStatus.SENDING)
        .values(status=PrintStatus.FAILED, error="interrupted: the node stopped while printing")
    )
    db.session.commit()


class Spooler:
    """The thread that prints, one a process, started by the first job committed in it."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.wanted = threading.Event()
        self.halt = threading.Event()
        self.thread: threading.Thread | None = None
        self.pid = 0
        self.lock = threading.Lock()

    def wake(self) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive() or self.pid != os.getpid():
                self.halt.clear()
                self.pid = os.getpid()
                self.thread = threading.Thread(target=self._loop, name="kmp-print", daemon=True)
                self.thread.start()
        self.wanted.set()

    def stop(self) -> None:
        self.halt.set()
        self.wanted.set()
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(timeout=10)
        self.thread = None

    def _loop(self) -> None:
        wait = 0.0
        while not self.halt.is_set():
            self.wanted.wait(wait)
            self.wanted.clear()
            if self.halt.is_set():
                break
            with self.app.app_context():
                try:
                    wait = run_due()
                except Exception:  # the database busy or gone: the thread keeps serving
                    log.exception("printing failed")
                    db.session.rollback()
                    wait = 5.0
                finally:
                    db.session.remove()


def spooler(app: Flask) -> Spooler:
    found = app.extensions.get("pos_spooler")
    if found is None:
        found = app.extensions["pos_spooler"] = Spooler(app)
    return found  # type: ignore[no-any-return]


def stop(app: Flask) -> None:
    found = app.extensions.get("pos_spooler")
    if found is not None:
        found.stop()


@event.listens_for(Session, "after_flush")
def _note_jobs(session: Session, _context: Any) -> None:
    if any(isinstance(obj, PrintJob) for obj in session.new):
        session.info["pos_print"] = True


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    if session.info.pop("pos_print", False) and has_app_context():
        spooler(current_app._get_current_object()).wake()  # type: ignore[attr-defined]


@event.listens_for(Session, "after_rollback")
def _forget_jobs(session: Session) -> None:
    session.info.pop("pos_print", None)
