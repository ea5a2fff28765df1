"""Central trusts no outlet, on PostgreSQL: the checks of tests/web/test_sync_trust.py against central's own
database (COPY writes, savepoints, bigint and text limits of PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.web import test_sync_trust as trust

CASES = [
    trust.test_a_valid_sale_is_stored,
    trust.test_a_fee_the_split_does_not_give_is_refused,
    trust.test_a_rate_other_than_the_agreements_is_refused,
    trust.test_a_sale_on_another_outlets_shift_is_refused,
    trust.test_a_refund_of_another_outlets_sale_is_refused,
    trust.test_a_line_under_another_cooperatives_agreement_is_refused,
    trust.test_staff_of_another_outlet_cannot_be_overwritten,
    trust.test_two_cashiers_created_at_an_outlet_within_a_minute_do_not_collide,
    trust.test_documents_with_an_investor_and_staff_without_new_job_on_sqlite,
    trust.test_another_outlets_delivery_or_count_is_never_touched,
    trust.test_another_outlets_return_or_restock_request_is_never_touched,
]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__.removeprefix("test_") for c in CASES])
def test_the_trust_checks_hold_on_postgresql(pg_app: Flask, case: Any) -> None:
    case(pg_app)


@pytest.mark.parametrize(("path", "value"), trust.POISONS, ids=[f"{'.'.join(map(str, p))}" for p, _ in trust.POISONS])
def test_a_poisoned_sale_is_refused_alone_on_postgresql(pg_app: Flask, path: tuple[Any, ...], value: Any) -> None:
    trust.test_a_poisoned_sale_in_the_middle_of_a_batch_is_refused_alone(pg_app, path, value)


@pytest.mark.parametrize("line", trust.BAD_COUNT_LINES, ids=[repr(x)[:30] for x in trust.BAD_COUNT_LINES])
def test_a_bad_count_line_is_refused_alone_on_postgresql(pg_app: Flask, line: dict[str, Any]) -> None:
    trust.test_a_bad_count_line_is_refused_alone(pg_app, line)


@pytest.mark.parametrize("reused", ["payment", "movement"])
def test_a_reused_record_uuid_is_refused_alone_on_postgresql(pg_app: Flask, reused: str) -> None:
    trust.test_a_record_uuid_another_sale_holds_refuses_that_event_alone(pg_app, reused)
