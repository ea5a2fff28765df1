"""The append-only audit trail of agreements and statements."""

from __future__ import annotations

import uuid

from pos.extensions import db
from pos.models import AuditEvent, User


def record(subject_type: str, subject_uuid: uuid.UUID, action: str, user: User | None, detail: str = "") -> None:
    db.session.add(
        AuditEvent(
            subject_type=subject_type,
            subject_uuid=subject_uuid,
            action=action,
            detail=detail[:2000],
            user_id=user.id if user else None,
        )
    )


def trail(subject_type: str, subject_uuid: uuid.UUID) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            db.select(AuditEvent)
            .where(AuditEvent.subject_type == subject_type, AuditEvent.subject_uuid == subject_uuid)
            .order_by(AuditEvent.id)
        )
    )
