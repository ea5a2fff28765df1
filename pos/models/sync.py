"""The outlet's outbox: every business write appends its events in the same transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pos.domain.ids import new_id
from pos.models.base import Base, born_uuid, intpk, utcnow


class OutboxEvent(Base):
    __tablename__ = "outbox_event"
    __table_args__ = (
        Index("uq_outbox_outlet_seq", "outlet_id", "seq", unique=True),
        Index("ix_outbox_pending", "sent_at", "quarantined_at", "seq"),
    )

    id: Mapped[intpk]
    uuid: Mapped[born_uuid] = mapped_column(default=new_id)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlet.id"))
    seq: Mapped[int] = mapped_column(BigInteger)
    event_type: Mapped[str] = mapped_column(String(40))
    schema_version: Mapped[int] = mapped_column(default=1)
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    quarantined_at: Mapped[datetime | None]
