"""The member register a cooperative's board keeps: one number per member within the cooperative, an optional NIK
seen only by the board, central and the outlet's manager, and a status that is never deleted, only changed on a
day (a member who resigned or died keeps their number and their year's purchases)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from pos.core import audit, clock
from pos.core.errors import PosError
from pos.extensions import db
from pos.models import Cooperative, Member, MemberStatus, User

NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9./-]{0,29}$")
NIK = re.compile(r"^[0-9]{16}$")
RT_RW = re.compile(r"^([0-9]{1,3}/[0-9]{1,3})?$")


@dataclass(frozen=True, slots=True)
class MemberData:
    number: str
    full_name: str
    joined_on: date
    phone: str = ""
    nik: str | None = None
    village: str = ""
    rt_rw: str = ""
    status: MemberStatus = MemberStatus.ACTIVE
    status_on: date | None = None


def checked(data: MemberData, today: date) -> MemberData:
    """The data as stored, or a refusal that says what to fix."""
    number = data.number.strip().upper()
    if not NUMBER.match(number):
        raise PosError(_l("A member number has 1 to 30 letters, digits, dots, slashes or dashes."), 422)
    name = " ".join(data.full_name.split())
    if not name or len(name) > 120:
        raise PosError(_l("Enter the member's name (at most 120 characters)."), 422)
    nik = (data.nik or "").strip() or None
    if nik is not None and not NIK.match(nik):
        raise PosError(_l("A national ID number (NIK) has 16 digits."), 422)
    phone = re.sub(r"[\s().-]", "", data.phone or "")
    if phone and not re.fullmatch(r"\+?[0-9]{6,15}", phone):
        raise PosError(_l("The phone number is not valid."), 422)
    rt_rw = (data.rt_rw or "").replace(" ", "")
    if not RT_RW.match(rt_rw):
        raise PosError(_l("RT/RW is written like 003/005."), 422)
    if data.joined_on > today:
        raise PosError(_l("The joining date cannot be in the future."), 422)
    status_on = data.status_on if data.status != MemberStatus.ACTIVE else None
    if data.status != MemberStatus.ACTIVE:
        if status_on is None:
            raise PosError(_l("Give the day the member resigned or died."), 422)
        if status_on < data.joined_on or status_on > today:
            raise PosError(_l("That day must be between joining and today."), 422)
    return MemberData(
        number, name, data.joined_on, phone, nik, " ".join(data.village.split())[:120], rt_rw, data.status, status_on
    )


def save(cooperative: Cooperative, data: MemberData, user: User, member: Member | None = None) -> Member:
    """Add a member, or change one; audited; flushed."""
    clean = checked(data, clock.today())
    taken = db.session.scalar(
        db.select(Member.id).where(Member.cooperative_id == cooperative.id, Member.number == clean.number)
    )
    if taken is not None and (member is None or taken != member.id):
        raise PosError(_l("Member number %(number)s is already taken in this cooperative.", number=clean.number), 422)
    if member is None:
        member = Member(cooperative_id=cooperative.id)
        db.session.add(member)
        action = "member_added"
    else:
        if member.cooperative_id != cooperative.id:
            raise PosError(_l("This member belongs to another cooperative."), 403)
        action = "member_changed"
    for name in MemberData.__slots__:
        setattr(member, name, getattr(clean, name))
    member.updated_at = clock.now()
    db.session.flush()
    audit.record("member", member.uuid, action, user, f"{clean.number} {clean.status.value}")
    return member


def of_cooperative(cooperative_id: int, text: str = "") -> list[Member]:
    query = db.select(Member).where(Member.cooperative_id == cooperative_id)
    if text:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%"
        query = query.where(
            Member.number.ilike(like, escape="\\")
            | Member.full_name.ilike(like, escape="\\")
            | Member.phone.ilike(like, escape="\\")
        )
    return list(db.session.scalars(query.order_by(Member.number).limit(500)))


# The member card: its code is the cooperative's code and the member's number after a prefix a product's barcode
# never has, so the till's one scanner box tells a card from a product.

CARD_PREFIX = "AGT:"


def card_code(member: Member) -> str:
    return f"{CARD_PREFIX}{member.cooperative.code}:{member.number}"


def is_card(code: str) -> bool:
    return code.strip().upper().startswith(CARD_PREFIX)


def by_card(cooperative: Cooperative, code: str) -> Member:
    """The member a scanned card names, if it is an active member of this cooperative; otherwise a refusal
    that says why (another cooperative's card, an unknown card, a member who left)."""
    parts = code.strip().upper().split(":")
    if len(parts) != 3 or not parts[1] or not NUMBER.match(parts[2]):
        raise PosError(_l("This member card cannot be read. Search the member by number or name."), 422)
    if parts[1] != cooperative.code.upper():
        raise PosError(
            _l(
                "This is a member card of another cooperative (%(code)s), not of this outlet's.",
                code=parts[1][:20],
            ),
            422,
        )
    member = db.session.scalar(
        db.select(Member).where(Member.cooperative_id == cooperative.id, Member.number == parts[2])
    )
    if member is None:
        raise PosError(_l("Unknown member card %(number)s.", number=parts[2]), 404)
    return usable(member)


def usable(member: Member) -> Member:
    if member.status != MemberStatus.ACTIVE:
        raise PosError(
            _l("%(name)s (%(number)s) is no longer a member.", name=member.full_name, number=member.number), 422
        )
    return member


def at_till(cooperative_id: int, text: str) -> list[Member]:
    """Active members matching a number, name or phone, for the cashier to pick (at most 20)."""
    found = [m for m in of_cooperative(cooperative_id, text) if m.status == MemberStatus.ACTIVE]
    return found[:20]
