"""A refusal a user can act on: a clear message, a 4xx status, nothing written."""

from __future__ import annotations


class PosError(Exception):
    status = 422

    def __init__(self, message: object, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status

    def __str__(self) -> str:
        return str(self.message)


class Conflict(PosError):
    status = 409
