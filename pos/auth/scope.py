"""What a user may see: the outlets, cooperatives and investors of their role (checked by object, not by menu)."""

from __future__ import annotations

from dataclasses import dataclass

from pos.models import Role, User

STAFF_ROLES = frozenset({Role.CASHIER, Role.MANAGER})


@dataclass(frozen=True, slots=True)
class Scope:
    """What one user may see: outlets, cooperatives and investors by id (None = all)."""

    outlet_ids: frozenset[int] | None
    cooperative_ids: frozenset[int] | None
    investor_ids: frozenset[int] | None

    def sees_outlet(self, outlet_id: int) -> bool:
        return self.outlet_ids is None or outlet_id in self.outlet_ids

    def sees_cooperative(self, cooperative_id: int) -> bool:
        return self.cooperative_ids is None or cooperative_id in self.cooperative_ids


def scope_for(user: User) -> Scope:
    from pos.extensions import db
    from pos.models import Outlet

    nothing: frozenset[int] = frozenset()
    if user.role in (Role.CENTRAL, Role.ADMIN, Role.FACILITATOR):
        return Scope(None, None, None)
    if user.role in STAFF_ROLES:
        outlets = frozenset({user.outlet_id}) if user.outlet_id else nothing
        coop = user.outlet.cooperative_id if user.outlet else None
        return Scope(outlets, frozenset({coop}) if coop else nothing, None)
    if user.role == Role.BOARD:
        coops = frozenset({user.cooperative_id}) if user.cooperative_id else nothing
        outlet_ids = frozenset(db.session.scalars(db.select(Outlet.id).where(Outlet.cooperative_id.in_(coops))))
        return Scope(outlet_ids, coops, None)
    if user.role == Role.INVESTOR:
        investors = frozenset({user.investor_id}) if user.investor_id else nothing
        return Scope(None, None, investors)
    return Scope(nothing, nothing, nothing)
