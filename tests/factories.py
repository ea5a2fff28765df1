"""Factories for tests: sales on chosen days come from the same code as the demo's history."""

from pos.services.history import refund_on, sale_on

__all__ = ["refund_on", "sale_on"]
