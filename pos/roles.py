"""Who a user is to the system. Plain Python, so that the command line can name the roles without loading the
models."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    CASHIER = "cashier"
    MANAGER = "manager"
    INVESTOR = "investor"
    BOARD = "board"
    CENTRAL = "central"
    FACILITATOR = "facilitator"
    ADMIN = "admin"


ROLE_VALUES = tuple(role.value for role in Role)
