"""The outlet's outbox: every business write appends its events in the same transaction."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from pos.core import clock
from pos.domain.ids import new_id
from pos.models.base import Base, BigId, OutletRow, intpk, outlet_unique


class OutboxEvent(OutletRow, Base):
    __tablename__ = "outbox_event"
    __table_args__ = (
        Index("uq_outbox_outlet_seq", "outlet_id", "seq", unique=True),
        Index("ix_outbox_pending", "sent_at", "quarantined_at", "seq"),
        outlet_unique("uuid"),
    )

    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, default=new_id)
    seq: Mapped[int] = mapped_column(BigInteger)
    event_type: Mapped[str] = mapped_column(String(40))
    schema_version: Mapped[int] = mapped_column(default=1)
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    quarantined_at: Mapped[datetime | None]


class OutletToken(Base):
    """An outlet's API token on central: shown once, stored as a SHA-256 digest."""

    __tablename__ = "outlet_token"

    id: Mapped[intpk]
    outlet_id: Mapped[int] = mapped_column(BigId, ForeignKey("outlet.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("app_user.id"))
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class SyncEvent(OutletRow, Base):
    """Central's log of every event an outlet pushed, stored once by its id within its outlet."""

    __tablename__ = "sync_event"
    __table_args__ = (Index("uq_sync_event_outlet_seq", "outlet_id", "seq", unique=True), outlet_unique("uuid"))

    uuid: Mapped[uuid.UUID] = mapped_column(Uuid)
    seq: Mapped[int] = mapped_column(BigInteger)
    event_type: Mapped[str] = mapped_column(String(40))
    schema_version: Mapped[int]
    body_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=clock.now)


class SyncConflict(OutletRow, Base):
    """An event refused by central: same id with another body, or content central cannot accept."""

    __tablename__ = "sync_conflict"
    __table_args__ = (Index("ix_sync_conflict_outlet_id", "outlet_id"),)

    event_uuid: Mapped[uuid.UUID] = mapped_column(Uuid)
    seq: Mapped[int | None] = mapped_column(BigInteger)
    event_type: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=clock.now)
    resolved_at: Mapped[datetime | None]


class OutletSyncState(Base):
    """Per outlet on central: when it was last seen and how complete its event sequence is."""

    __tablename__ = "outlet_sync_state"
    __table_args__ = (Index("ix_outlet_sync_state_last_seen_at", "last_seen_at"),)

    outlet_id: Mapped[int] = mapped_column(BigId, ForeignKey("outlet.id"), primary_key=True)
    last_seen_at: Mapped[datetime | None]
    last_event_at: Mapped[datetime | None]
    received: Mapped[int] = mapped_column(BigInteger, default=0)
    max_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    conflicts: Mapped[int] = mapped_column(default=0)
    # events received again after they were stored: the outlet never got (or never recorded) the answer
    resent: Mapped[int] = mapped_column(BigInteger, default=0)
    # sold lines at another unit price than central's current one: legitimate offline, but worth a look
    price_differs: Mapped[int] = mapped_column(BigInteger, default=0)
    pull_cursor: Mapped[int] = mapped_column(BigInteger, default=0)
    events_day: Mapped[date | None] = mapped_column(Date)  # central's local day the counter below is for
    events_today: Mapped[int] = mapped_column(BigInteger, default=0)

    def received_on(self, day: date) -> int:
        return self.events_today if self.events_day == day else 0

    @property
    def gaps(self) -> int:
        return max(0, self.max_seq - self.received)


class SyncChange(Base):
    """Central → outlet change feed: one row per write to a record outlets receive."""

    __tablename__ = "sync_change"
    __table_args__ = (Index("ix_sync_change_entity", "entity", "entity_uuid"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    entity: Mapped[str] = mapped_column(String(30))
    entity_uuid: Mapped[uuid.UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class SyncStatus(Base):
    """The outlet node's own view of its sync: the pull cursor and the last attempt's outcome."""

    __tablename__ = "sync_status"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, default=1)
    pull_cursor: Mapped[int] = mapped_column(BigInteger, default=0)
    last_attempt_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    failures: Mapped[int] = mapped_column(default=0)
    # Set by `kmp-pos restore`: until central has said how far it got (sequence, receipt numbers), the node
    # does not sell, so that nothing it makes reuses a number central already holds.
    restored_at: Mapped[datetime | None]
    restored_from: Mapped[str | None] = mapped_column(String(255))
