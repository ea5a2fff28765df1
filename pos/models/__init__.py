"""The schema, in one place."""

from pos.models.base import Base
from pos.models.catalog import Product
from pos.models.org import Category, Cooperative, Investor, Outlet
from pos.models.partnership import (
    Agreement,
    AgreementCategoryRate,
    AgreementVersion,
    Collector,
    SettlementPeriod,
    agreement_outlet,
)
from pos.models.sales import (
    Cart,
    CartLine,
    CashMovement,
    CashMovementKind,
    Payment,
    PaymentMethod,
    ReceiptSequence,
    Register,
    Sale,
    SaleKind,
    SaleLine,
    Shift,
    ShiftStatus,
)
from pos.models.settlement import (
    AuditEvent,
    Direction,
    Dispute,
    SettledLine,
    Statement,
    StatementLine,
    StatementPayment,
)
from pos.models.stock import MovementKind, StockBalance, StockMovement
from pos.models.sync import OutboxEvent
from pos.models.users import LoginSession, Role, User

__all__ = [
    "Agreement",
    "AgreementCategoryRate",
    "AgreementVersion",
    "AuditEvent",
    "Base",
    "Cart",
    "CartLine",
    "CashMovement",
    "CashMovementKind",
    "Category",
    "Collector",
    "Cooperative",
    "Direction",
    "Dispute",
    "Investor",
    "LoginSession",
    "MovementKind",
    "OutboxEvent",
    "Outlet",
    "Payment",
    "PaymentMethod",
    "Product",
    "ReceiptSequence",
    "Register",
    "Role",
    "Sale",
    "SaleKind",
    "SaleLine",
    "SettledLine",
    "SettlementPeriod",
    "Shift",
    "ShiftStatus",
    "Statement",
    "StatementLine",
    "StatementPayment",
    "StockBalance",
    "StockMovement",
    "User",
    "agreement_outlet",
]
