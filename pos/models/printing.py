"""The outlet node's print queue: each receipt, refund slip or Z report sent to a register's printer."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pos.core import clock
from pos.domain.ids import new_id
from pos.models.base import Base, BigId, OutletRow, outlet_unique, str_enum
from pos.models.sales import Register


class PrintKind(enum.StrEnum):
    RECEIPT = "receipt"  # a sale's receipt, or a refund's or void's slip
    Z_REPORT = "z_report"
    TEST = "test"


class PrintStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    PRINTED = "printed"
    FAILED = "failed"


class PrintJob(OutletRow, Base):
    """One document to print. A reprint is a new job; a job is only ever moved on from queued to printed or
    failed. Jobs stay on the node (printing is the node's own business) and are not synced."""

    __tablename__ = "print_job"
    __table_args__ = (
        outlet_unique("uuid"),
        Index("ix_print_job_due", "status", "next_try_at"),
        Index("ix_print_job_subject", "outlet_id", "subject_uuid"),
    )

    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, default=new_id)
    register_id: Mapped[int] = mapped_column(BigId, ForeignKey("register.id"))
    kind: Mapped[PrintKind] = mapped_column(str_enum(PrintKind))
    subject_uuid: Mapped[uuid.UUID] = mapped_column(Uuid)  # the sale or the shift
    open_drawer: Mapped[bool] = mapped_column(default=False)
    link: Mapped[str] = mapped_column(String(200), default="")  # the customer's receipt link, for its QR code
    status: Mapped[PrintStatus] = mapped_column(str_enum(PrintStatus), default=PrintStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    next_try_at: Mapped[datetime] = mapped_column(default=clock.now)
    printed_at: Mapped[datetime | None]

    register: Mapped[Register] = relationship()
