"""People who log in, and their server-side login sessions."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pos.core import clock
from pos.domain.ids import new_id
from pos.models.base import Base, BigId, born_uuid, intpk, str120, str_enum
from pos.models.org import Cooperative, Investor, Outlet
from pos.roles import Role

__all__ = ["LoginSession", "Role", "User"]


class User(UserMixin, Base):
    __tablename__ = "app_user"

    id: Mapped[intpk]
    uuid: Mapped[born_uuid] = mapped_column(default=new_id)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    full_name: Mapped[str120]
    role: Mapped[Role] = mapped_column(str_enum(Role))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    outlet_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("outlet.id"), index=True)
    cooperative_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("cooperative.id"), index=True)
    investor_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("investor.id"), index=True)
    language: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    # When its name, PIN or status last changed, where it changed (central or the outlet's node): in sync the
    # newer copy wins, so a PIN a manager reset offline is not undone by central's older copy, nor the reverse.
    updated_at: Mapped[datetime | None]

    outlet: Mapped[Outlet | None] = relationship()
    cooperative: Mapped[Cooperative | None] = relationship()
    investor: Mapped[Investor | None] = relationship()

    session_token = None  # set by the login session that loaded this user

    def get_id(self) -> str | None:
        return self.session_token

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active


class LoginSession(Base):
    """One login. The cookie holds a random token; only its SHA-256 is stored here."""

    __tablename__ = "login_session"

    id: Mapped[intpk]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("app_user.id"), index=True)
    method: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
