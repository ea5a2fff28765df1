"""The schema, in one place."""

from pos.models.base import Base
from pos.models.catalog import Product
from pos.models.org import Category, Cooperative, Investor, Outlet
from pos.models.stock import MovementKind, StockMovement
from pos.models.users import LoginSession, Role, User

__all__ = [
    "Base",
    "Category",
    "Cooperative",
    "Investor",
    "LoginSession",
    "MovementKind",
    "Outlet",
    "Product",
    "Role",
    "StockMovement",
    "User",
]
