"""Products whose name words start with what was typed: SQLite's FTS5 index at an outlet, a pattern on central."""

from __future__ import annotations

from typing import Any

from pos.extensions import db
from pos.models import Product


def _fts_query(text: str) -> str:
    words = ["".join(ch for ch in word if ch.isalnum()) for word in text.split()]
    return " ".join(f'"{word}"*' for word in words if word)


def name_condition(text: str) -> Any | None:
    """A condition on ``Product`` for the words typed (each a word prefix), or None when nothing searchable is left."""
    text = text.strip()
    if not text:
        return None
    if db.session.get_bind().dialect.name == "sqlite":
        match = _fts_query(text)
        if not match:
            return None
        ids = (
            db.select(db.literal_column("rowid"))
            .select_from(db.text("product_fts"))
            .where(db.text("product_fts MATCH :match").bindparams(match=match))
        )
        return Product.id.in_(ids)
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return Product.name.ilike(f"%{escaped}%", escape="\\")
