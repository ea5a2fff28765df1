"""Factories for tests: sales on chosen days come from the same code as the demo's history."""

from zoneinfo import ZoneInfo

from pos.cashier.history import refund_on, sale_on
from pos.core import clock
from pos.models import Outlet, Product, Sale

__all__ = ["refund_on", "sale_now", "sale_on"]


def sale_now(outlet: Outlet, items: list[tuple[Product, int]]) -> Sale:
    """A completed cash sale at this moment, on the outlet's business day."""
    local = clock.now().astimezone(ZoneInfo(outlet.timezone))
    return sale_on(outlet, local.date(), items, at=local.time())
