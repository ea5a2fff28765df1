"""Walk every registered route as every role: nothing slips in unguarded."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from werkzeug.routing import Rule

from pos.models import Role
from pos.web.access import is_public, roles_of
from tests.conftest import PASSWORDS, Client

USER_FOR_ROLE = {
    Role.CASHIER: "kasir_pw",
    Role.MANAGER: "manajer",
    Role.INVESTOR: "mitra",
    Role.BOARD: "pengurus",
    Role.CENTRAL: "pusat",
    Role.FACILITATOR: "pemkot",
    Role.ADMIN: "admin",
}


def _rules(app: Flask) -> list[Rule]:
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static"]


def _url(rule: Rule) -> str:
    values: dict[str, object] = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        kind = type(converter).__name__
        values[name] = 1 if kind == "IntegerConverter" else str(uuid.UUID(int=1))
    url = rule.build(values, append_unknown=False)
    assert url is not None
    return url[1]


def test_every_view_declares_who_may_use_it(app: Flask) -> None:
    undeclared = [
        r.endpoint
        for r in _rules(app)
        if roles_of(app.view_functions[r.endpoint]) is None and not is_public(app.view_functions[r.endpoint])
    ]
    assert not undeclared, f"views without @allow/@public: {undeclared}"


def test_anonymous_is_sent_to_login_everywhere(app: Flask, client: Client) -> None:
    for rule in _rules(app):
        view = app.view_functions[rule.endpoint]
        if is_public(view):
            continue
        url = _url(rule)
        response = client.get(url) if "GET" in rule.methods else client.post(url)
        assert response.status_code == 302, (rule.rule, response.status_code)
        assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", list(Role))
def test_each_role_reaches_only_its_routes(app: Flask, client: Client, role: Role) -> None:
    username = USER_FOR_ROLE[role]
    client.login(username, PASSWORDS.get(username, "demo-kmp-2026"))
    checked = 0
    for rule in _rules(app):
        view = app.view_functions[rule.endpoint]
        if is_public(view) or rule.endpoint in {"auth.logout", "auth.language"}:
            continue
        allowed = role in (roles_of(view) or frozenset())
        url = _url(rule)
        response = client.get(url) if "GET" in rule.methods else client.post(url)
        if allowed:
            assert response.status_code != 403, (role, rule.rule)
            assert response.status_code < 500, (role, rule.rule, response.status_code)
        else:
            assert response.status_code == 403, (role, rule.rule, response.status_code)
        checked += 1
    assert checked >= 3
