"""The member register's rules (pos.members.register): numbers unique in a cooperative, NIK of 16 digits, a
status changed on a day, never a member deleted."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask

from pos.core import clock
from pos.core.errors import PosError
from pos.extensions import db
from pos.members import register
from pos.members.register import MemberData
from pos.models import AuditEvent, Cooperative, Member, MemberStatus, User


def _coops() -> tuple[Cooperative, Cooperative]:
    coops = list(db.session.scalars(db.select(Cooperative).order_by(Cooperative.id)))
    assert len(coops) >= 2
    return coops[0], coops[1]


def _board() -> User:
    user = db.session.scalar(db.select(User).where(User.username == "pengurus"))
    assert user is not None
    return user


def test_members_are_numbered_once_in_their_cooperative(app_ctx: Flask) -> None:
    home, other = _coops()
    joined = clock.today() - timedelta(days=400)
    first = register.save(
        home,
        MemberData(
            " kmp-001 ", "  Rohimah   Kartasasmita ", joined, "0812-3456-7890", "3604123456780001", "Cipare", "003/005"
        ),
        _board(),
    )
    db.session.commit()
    assert (first.number, first.full_name, first.phone, first.rt_rw) == (
        "KMP-001",
        "Rohimah Kartasasmita",
        "081234567890",
        "003/005",
    )
    with pytest.raises(PosError, match=r"sudah dipakai|already taken"):
        register.save(home, MemberData("KMP-001", "Orang Lain", joined), _board())
    db.session.rollback()
    assert register.save(
        other, MemberData("KMP-001", "Anggota koperasi lain", joined), _board()
    ).id  # its own numbering
    db.session.commit()
    assert [m.full_name for m in register.of_cooperative(home.id, "kartas")] == ["Rohimah Kartasasmita"]
    assert register.of_cooperative(home.id, "0812345") and not register.of_cooperative(home.id, "%")
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id)).where(AuditEvent.action == "member_added")) == 2


@pytest.mark.parametrize(
    "data",
    [
        MemberData("", "Nama", date(2020, 1, 1)),
        MemberData("A B", "Nama", date(2020, 1, 1)),
        MemberData("001", " ", date(2020, 1, 1)),
        MemberData("001", "Nama", date(2020, 1, 1), nik="12345"),
        MemberData("001", "Nama", date(2020, 1, 1), nik="360412345678000X"),
        MemberData("001", "Nama", date(2020, 1, 1), phone="telepon"),
        MemberData("001", "Nama", date(2020, 1, 1), rt_rw="3-5"),
        MemberData("001", "Nama", date(2999, 1, 1)),
        MemberData("001", "Nama", date(2020, 1, 1), status=MemberStatus.RESIGNED),
        MemberData("001", "Nama", date(2020, 1, 1), status=MemberStatus.DECEASED, status_on=date(2019, 12, 31)),
    ],
)
def test_bad_member_data_is_refused_with_nothing_written(app_ctx: Flask, data: MemberData) -> None:
    home, _ = _coops()
    before = db.session.scalar(db.select(db.func.count(Member.id)))
    with pytest.raises(PosError) as refused:
        register.save(home, data, _board())
    assert refused.value.status == 422
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Member.id))) == before


def test_a_member_who_resigns_keeps_the_number_and_another_cooperative_cannot_change_them(app_ctx: Flask) -> None:
    home, other = _coops()
    joined = clock.today() - timedelta(days=30)
    member = register.save(home, MemberData("007", "Budi", joined), _board())
    db.session.commit()
    left = clock.today() - timedelta(days=1)
    register.save(
        home, MemberData("007", "Budi", joined, status=MemberStatus.RESIGNED, status_on=left), _board(), member
    )
    db.session.commit()
    assert (member.status, member.status_on, member.number) == (MemberStatus.RESIGNED, left, "007")
    with pytest.raises(PosError) as refused:
        register.save(other, MemberData("007", "Budi", joined), _board(), member)
    assert refused.value.status == 403


def test_the_board_keeps_the_register_and_only_the_cooperatives_people_see_it(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    board = login_as("pengurus")
    form = {
        "number": "KMP-0042",
        "full_name": "Rohimah Kartasasmita",
        "phone": "0812 3456 7890",
        "nik": "3604123456780001",
        "village": "Cipare",
        "rt_rw": "003/005",
        "joined_on": "2024-03-01",
        "status": "active",
    }
    assert board.get("/members/new").status_code == 200
    for name, bad in (
        ("nik", "12345"),
        ("joined_on", "2999-01-01"),
        ("number", "A B"),
        ("status", "lost"),
        ("rt_rw", "3-5"),
    ):
        refused = board.post("/members/new", {**form, name: bad})
        assert refused.status_code == 422, name
    saved = board.post("/members/new", form)
    assert saved.status_code == 303
    assert board.post("/members/new", form).status_code == 422  # the number is taken
    page = board.get("/members").get_data(as_text=True)
    assert "KMP-0042" in page and "Rohimah Kartasasmita" in page and "3604123456780001" in page
    found = board.get("/members?q=kartas", headers={"HX-Request": "true"})
    assert "Rohimah Kartasasmita" in found.get_data(as_text=True) and "<html" not in found.get_data(as_text=True)
    assert "Rohimah Kartasasmita" not in board.get("/members?q=budi").get_data(as_text=True)
    manager = login_as("manajer")
    assert "3604123456780001" in manager.get("/members").get_data(as_text=True)  # the outlet's manager reads it
    assert manager.post("/members/new", {**form, "number": "KMP-0043"}).status_code == 403
    for outsider in ("mitra", "pemkot", "kasir_pw"):
        assert login_as(outsider).get("/members").status_code == 403, outsider
    other_board = login_as("pengurus_b")
    assert "Rohimah Kartasasmita" not in other_board.get("/members").get_data(as_text=True)
    with app.app_context():
        member = db.session.scalar(db.select(Member).where(Member.number == "KMP-0042"))
        assert member is not None
        member_uuid = member.uuid
    assert other_board.get(f"/members/{member_uuid}").status_code == 404
    assert other_board.get("/members?cooperative=KMP-CIPARE").status_code == 404
    board = login_as("pengurus")  # one browser: each login replaces the last
    resigned = board.post(f"/members/{member_uuid}", {**form, "status": "resigned", "status_on": "2025-06-30"})
    assert resigned.status_code == 303
    assert "Keluar" in board.get("/members").get_data(as_text=True)
