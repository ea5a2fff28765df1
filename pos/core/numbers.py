"""Human document numbers: PREFIX-PARTY-YYYYMMDD-NNN, counted per outlet and day, unique within the outlet."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func

from pos.extensions import db


def next_number(model: Any, prefix: str, party: str, day: date, outlet_id: int) -> str:
    """``party`` names the outlet (and, for goods an investor sends, the investor first)."""
    stem = f"{prefix}-{party}-{day:%Y%m%d}-"
    used = (
        db.session.scalar(
            db.select(func.count())
            .select_from(model)
            .where(model.outlet_id == outlet_id, model.number.like(f"{stem}%"))
        )
        or 0
    )
    return f"{stem}{used + 1:03d}"
