"""The outlet's sync worker: pull central's changes, push the outbox, mark exactly what central acknowledged.

Transport errors never give up (exponential backoff with jitter); an event central refuses is
quarantined, counted and shown, and never blocks the events behind it. Killing the process at any
moment is safe: an event sent but not yet marked is sent again and acknowledged as a duplicate.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import httpx
from flask import current_app
from sqlalchemy import update

from pos.core import clock
from pos.domain.sync import backoff_ms
from pos.extensions import db
from pos.models import OutboxEvent, Outlet, SyncStatus
from pos.sync import changes, outbox

BATCH = 500


class SyncError(Exception):
    pass


@dataclass
class Report:
    pulled: int = 0
    sent: int = 0
    quarantined: int = 0
    pending: int = 0
    already_stored: int = 0  # of those sent: central had them (an earlier answer was lost)

    def __str__(self) -> str:
        return (
            f"pulled {self.pulled}, sent {self.sent} ({self.already_stored} already stored), "
            f"quarantined {self.quarantined}, waiting {self.pending}"
        )


def _settings() -> tuple[str, str]:
    url = current_app.config.get("POS_CENTRAL_URL") or ""
    token = current_app.config.get("POS_SYNC_TOKEN") or ""
    if not url or not token:
        raise SyncError("POS_CENTRAL_URL and POS_SYNC_TOKEN must be set on an outlet node")
    return url.rstrip("/"), token


def status() -> SyncStatus:
    found = db.session.get(SyncStatus, 1)
    if found is None:
        found = SyncStatus(id=1, pull_cursor=0, failures=0)
        db.session.add(found)
        db.session.flush()
    return found


def _call(client: httpx.Client, method: str, url: str, **kw: Any) -> Any:
    try:
        response = client.request(method, url, **kw)
    except httpx.HTTPError as exc:
        raise SyncError(f"network: {type(exc).__name__}: {exc}"[:400]) from exc
    if response.status_code != 200:
        raise SyncError(f"central answered {response.status_code}: {response.text[:300]}")
    try:
        return response.json()
    except ValueError as exc:
        raise SyncError("central answered with something that is not JSON") from exc


def pull(client: httpx.Client, base: str, token: str) -> int:
    applied = 0
    for _ in range(10_000):
        cursor = status().pull_cursor
        page = _call(
            client,
            "GET",
            f"{base}/api/v1/sync/pull",
            params={"cursor": cursor},
            headers={"Authorization": f"Bearer {token}"},
        )
        try:
            applied += changes.apply_page(page, current_app.config.get("POS_OUTLET_CODE"))
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        if not page.get("more"):
            break
    return applied


def take_standing(client: httpx.Client, base: str, token: str) -> None:
    """A node restored from a backup: continue after what central holds of the outlet, before anything is sent
    or sold."""
    from pos.sync import standing

    if not standing.selling_blocked():
        return
    outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == current_app.config.get("POS_OUTLET_CODE")))
    if outlet is None:
        return  # the first pull has not brought the outlet yet
    answer = _call(client, "GET", f"{base}/api/v1/sync/standing", headers={"Authorization": f"Bearer {token}"})
    try:
        standing.continue_after(answer, outlet)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


# Refusals that can heal: what the event names has not reached central yet (it may, in a later batch).
# Such an event is sent again with the next batches, HEAL_TRIES times, before it is quarantined.
HEALS = frozenset({"unknown_reference"})
HEAL_TRIES = 20


def push(client: httpx.Client, base: str, token: str, batch: int | None = None) -> tuple[int, int, int]:
    """Send the outbox in batches; returns events sent, of which already stored on central, and quarantined."""
    batch = batch or BATCH
    sent = quarantined = duplicates = 0
    outlet_code = current_app.config.get("POS_OUTLET_CODE")
    after = 0
    while True:
        # plain rows, not objects: the rollback below would expire objects into one reload each
        events = list(
            db.session.execute(
                db.select(
                    OutboxEvent.id,
                    OutboxEvent.uuid,
                    OutboxEvent.seq,
                    OutboxEvent.event_type,
                    OutboxEvent.schema_version,
                    OutboxEvent.payload,
                    OutboxEvent.attempts,
                )
                .where(OutboxEvent.sent_at.is_(None), OutboxEvent.quarantined_at.is_(None), OutboxEvent.seq > after)
                .order_by(OutboxEvent.seq)
                .limit(batch)
            )
        )
        db.session.rollback()  # no transaction held open while the request travels
        if not events:
            return sent, duplicates, quarantined
        after = events[-1].seq
        body = {
            "outlet": outlet_code,
            "events": [
                {
                    "id": str(e.uuid),
                    "seq": e.seq,
                    "type": e.event_type,
                    "schema_version": e.schema_version,
                    "payload": json.loads(e.payload),
                }
                for e in events
            ],
        }
        try:
            answer = _call(
                client, "POST", f"{base}/api/v1/sync/push", json=body, headers={"Authorization": f"Bearer {token}"}
            )
        except SyncError:
            db.session.execute(
                update(OutboxEvent)
                .where(OutboxEvent.id.in_([e.id for e in events]))
                .values(attempts=OutboxEvent.attempts + 1)
            )
            db.session.commit()
            raise
        by_id = {e.uuid.hex: e for e in events}
        now = clock.now()
        done, refused, waiting = [], [], []
        for result in answer.get("results", []):
            key = str(result.get("id", "")).replace("-", "")
            if key not in by_id:
                continue
            if result.get("status") in ("accepted", "duplicate"):
                done.append(by_id[key].id)
                duplicates += result.get("status") == "duplicate"
            elif result.get("status") in ("conflict", "rejected"):
                event = by_id[key]
                reason = f"{result.get('code')}: {result.get('message')}"[:500]
                if result.get("code") in HEALS and event.attempts + 1 < HEAL_TRIES:
                    waiting.append((event.id, reason))  # what it names may reach central later: try again
                else:
                    refused.append((event.id, reason))
        if done:
            db.session.execute(update(OutboxEvent).where(OutboxEvent.id.in_(done)).values(sent_at=now))
        for event_id, reason in waiting:
            db.session.execute(
                update(OutboxEvent)
                .where(OutboxEvent.id == event_id)
                .values(last_error=reason, attempts=OutboxEvent.attempts + 1)
            )
        for event_id, reason in refused:
            db.session.execute(
                update(OutboxEvent)
                .where(OutboxEvent.id == event_id)
                .values(quarantined_at=now, last_error=reason, attempts=OutboxEvent.attempts + 1)
            )
        db.session.commit()
        sent += len(done)
        quarantined += len(refused)


def sync_once(client: httpx.Client | None = None, batch: int | None = None) -> Report:
    """Pull, then push everything waiting. Records the outcome for the sync status screen."""
    base, token = _settings()
    own = client is None
    client = client or httpx.Client(timeout=httpx.Timeout(30.0, connect=10.0))
    state = status()
    state.last_attempt_at = clock.now()
    db.session.commit()
    try:
        report = Report()
        report.pulled = pull(client, base, token)
        take_standing(client, base, token)
        report.sent, report.already_stored, report.quarantined = push(client, base, token, batch)
        report.pending = outbox.pending_count()
    except Exception as exc:
        db.session.rollback()
        state = status()
        state.failures = (state.failures or 0) + 1
        state.last_error = str(exc)[:500]
        db.session.commit()
        raise SyncError(str(exc)) from exc
    finally:
        if own:
            client.close()
    state = status()
    state.failures = 0
    state.last_error = None
    state.last_success_at = clock.now()
    db.session.commit()
    return report


# The longest wait between tries while central cannot be reached: a backlog moves within this of its return.
RETRY_CAP_MS = 8_000


def run(interval: int = 15, stop: Any = None, log: Any = print, batch: int | None = None) -> None:
    """Sync forever: every ``interval`` seconds while healthy, backing off with jitter after failures."""
    failures = 0
    with httpx.Client(timeout=httpx.Timeout(30.0, connect=10.0)) as client:
        while stop is None or not stop.is_set():
            try:
                report = sync_once(client, batch)
                failures = 0
                log(f"sync: {report}")
                wait_ms = 500 if report.pending else interval * 1000
            except SyncError as exc:
                failures += 1
                wait_ms = max(1000, backoff_ms(failures, base_ms=1000, cap_ms=RETRY_CAP_MS))
                log(f"sync failed ({failures}): {exc}; next try in {wait_ms // 1000} s")
            finally:
                db.session.remove()
            if stop is not None:
                stop.wait(wait_ms / 1000)
            else:
                time.sleep(wait_ms / 1000)
