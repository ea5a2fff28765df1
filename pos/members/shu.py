"""The board's SHU calculation for the members' annual meeting (RAT): who shares, with what purchases (the
rollup) and savings (a file from the cooperative's books or SIMKOPDES), by the rule in ``pos.domain.shu``; saved
as a numbered calculation that is never changed afterwards (a correction is a new calculation)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert
from sqlalchemy.orm import contains_eager

from pos.core import audit, sheets
from pos.core.errors import PosError
from pos.domain import shu as rule
from pos.domain.money import BP_SCALE, MoneyError, parse_rupiah
from pos.domain.periods import book_year_bounds
from pos.extensions import db
from pos.members import purchases
from pos.models import Cooperative, Member, MemberStatus, ShuAllocation, ShuCalculation, ShuPart, User

# What bylaws commonly give (Anggaran Dasar of a KMP, after UU 25/1992 art. 45): the board changes any of it.
DEFAULT_ALLOCATION: tuple[tuple[str, str, int], ...] = (
    ("cadangan", "Cadangan koperasi", 4000),
    (rule.PURCHASES, "Jasa anggota (belanja)", 2500),
    (rule.SAVINGS, "Jasa modal (simpanan)", 1500),
    ("dana_pengurus", "Dana pengurus dan pengawas", 500),
    ("dana_karyawan", "Dana karyawan", 500),
    ("dana_pendidikan", "Dana pendidikan", 500),
    ("dana_sosial", "Dana sosial", 250),
    ("dana_pembangunan", "Dana pembangunan daerah kerja", 250),
)
SAVINGS_COLUMNS = {
    "number": ("nomor anggota", "no anggota", "no. anggota", "nomor", "number", "member number", "member"),
    "savings": ("simpanan", "saldo simpanan", "saldo", "jumlah simpanan", "savings", "balance"),
}


@dataclass(frozen=True, slots=True)
class Allocation:
    code: str
    label: str
    share_bp: int


@dataclass(frozen=True, slots=True)
class Inputs:
    year: int
    shu: int
    allocations: tuple[Allocation, ...]
    leavers: rule.Leavers
    savings: dict[str, int] = field(default_factory=dict)  # member number → balance
    savings_file: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Sharer:
    """A member as the calculation needs them (read as plain rows: a cooperative may have tens of thousands)."""

    id: int
    number: str
    full_name: str
    status: MemberStatus
    status_on: date | None


@dataclass(frozen=True, slots=True)
class Row:
    member: Sharer
    purchases: int
    savings: int
    left_during_year: bool
    part: rule.MemberPart


@dataclass(frozen=True, slots=True)
class Result:
    inputs: Inputs
    period: tuple[date, date]
    calculation: rule.Calculation
    rows: list[Row]


def checked_allocations(allocations: Sequence[Allocation]) -> tuple[Allocation, ...]:
    chosen = tuple(a for a in allocations if a.share_bp or a.code in (rule.PURCHASES, rule.SAVINGS))
    total = sum(a.share_bp for a in chosen)
    if total != BP_SCALE:
        raise PosError(
            _l("The shares add up to %(total)s%%, not 100%%.", total=f"{total / 100:g}".replace(".", ",")), 422
        )
    if not any(a.code == rule.PURCHASES and a.share_bp for a in chosen):
        raise PosError(_l("Give the members' purchases (jasa anggota) a share."), 422)
    if any(not a.label.strip() for a in chosen):
        raise PosError(_l("Name every line of the allocation that has a share."), 422)
    return chosen


def savings_from_file(cooperative: Cooperative, filename: str, content: bytes) -> dict[str, int]:
    """Balances by member number from a CSV or Excel file; refused as a whole, with every unknown number and
    bad row named, until it is clean."""
    rows = sheets.with_rows(sheets.read(filename, content))
    where = sheets.columns(rows[0], SAVINGS_COLUMNS, ("number", "savings"))
    known = set(db.session.scalars(db.select(Member.number).where(Member.cooperative_id == cooperative.id)))
    found: dict[str, int] = {}
    errors: list[str] = []
    unknown: list[str] = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        number = (row[where["number"]] if where["number"] < len(row) else "").strip().upper()
        text = row[where["savings"]] if where["savings"] < len(row) else ""
        if not number:
            errors.append(_("row %(row)s: no member number", row=n))
            continue
        try:
            amount = parse_rupiah(text)
        except MoneyError:
            errors.append(_("row %(row)s: the balance %(text)s is not an amount in Rupiah", row=n, text=text[:20]))
            continue
        if number in found:
            errors.append(_("row %(row)s: member %(number)s is listed twice", row=n, number=number[:30]))
        elif number not in known:
            unknown.append(number[:30])
        found[number] = amount
    if unknown:
        errors.insert(
            0,
            _(
                "%(n)s member numbers are not in the register: %(numbers)s",
                n=len(unknown),
                numbers=", ".join(unknown[:30]) + (" …" if len(unknown) > 30 else ""),
            ),
        )
    if errors:
        raise sheets.FileRefused(_("Nothing was imported. %(problems)s.", problems="; ".join(errors[:40])), 422)
    return found


def sharers(cooperative: Cooperative, first: date, last: date) -> list[Sharer]:
    """Members in the book year: joined by its end, not gone before its start."""
    query = db.select(Member.id, Member.number, Member.full_name, Member.status, Member.status_on).where(
        Member.cooperative_id == cooperative.id, Member.joined_on <= last
    )
    return [
        Sharer(*row)
        for row in db.session.execute(query.order_by(Member.number))
        if row.status == MemberStatus.ACTIVE or (row.status_on is not None and row.status_on >= first)
    ]


def calculate(cooperative: Cooperative, inputs: Inputs) -> Result:
    """The calculation as it would be saved; writes nothing."""
    if inputs.shu <= 0:
        raise PosError(_l("Enter the SHU to share, in whole Rupiah."), 422)
    allocations = checked_allocations(inputs.allocations)
    if any(a.code == rule.SAVINGS and a.share_bp for a in allocations) and not inputs.savings:
        raise PosError(_l("Upload the members' savings balances for jasa modal, or give it no share."), 422)
    first, last = book_year_bounds(inputs.year, cooperative.book_year_start_month)
    members = sharers(cooperative, first, last)
    numbers = {m.number for m in members}
    stray = sorted(set(inputs.savings) - numbers)
    if stray:
        raise PosError(
            _l("Savings are listed for members who do not share this year: %(numbers)s.", numbers=", ".join(stray[:9])),
            422,
        )
    bought = purchases.of_year(cooperative.id, inputs.year)
    years = [
        rule.MemberYear(
            m.number,
            bought.get(m.id, (0, 0, 0))[0],
            inputs.savings.get(m.number, 0),
            m.status != MemberStatus.ACTIVE and m.status_on is not None and m.status_on <= last,
        )
        for m in members
    ]
    try:
        result = rule.calculate(inputs.shu, {a.code: a.share_bp for a in allocations}, years, inputs.leavers)
    except (rule.ShuError, MoneyError) as exc:
        raise PosError(_l("The calculation cannot be made: %(why)s.", why=str(exc)), 422) from exc
    rows = [
        Row(m, y.purchases, y.savings, y.left_during_year, part)
        for m, y, part in zip(members, years, result.parts, strict=True)
    ]
    return Result(replace(inputs, allocations=allocations), (first, last), result, rows)


def save(cooperative: Cooperative, inputs: Inputs, user: User) -> ShuCalculation:
    """Calculate and keep it, numbered SHU-<year>-<nn>; flushed and audited."""
    result = calculate(cooperative, inputs)
    taken = db.session.scalar(
        db.select(db.func.count(ShuCalculation.id)).where(
            ShuCalculation.cooperative_id == cooperative.id, ShuCalculation.book_year == inputs.year
        )
    )
    calc = ShuCalculation(
        cooperative_id=cooperative.id,
        number=f"SHU-{inputs.year}-{(taken or 0) + 1:02d}",
        book_year=inputs.year,
        period_start=result.period[0],
        period_end=result.period[1],
        shu=inputs.shu,
        leavers=inputs.leavers.value,
        undistributed=result.calculation.undistributed,
        savings_file=inputs.savings_file[:120],
        note=inputs.note[:2000],
        created_by_id=user.id,
    )
    db.session.add(calc)
    db.session.flush()
    db.session.add_all(
        ShuAllocation(
            calculation_id=calc.id,
            position=n,
            code=a.code,
            label=a.label[:120],
            share_bp=a.share_bp,
            amount=result.calculation.pools[a.code],
        )
        for n, a in enumerate(result.inputs.allocations)
    )
    rows = [
        {
            "calculation_id": calc.id,
            "member_id": row.member.id,
            "purchases": row.purchases,
            "savings": row.savings,
            "on_purchases": row.part.on_purchases,
            "on_savings": row.part.on_savings,
        }
        for row in result.rows
    ]
    for start in range(0, len(rows), 5000):  # a large cooperative's parts in a few statements
        db.session.execute(insert(ShuPart), rows[start : start + 5000])
    audit.record("shu_calculation", calc.uuid, "shu_calculated", user, f"{calc.number} Rp{calc.shu}")
    return calc


def set_officers(cooperative: Cooperative, chair: str, secretary: str, start_month: int, user: User) -> None:
    """Who signs the SHU documents, and the month the book year starts in (tahun buku); audited; flushed."""
    if not 1 <= start_month <= 12:
        raise PosError(_l("A book year starts in one of the twelve months."), 422)
    cooperative.chair_name = " ".join(chair.split())[:120]
    cooperative.secretary_name = " ".join(secretary.split())[:120]
    cooperative.book_year_start_month = start_month
    db.session.flush()
    audit.record("cooperative", cooperative.uuid, "officers_changed", user, f"book year from month {start_month}")


def parts_of(calc: ShuCalculation) -> list[ShuPart]:
    """The calculation's parts with their members, by member number (one query, not one per member)."""
    return list(
        db.session.scalars(
            db.select(ShuPart)
            .join(Member, Member.id == ShuPart.member_id)
            .where(ShuPart.calculation_id == calc.id)
            .options(contains_eager(ShuPart.member))
            .order_by(Member.number)
        )
    )


def summaries(cooperative_id: int) -> dict[int, tuple[int, int]]:
    """Each calculation's (members, total to members), summed in the database."""
    query = (
        db.select(ShuPart.calculation_id, func.count(), func.sum(ShuPart.on_purchases + ShuPart.on_savings))
        .join(ShuCalculation, ShuCalculation.id == ShuPart.calculation_id)
        .where(ShuCalculation.cooperative_id == cooperative_id)
        .group_by(ShuPart.calculation_id)
    )
    return {calc: (int(n), int(total or 0)) for calc, n, total in db.session.execute(query)}


def of_cooperative(cooperative_id: int) -> list[ShuCalculation]:
    return list(
        db.session.scalars(
            db.select(ShuCalculation)
            .where(ShuCalculation.cooperative_id == cooperative_id)
            .order_by(ShuCalculation.book_year.desc(), ShuCalculation.id.desc())
        )
    )
