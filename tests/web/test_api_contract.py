"""The sync API against its own OpenAPI document (schemathesis): valid requests generated from the document are
accepted, invalid ones refused with a 4xx, and every answer matches the document (status, content type, body
schema, headers). Never a 500."""

from __future__ import annotations

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode
from schemathesis.generation.stateful.state_machine import StepInput, StepOutput

from pos.extensions import db
from pos.models import Outlet
from pos.sync import tokens


def _schema(app: Flask) -> schemathesis.BaseSchema:
    """The app's own OpenAPI document, every call made with a fresh token of the demo outlet."""
    with app.app_context():
        outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-CPR"))
        token = tokens.issue(outlet, None)
        db.session.commit()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)

    @schema.auth()
    class OutletToken:
        def get(self, case: schemathesis.Case, context: object) -> str:
            return token

        def set(self, case: schemathesis.Case, data: str, context: object) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    # A batch of more events than the document allows is refused as too large (413), as it says; in chains too.
    rejection = schema.config.checks.negative_data_rejection
    rejection.expected_statuses = [*rejection.expected_statuses, "413"]
    return schema


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_every_operation_keeps_its_documented_contract(app: Flask, mode: GenerationMode) -> None:
    schema = _schema(app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {(op.method, op.path) for op in operations} >= {("get", "/api/v1/sync/pull"), ("post", "/api/v1/sync/push")}
    for operation in operations:

        @settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(operation.as_strategy(generation_mode=mode))
        def call(case: schemathesis.Case) -> None:
            case.call_and_validate()

        call()


def test_pages_and_retries_keep_the_contract_when_chained(app: Flask) -> None:
    """Stateful: each pull's cursor fetches the next page, and each push is sent again as a retry, following
    the document's links; every answer in every chain keeps its contract."""
    schema = _schema(app)
    links = {
        (op.method, op.path): sorted(op.definition.raw["responses"]["200"].get("links", {}))
        for op in (result.ok() for result in schema.get_all_operations())
    }
    assert links[("get", "/api/v1/sync/pull")] == ["NextPage"]
    assert links[("post", "/api/v1/sync/push")] == ["RetryTheBatch"]

    followed: set[str] = set()

    class Chains(schema.as_state_machine()):  # type: ignore[misc]
        def step(self, input: StepInput) -> StepOutput:
            if input.transition is not None and input.is_applied:
                followed.add(input.transition.id)
            return super().step(input)

    Chains.run(
        settings=settings(
            max_examples=25,
            stateful_step_count=6,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    assert followed >= {
        "GET /api/v1/sync/pull -> [200] NextPage -> GET /api/v1/sync/pull",
        "POST /api/v1/sync/push -> [200] RetryTheBatch -> POST /api/v1/sync/push",
    }


def test_the_document_names_every_code_and_entity_central_can_answer_with() -> None:
    import re
    from pathlib import Path

    from pos.sync.codecs import CODECS
    from pos.sync.events import PAYLOADS, schema_name
    from pos.sync.openapi import RESULT_CODES, document

    root = Path(__file__).resolve().parents[2] / "pos"
    source = "\n".join(p.read_text() for p in (root / "sync" / "ingest").glob("*.py"))
    source += (root / "domain" / "sync.py").read_text()
    used = set(re.findall(r'(?:Refused|EnvelopeError)\(\s*"([a-z_]+)"', source))
    used |= set(re.findall(r'env\.type, "([a-z_]+)"', source))
    assert used and used <= RESULT_CODES, used - RESULT_CODES
    schemas = document()["components"]["schemas"]
    assert schemas["Result"]["properties"]["code"]["enum"] == sorted(RESULT_CODES)
    assert schemas["Change"]["properties"]["entity"]["enum"] == list(CODECS)
    assert all(schemas[schema_name(kind)] == PAYLOADS[kind] for kind in PAYLOADS)
