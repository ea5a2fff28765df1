"""A cooperative's existing member list from a spreadsheet (CSV or Excel, read as the catalogue import reads
it): every row checked by the register's own rules; nothing is imported while any row is wrong, and each wrong
row is named with its reason."""

from __future__ import annotations

import re
from datetime import date, datetime

from flask_babel import gettext as _

from pos.core import audit, clock, sheets
from pos.core.errors import PosError
from pos.extensions import db
from pos.members import register
from pos.models import Cooperative, Member, User

COLUMNS = {
    "number": ("nomor anggota", "no anggota", "no. anggota", "nomor", "number", "member number"),
    "name": ("nama", "nama anggota", "name"),
    "phone": ("telepon", "no hp", "hp", "telp", "phone"),
    "nik": ("nik", "no ktp"),
    "village": ("desa", "kelurahan", "desa/kelurahan", "village"),
    "rt_rw": ("rt/rw", "rt rw", "rt_rw"),
    "joined_on": ("tanggal masuk", "tgl masuk", "tanggal bergabung", "joined", "joined_on"),
}
REQUIRED = ("number", "name", "joined_on")
TEMPLATE = (
    "nomor anggota;nama;telepon;nik;desa;rt/rw;tanggal masuk\n"
    "CPR-0100;Siti Aminah;081234567890;;Cipare;003/005;2024-01-15\n"
)
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def _day(text: str) -> date | None:
    text = text.strip()
    try:
        return datetime.fromisoformat(text).date()  # 2024-01-15, or an Excel date cell "2024-01-15 00:00:00"
    except ValueError:
        pass
    found = _DMY.match(text)
    if found:
        try:
            return date(int(found.group(3)), int(found.group(2)), int(found.group(1)))
        except ValueError:
            return None
    return None


def check(cooperative: Cooperative, rows: list[list[str]]) -> list[register.MemberData]:
    """The members the rows give, all checked; a refusal naming every bad row otherwise."""
    sheets.with_rows(rows)
    where = sheets.columns(rows[0], COLUMNS, REQUIRED)
    taken = set(db.session.scalars(db.select(Member.number).where(Member.cooperative_id == cooperative.id)))
    today = clock.today()
    good: list[register.MemberData] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for n, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(name: str, row: list[str] = row) -> str:
            index = where.get(name)
            return row[index].strip() if index is not None and index < len(row) else ""

        joined = _day(cell("joined_on"))
        if joined is None:
            errors.append(_("row %(row)s: the joining date is not a date (2024-01-15 or 15/01/2024)", row=n))
            continue
        data = register.MemberData(
            number=cell("number"),
            full_name=cell("name"),
            joined_on=joined,
            phone=cell("phone"),
            nik=cell("nik") or None,
            village=cell("village"),
            rt_rw=cell("rt_rw"),
        )
        try:
            clean = register.checked(data, today)
        except PosError as exc:
            errors.append(_("row %(row)s: %(reason)s", row=n, reason=str(exc)))
            continue
        if clean.number in taken:
            errors.append(_("row %(row)s: %(number)s is already in the register", row=n, number=clean.number))
        elif clean.number in seen:
            errors.append(
                _(
                    "row %(row)s: %(number)s is also on row %(first)s",
                    row=n,
                    number=clean.number,
                    first=seen[clean.number],
                )
            )
        else:
            seen[clean.number] = n
            good.append(clean)
    if errors:
        raise sheets.FileRefused(
            _(
                "Nothing was imported: %(n)s rows need fixing. %(problems)s.",
                n=len(errors),
                problems="; ".join(errors[:40]) + (" …" if len(errors) > 40 else ""),
            ),
            422,
        )
    return good


def apply(cooperative: Cooperative, members: list[register.MemberData], user: User) -> int:
    db.session.add_all(
        Member(cooperative_id=cooperative.id, **{k: getattr(m, k) for k in m.__slots__}) for m in members
    )
    db.session.flush()
    audit.record("cooperative", cooperative.uuid, "members_imported", user, f"{len(members)} members")
    return len(members)
