"""Every page a role may open, with hostile query strings: a clear 4xx or a bounded page, never a 500."""

from __future__ import annotations

import pytest
from flask import Flask

from pos.models import Role
from pos.web.access import is_public, roles_of
from tests.conftest import PASSWORDS, Client
from tests.web.checkout_helpers import MIE, open_shift, scan
from tests.web.test_authorization_walk import USER_FOR_ROLE, _rules
from tests.web.test_object_walk import SIDES, build, kind_of
from tests.web.test_object_walk import url as object_url

HOSTILE = [
    "start=9999-12-31&end=9999-12-31",
    "start=0001-01-01&end=0001-01-02",
    "start=2026-13-45&end=yesterday",
    "page=-1&q=%00%27%22%3Cscript%3E",
    "page=999999999999999999999999",
    "format=xlsx",
    "format=zzz",
    "q=" + "x" * 5000,
    "status=nonsense&show=zzz&kind=zzz&outlet=%27&investor=%27&cooperative=%27&product=abc&region=%00",
    "month=0000-00&table=%27&below=%00",
    "outlet=SRG-KDR&investor=LAIN&cooperative=KMP-KDR",
]


@pytest.mark.parametrize("role", list(Role))
def test_hostile_query_strings_never_cause_a_server_error(app: Flask, client: Client, role: Role) -> None:
    username = USER_FOR_ROLE[role]
    client.login(username, PASSWORDS.get(username, "demo-kmp-2026"))
    if role in (Role.CASHIER, Role.MANAGER):  # the cashier screens with a shift open and something in the cart
        open_shift(client, app, register="KASIR-2" if role == Role.MANAGER else "KASIR-1")
        scan(client, MIE)
    pages = [
        rule.rule
        for rule in _rules(app)
        if "GET" in rule.methods
        and not rule.arguments
        and not is_public(app.view_functions[rule.endpoint])
        and role in (roles_of(app.view_functions[rule.endpoint]) or frozenset())
    ]
    assert pages
    failures = []
    for path in pages:
        for query in HOSTILE:
            status = client.get(f"{path}?{query}").status_code
            if status >= 500:
                failures.append((path, query[:60], status))
    assert not failures, failures


GARBAGE = {
    name: value
    for name in (
        "code",
        "q",
        "quantity",
        "qty",
        "cash",
        "qris",
        "transfer",
        "amount",
        "opening_float",
        "register",
        "outlet",
        "investor",
        "product",
        "start",
        "end",
        "start_date",
        "end_date",
        "period_start",
        "paid_on",
        "expected_on",
        "effective_from",
        "fee_pct",
        "percent",
        "reason",
        "manager_pin",
        "pin",
        "key",
        "revision",
        "full_name",
        "role",
        "employer",
        "national_id",
        "confirm",
        "method",
        "note",
        "price",
        "barcode",
        "sku",
        "name",
        "unit",
        "category",
        "payload",
        "number",
        "comment",
        "resolution",
        "level",
        "count",
        "kind",
        "status",
        "lang",
        "language",
    )
    for value in ("-1.5e308",)
}
GARBAGE_SETS = [
    GARBAGE,
    {name: "9999-12-31" for name in GARBAGE},
    {name: "'; DROP TABLE sale; --" + "x" * 3000 for name in GARBAGE},
    {name: "\u0000\ud7ff" for name in GARBAGE},
]


@pytest.mark.parametrize("role", list(Role))
def test_garbage_forms_never_cause_a_server_error(app: Flask, client: Client, role: Role) -> None:
    username = USER_FOR_ROLE[role]
    client.login(username, PASSWORDS.get(username, "demo-kmp-2026"))
    if role in (Role.CASHIER, Role.MANAGER):
        open_shift(client, app, register="KASIR-2" if role == Role.MANAGER else "KASIR-1")
        scan(client, MIE)
    with app.app_context():
        things = build(username)  # real objects of the role's own side and of others, for routes that name one
    posts = []
    for rule in _rules(app):
        view = app.view_functions[rule.endpoint]
        if (
            "POST" not in rule.methods
            or rule.endpoint in {"auth.logout", "auth.login"}
            or is_public(view)
            or role not in (roles_of(view) or frozenset())
        ):
            continue
        if not rule.arguments:
            posts.append(rule.rule)
            continue
        kind = kind_of(rule)
        posts.extend(object_url(rule, things[side][kind]) for side in SIDES if kind in things[side])
    assert posts or role == Role.FACILITATOR  # the facilitator only reads
    failures = []
    for path in posts:
        for data in GARBAGE_SETS:
            for htmx in (False, True):
                status = client.post(path, dict(data), htmx=htmx).status_code
                if status >= 500:
                    failures.append((path, next(iter(data.values()))[:20], htmx, status))
    assert not failures, failures


def test_a_nul_character_in_a_query_or_a_form_is_refused_and_nothing_is_written(app: Flask, client: Client) -> None:
    from pos.extensions import db
    from pos.models import CashMovement

    client.login(USER_FOR_ROLE[Role.CASHIER], PASSWORDS.get(USER_FOR_ROLE[Role.CASHIER], "demo-kmp-2026"))
    open_shift(client, app)
    answer = client.get("/cashier/search?q=kopi%00")
    assert answer.status_code == 400 and "NUL" in answer.get_data(as_text=True)
    answer = client.post("/cashier/shift/cash", {"kind": "out", "amount": "5000", "reason": "sopir\x00"})
    assert answer.status_code == 400 and "NUL" in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(CashMovement.id))) == 0
    assert client.post("/cashier/shift/cash", {"kind": "out", "amount": "5000", "reason": "sopir"}).status_code == 303
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(CashMovement.id))) == 1


def test_garbage_pin_logins_never_cause_a_server_error(app: Flask, client: Client) -> None:
    """The one public route that names an object: a PIN login for a real cashier, another outlet's and nobody."""
    import uuid

    from pos.extensions import db
    from pos.models import User

    with app.app_context():
        people = [
            str(u) for u in db.session.scalars(db.select(User.uuid).where(User.username.in_(["kasir_pw", "kasir_b"])))
        ]
    failures = []
    for key in [*people, str(uuid.uuid4()), "not-a-uuid"]:
        for data in GARBAGE_SETS:
            for htmx in (False, True):
                status = client.post(f"/login/pin/{key}", dict(data), htmx=htmx).status_code
                if status >= 500:
                    failures.append((key, next(iter(data.values()))[:20], htmx, status))
    assert not failures, failures
