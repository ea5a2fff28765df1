"""Products whose name has every word typed: SQLite's FTS5 index at an outlet (word prefixes), PostgreSQL's
trigram index on central (each word anywhere in the name, ``ix_product_name_trgm``)."""

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
    words = [_escaped(word) for word in text.split()[:8]]
    return db.and_(*(Product.name.ilike(f"%{word}%", escape="\\") for word in words))


def _escaped(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
