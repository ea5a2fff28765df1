"""The extra products the benchmarks seed: BENCH-000000 …, barcodes 77…, names of two common words."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

WORDS = ["Beras", "Gula", "Kopi", "Teh", "Sabun", "Mi", "Susu", "Kecap", "Sambal", "Biskuit", "Roti", "Air"]


def barcode(i: int) -> str:
    from pos.domain.barcode import complete_ean13

    return complete_ean13(f"77{i:010d}")


def product_rows(start: int, stop: int, investor_id: int, category_id: int, now: datetime) -> Iterator[dict[str, Any]]:
    """Rows for ``insert(Product)``: products ``start`` .. ``stop - 1`` of one investor and category."""
    for i in range(start, stop):
        yield {
            "uuid": uuid.uuid4(),
            "investor_id": investor_id,
            "category_id": category_id,
            "sku": f"BENCH-{i:06d}",
            "barcode": barcode(i),
            "name": f"{random.choice(WORDS)} {random.choice(WORDS)} varian {i}",
            "unit": "pcs",
            "list_price": random.randrange(1000, 100000, 100),
            "tracks_expiry": False,
            "favourite": False,
            "active": True,
            "created_at": now,
        }
