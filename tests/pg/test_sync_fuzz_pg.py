"""Generated events against central on PostgreSQL (tests/web/test_sync_fuzz.py): never a 500, and what is
stored recomputes from central's own agreements."""

from __future__ import annotations

from flask import Flask

from tests.web.test_sync_fuzz import fuzz, recomputed


def test_generated_events_never_cause_a_500_on_postgresql(pg_app: Flask) -> None:
    seen = fuzz(pg_app, examples=210)
    print("generated events on PostgreSQL:", seen)
    assert seen["events"] >= 10_000 and seen.get("accepted", 0) > 1000 and seen.get("rejected", 0) > 100
    assert recomputed(pg_app, "SRG-CPR") == []
