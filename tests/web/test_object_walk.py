"""Every route that names an object, walked as every role with the ids of real objects: its own side's and
another's. A role sees what it asked for on its own objects; another cooperative's, outlet's or investor's
objects answer 403 or 404 and nothing is written; a role the route is not for gets 403."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from flask import Flask
from werkzeug.routing import Rule

from pos.core import clock
from pos.extensions import db
from pos.models import (
    Agreement,
    Base,
    CountStatus,
    Employer,
    Investor,
    Outlet,
    Product,
    ReturnReason,
    Role,
    StaffRole,
    StockCount,
    User,
)
from pos.web.access import is_public, roles_of
from tests.conftest import PASSWORDS, Client
from tests.factories import sale_now
from tests.web.test_authorization_walk import USER_FOR_ROLE, _rules

SIDES = ("own", "neighbour", "foreign")
T = TypeVar("T")


@dataclass(frozen=True)
class Thing:
    """An object as a URL names it, and what its page shows."""

    values: dict[str, object]
    label: str


def _one(model: type[T], *where: Any) -> T:
    row = db.session.scalar(db.select(model).where(*where).order_by(model.id).limit(1))  # type: ignore[attr-defined]
    assert row is not None, (model, where)
    return row


PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(32)


def _supply(outlet: Outlet, investor: Investor, manager: User) -> dict[str, Thing]:
    """What passes between an investor and an outlet: terms, statements, deliveries, requests, returns, prices."""
    from pos.partnership import settlements
    from pos.stock import deliveries, products, restock, returns

    central = _one(User, User.username == "pusat")
    investor_user = _one(User, User.investor_id == investor.id)
    product = _one(Product, Product.investor_id == investor.id)
    agreement = _one(Agreement, Agreement.investor_id == investor.id)
    today = clock.business_date(outlet.timezone)
    first = settlements.open_periods(agreement, outlet)[0][0]
    statement = settlements.issue(agreement, outlet, first, central)
    dispute = settlements.raise_dispute(statement, central, "Periksa stok")
    planned, received = (
        deliveries.create(investor, outlet, today, [deliveries.PlannedLine(product.id, 5, "", None)], investor_user)
        for _ in range(2)
    )
    db.session.flush()
    deliveries.receive(received, [deliveries.Received(received.lines[0].id, 5, 0)], manager)
    products.set_photo(product, PHOTO)
    request = restock.create(outlet, investor, [restock.Wanted(5, product.id)], manager)
    handed_back = returns.create_return(outlet, investor, ReturnReason.DAMAGED, {product.id: 1}, manager)
    change = products.schedule_price(product, product.price + 500, clock.now() + timedelta(days=3), investor_user)
    db.session.flush()
    token = _import_file(investor)
    return {
        "import_token": Thing({"token": token}, investor.name),
        "agreement": Thing({"agreement_uuid": agreement.uuid}, agreement.number),
        "statement": Thing({"statement_uuid": statement.uuid}, statement.number),
        "dispute": Thing({"statement_uuid": statement.uuid, "dispute_id": dispute.id}, statement.number),
        "delivery": Thing({"delivery_uuid": planned.uuid}, planned.number),
        "received_delivery": Thing({"delivery_uuid": received.uuid}, received.number),
        "restock": Thing({"request_uuid": request.uuid}, request.number),
        "return": Thing({"return_uuid": handed_back.uuid}, handed_back.number),
        "product": Thing({"product_uuid": product.uuid}, product.name),
        "price_change": Thing({"product_uuid": product.uuid, "change_id": change.id}, product.name),
        "stock_product": Thing({"product_id": product.id}, product.name),
        "cashier_product": Thing({"product_id": product.id}, product.name),
    }


def _import_file(investor: Investor) -> str:
    """A catalogue file the investor uploaded and has not yet imported (one new product)."""
    from pathlib import Path

    from flask import current_app

    from pos.models import Category
    from pos.stock import catalogue_import

    category = db.session.scalar(db.select(Category.name).order_by(Category.id).limit(1))
    content = f"sku;nama;satuan;kategori;harga\nWALK-{investor.code};Barang Jalan;pcs;{category};1000\n".encode()
    return catalogue_import.keep(Path(current_app.instance_path) / "imports", investor, content)


def _outlet_things(outlet: Outlet, cashier: User, manager: User) -> dict[str, Thing]:
    """What belongs to an outlet alone: its sales, shifts, carts, counts, staff and sync token."""
    from pos.cashier import cart as carts
    from pos.cashier import shifts
    from pos.staff import roster
    from pos.stock import counts

    product = _one(Product, Product.investor_id.in_(_supplier_ids(outlet)))
    sale = sale_now(outlet, [(product, 1)])
    count = db.session.scalar(
        db.select(StockCount).where(StockCount.outlet_id == outlet.id, StockCount.status == CountStatus.OPEN)
    ) or counts.start(outlet, manager, reason="Opname")
    db.session.flush()
    count_line = counts.line_for(count, product.id)
    assert count_line is not None
    person = roster.StaffData(
        f"Pegawai {outlet.code}",
        StaffRole.CASHIER,
        "",
        Employer.COOPERATIVE,
        None,
        sale.business_date,
        None,
        False,
        None,
    )
    member = roster.save(outlet, person, manager)
    from pos.members import register as members

    joined = sale.business_date
    coop_member = members.save(
        outlet.cooperative, members.MemberData(f"WALK-{outlet.code}", f"Anggota {outlet.code}", joined), manager
    )
    from pos.domain.shu import PURCHASES, Leavers
    from pos.members import shu

    board = _one(User, User.role == Role.BOARD, User.cooperative_id == outlet.cooperative_id)
    calculation = shu.save(
        outlet.cooperative,
        shu.Inputs(joined.year, 1000, (shu.Allocation(PURCHASES, "Jasa anggota", 10_000),), Leavers.INCLUDED),
        board,
    )
    shift = shifts.open_shift_of(cashier) or shifts.open_shift(cashier, shifts.registers(outlet.id)[-1].id, 0)
    line = carts.add(carts.cart_of(shift), product, 1)
    db.session.flush()
    return {
        "count": Thing({"count_uuid": count.uuid}, count.number),
        "count_line": Thing({"count_uuid": count.uuid, "line_id": count_line.id}, count.number),
        "staff": Thing({"member_uuid": member.uuid}, member.full_name),
        "sale": Thing({"sale_uuid": sale.uuid}, sale.receipt_no),
        "shift": Thing({"shift_uuid": shift.uuid}, cashier.full_name),
        "cart_line": Thing({"line_id": line.id}, product.name),
        "outlet_code": Thing({"code": outlet.code}, outlet.code),
        "till_login": Thing({"user_uuid": cashier.uuid}, cashier.full_name),
        "register": Thing({"register_id": shift.register_id}, shift.register.name),
        "cooperative_member": Thing({"cooperative_member_uuid": coop_member.uuid}, coop_member.number),
        "shu": Thing({"shu_uuid": calculation.uuid}, calculation.number),
    }


def _supplier_ids(outlet: Outlet) -> list[int]:
    from pos.partnership import supply

    return sorted(supply.investor_ids_of(outlet.id))


def build(walker: str) -> dict[str, dict[str, Thing]]:
    """Objects of every kind a URL names. Own: Cipare with CV Sumber Rezeki Banten (the demo); neighbour: PT Mitra
    Niaga Serang at Cipare (another investor at the same outlet); foreign: Kaduagung with UD Lain Jaya. The
    walker's own till holds the own cart line when it is a cashier or manager. Call inside an app context."""
    walker_user = _one(User, User.username == walker)
    own_till = walker if walker_user.role in (Role.CASHIER, Role.MANAGER) else "kasir_pw"

    def user(name: str) -> User:
        return _one(User, User.username == name)

    def outlet(code: str) -> Outlet:
        return _one(Outlet, Outlet.code == code)

    def investor(code: str) -> Investor:
        return _one(Investor, Investor.code == code)

    things = {
        "own": {
            **_supply(outlet("SRG-CPR"), investor("SRB"), user("manajer")),
            **_outlet_things(outlet("SRG-CPR"), user(own_till), user("manajer")),
            "template_kind": Thing({"kind": "xlsx"}, ""),
        },
        "neighbour": _supply(outlet("SRG-CPR"), investor("MNS"), user("manajer")),
        "foreign": {
            **_supply(outlet("SRG-KDR"), investor("LAIN"), user("manajer_b")),
            **_outlet_things(outlet("SRG-KDR"), user("kasir_b"), user("manajer_b")),
        },
    }
    db.session.commit()
    return things


def kind_of(rule: Rule) -> str:
    arguments = set(rule.arguments)
    for kind, names in (
        ("dispute", {"statement_uuid", "dispute_id"}),
        ("count_line", {"count_uuid", "line_id"}),
        ("price_change", {"product_uuid", "change_id"}),
    ):
        if names <= arguments:
            return kind
    if rule.rule.endswith("/bast"):
        return "received_delivery"
    single = {
        "agreement_uuid": "agreement",
        "statement_uuid": "statement",
        "delivery_uuid": "delivery",
        "count_uuid": "count",
        "request_uuid": "restock",
        "return_uuid": "return",
        "member_uuid": "staff",
        "product_uuid": "product",
        "sale_uuid": "sale",
        "shift_uuid": "shift",
        "code": "outlet_code",
        "token": "import_token",
        "user_uuid": "till_login",
        "kind": "template_kind",
        "register_id": "register",
        "cooperative_member_uuid": "cooperative_member",
        "shu_uuid": "shu",
    }
    (name,) = arguments
    if name in single:
        return single[name]
    if name == "line_id":
        return "cart_line"
    if name == "product_id":
        return "stock_product" if rule.rule.startswith("/stock/") else "cashier_product"
    raise AssertionError(f"no objects for {rule.rule}")


# Central and the admin see every outlet's objects; the facilitator every agreement (the transparency view).
SEES_EVERYTHING = {Role.CENTRAL, Role.ADMIN}


def is_mine(role: Role, side: str, kind: str) -> bool:
    if side == "own" or role in SEES_EVERYTHING:
        return True
    if side == "neighbour":  # at the walker's own outlet, but another investor's
        return role != Role.INVESTOR
    return role == Role.FACILITATOR and kind == "agreement"


def table_counts() -> dict[str, int]:
    return {
        table.name: db.session.execute(db.select(db.func.count()).select_from(table)).scalar_one()
        for table in Base.metadata.sorted_tables
    }


def walked_rules(app: Flask) -> list[Rule]:
    return [r for r in _rules(app) if r.arguments and not is_public(app.view_functions[r.endpoint])]


def url(rule: Rule, thing: Thing) -> str:
    built = rule.build({k: v for k, v in thing.values.items() if k in rule.arguments}, append_unknown=False)
    assert built is not None
    return built[1]


@pytest.mark.parametrize("role", list(Role))
def test_every_route_with_an_object_as_every_role(app: Flask, client: Client, role: Role) -> None:
    with app.app_context():
        things = build(USER_FOR_ROLE[role])
    username = USER_FOR_ROLE[role]
    client.login(username, PASSWORDS.get(username, "demo-kmp-2026"))
    rules = walked_rules(app)
    assert len(rules) >= 45
    problems: list[tuple[str, str, str, int]] = []
    seen = 0
    for rule in rules:
        view = app.view_functions[rule.endpoint]
        allowed = role in (roles_of(view) or frozenset())
        kind = kind_of(rule)
        for side in SIDES:
            if kind not in things[side]:
                continue
            thing = things[side][kind]
            address = url(rule, thing)
            mine = is_mine(role, side, kind)
            with app.app_context():
                before = table_counts()
            methods = [m for m in ("GET", "POST") if m in rule.methods]
            for method in methods:
                response = client.get(address) if method == "GET" else client.post(address, {})
                status = response.status_code
                response.close()  # an export streams: its generator is closed here, in its request's context
                seen += 1
                if status >= 500:
                    problems.append((method, address, "server error", status))
                elif not allowed:
                    if status != 403:
                        problems.append((method, address, "another role's route answered", status))
                elif not mine:
                    if status not in (403, 404):
                        problems.append((method, address, f"{side} object answered", status))
                elif method == "GET" and status == 200 and response.mimetype in ("text/html", "text/csv"):
                    if thing.label not in response.get_data(as_text=True):
                        problems.append((method, address, f"page does not show {thing.label!r}", status))
                elif method == "GET" and status not in (200, 302, 303):
                    problems.append((method, address, "own object refused", status))
            if not (allowed and mine):
                with app.app_context():
                    after = table_counts()
                changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
                if changed:
                    problems.append(("*", address, f"wrote {changed}", 0))
    assert not problems, "\n".join(map(str, problems))
    assert seen >= 90
