"""One pushed batch, from the events as sent to each one's outcome: envelopes read, repeats and changed bodies
found, each event handled, the accepted ones written (event by event in savepoints if the database refuses one),
the outlet's sync state counted."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

import psycopg
from flask import current_app
from sqlalchemy import case
from sqlalchemy.exc import IntegrityError

from pos.core import clock, upsert
from pos.core.zones import programme_zone
from pos.domain.sync import Envelope, EnvelopeError, Verdict, canonical, decide, digest_of, read_envelope
from pos.extensions import db
from pos.models import (
    AgreementVersion,
    Investor,
    Outlet,
    OutletSyncState,
    Product,
    Sale,
    SaleLine,
    Shift,
    SyncConflict,
    SyncEvent,
    User,
)
from pos.sync.events import SALE_TYPES
from pos.sync.ingest.batch import HANDLERS, Batch
from pos.sync.ingest.bulk import EVENT_COLUMNS, WRITE_FAILURES, bulk_insert, lookup
from pos.sync.ingest.dedupe import encodable, legacy_digest, record_refusal, stored_events, taken
from pos.sync.ingest.documents import stub_users
from pos.sync.ingest.refs import Refs, collect, elsewhere, line_facts, members_of, product_facts
from pos.sync.ingest.values import Outcome, Refused, text_of, uuid_of, without_nul
from pos.sync.ingest.writer import write

# What the conflict log records, and what the outlet is told, of an event the log refuses.
REFUSED_BY_LOG = {
    Verdict.CHANGED_BODY: ("stored with another body", "this event id is stored with another body"),
    Verdict.SEQ_REUSED: ("sequence number already used", "this sequence number is taken"),
}


def ingest(outlet: Outlet, raw_events: list[Any]) -> list[Outcome]:
    """Take one pushed batch. Nothing is written for a refused event; the others are stored once."""
    outcomes: list[Outcome] = []
    envelopes: list[Envelope] = []
    seen: dict[uuid.UUID, Envelope] = {}
    for raw in raw_events:
        try:
            env = read_envelope(raw)
        except EnvelopeError as exc:
            raw_id = raw.get("id") if isinstance(raw, dict) else None
            raw_seq = raw.get("seq") if isinstance(raw, dict) else None
            outcomes.append(
                Outcome(
                    str(raw_id)[:40] if raw_id is not None else None,
                    raw_seq if isinstance(raw_seq, int) and not isinstance(raw_seq, bool) else None,
                    "rejected",
                    exc.code,
                    str(exc),
                )
            )
            continue
        twin = seen.get(env.id)
        if twin is not None:
            status = "duplicate" if twin.digest == env.digest else "conflict"
            outcomes.append(
                Outcome(
                    str(env.id),
                    env.seq,
                    status,
                    None if status == "duplicate" else "changed_body",
                    None if status == "duplicate" else "the same event id was sent with another body",
                )
            )
            continue
        seen[env.id] = env
        envelopes.append(env)
    envelopes.sort(key=lambda e: e.seq)

    # Events already stored: acknowledge exact repeats, refuse changed bodies.
    stored = stored_events(outlet, envelopes)
    taken_seqs = taken(SyncEvent.__table__.c.seq, outlet, [e.seq for e in envelopes if e.id not in stored], "bigint")
    texts = {}
    for env in list(envelopes):
        text = canonical(env.payload)
        if not encodable(text):  # a lone surrogate: no database can store it, no client meant it
            envelopes.remove(env)
            record_refusal(outlet, env.id, env.seq, env.type, "invalid_text", "text that is not valid Unicode", text)
            outcomes.append(Outcome(str(env.id), env.seq, "rejected", "invalid_text", "text that is not valid Unicode"))
            continue
        texts[env.id] = text
    for env in envelopes:
        if "\\u0000" in texts[env.id]:  # no PostgreSQL text column holds NUL: the stored records go without it
            cleaned = without_nul(env.payload)
            env.payload.clear()
            env.payload.update(cleaned)
    fresh: list[Envelope] = []
    for env in envelopes:
        digests = (digest_of(env, texts[env.id]), legacy_digest(env)) if env.id in stored else ()
        verdict = decide(outlet.id, stored.get(env.id), digests, env.seq in taken_seqs)
        if verdict == Verdict.FRESH:
            fresh.append(env)
        elif verdict == Verdict.DUPLICATE:
            outcomes.append(Outcome(str(env.id), env.seq, "duplicate"))
        else:
            told, answer = REFUSED_BY_LOG[verdict]
            record_refusal(outlet, env.id, env.seq, env.type, verdict.value, told, env.payload)
            outcomes.append(Outcome(str(env.id), env.seq, "conflict", verdict.value, answer))

    wanted = collect(fresh)
    refs = Refs(
        products=lookup(Product, wanted["products"]),
        investors=lookup(Investor, wanted["investors"]),
        versions=lookup(AgreementVersion, wanted["versions"]),
        users=lookup(User, wanted["users"], outlet.id),
        shifts=lookup(Shift, wanted["shifts"], outlet.id),
        sales=lookup(Sale, wanted["sales"], outlet.id),
        lines=lookup(SaleLine, wanted["lines"], outlet.id),
    )
    refs.elsewhere = elsewhere(wanted, refs)
    refs.members, refs.foreign_members = members_of(outlet.cooperative_id, wanted["members"])
    refs.product_facts = product_facts(refs.products.values())
    refs.line_facts = line_facts(outlet.id, refs.lines)
    stub_users(outlet, fresh, refs)
    batch = Batch(outlet, refs)
    receipts = {text_of(e.payload.get("receipt_no"), 40) for e in fresh if e.type in SALE_TYPES}
    if receipts:
        batch.receipts_taken = taken(Sale.__table__.c.receipt_no, outlet, sorted(receipts), "text")
    accepted: list[Envelope] = []
    spans: dict[uuid.UUID, tuple[tuple[int, ...], tuple[int, ...]]] = {}  # each event's rows in the batch
    for env in fresh:
        before = batch.sizes()
        try:
            HANDLERS[env.type](batch, env)
        except (Refused, KeyError, TypeError, AttributeError, ValueError) as exc:
            batch.truncate(before)  # nothing of this event stays in the batch
            code = exc.code if isinstance(exc, Refused) else "invalid"
            message = str(exc) if isinstance(exc, Refused) else "the payload is incomplete"
            record_refusal(outlet, env.id, env.seq, env.type, code, message, env.payload)
            outcomes.append(Outcome(str(env.id), env.seq, "rejected", code, message))
            continue
        accepted.append(env)
        spans[env.id] = (before, batch.sizes())
        # sales later in the batch may refund this one
        if env.type == "sale.completed":
            refs.sales.setdefault(uuid_of(env.payload["uuid"], "uuid"), -1)
            for line in env.payload["lines"]:
                refs.lines.setdefault(uuid_of(line["uuid"], "line uuid"), -1)

    if accepted:
        try:
            with db.session.begin_nested():
                _write(outlet, batch, accepted, texts)
        except WRITE_FAILURES as exc:
            # One event the checks let through is refused by the database itself: write the batch again one
            # event at a time, each in its own savepoint, so that only the events the database refuses are lost.
            current_app.logger.warning("batch written event by event after %s", str(exc).splitlines()[0][:300])
            kept = []
            for env in accepted:
                try:
                    with db.session.begin_nested():
                        _write(outlet, batch.part(*spans[env.id]), [env], texts)
                except (*WRITE_FAILURES, KeyError) as single:
                    if isinstance(single, IntegrityError | psycopg.IntegrityError) and stored_events(outlet, [env]):
                        raise  # another push stored this event meanwhile: the retry acknowledges it
                    reason = str(single).splitlines()[0][:300] if str(single) else type(single).__name__
                    record_refusal(outlet, env.id, env.seq, env.type, "database_refused", reason, env.payload)
                    outcomes.append(
                        Outcome(str(env.id), env.seq, "rejected", "database_refused", "central could not store it")
                    )
                    continue
                kept.append(env)
            accepted = kept
        outcomes.extend(Outcome(str(env.id), env.seq, "accepted") for env in accepted)
        # an event refused before (a reference that had not arrived yet) and accepted now is no longer open
        db.session.execute(
            db.update(SyncConflict)
            .where(
                SyncConflict.outlet_id == outlet.id,
                SyncConflict.resolved_at.is_(None),
                SyncConflict.event_uuid.in_([env.id for env in accepted]),
            )
            .values(resolved_at=batch.now)
        )
    _touch_state(
        outlet,
        len(accepted),
        [env.seq for env in accepted],
        sum(1 for o in outcomes if o.status in ("conflict", "rejected")),
        sum(1 for o in outcomes if o.status == "duplicate"),
        sum(batch.price_differs.get(env.id, 0) for env in accepted),
    )
    return outcomes


def _write(outlet: Outlet, batch: Batch, events: list[Envelope], texts: dict[uuid.UUID, str]) -> None:
    """The event log rows and every record the events carry."""
    bulk_insert(
        SyncEvent,
        EVENT_COLUMNS,
        [
            (
                env.id,
                outlet.id,
                env.seq,
                env.type,
                env.schema_version,
                digest_of(env, texts[env.id]),
                texts[env.id],
                batch.now,
            )
            for env in events
        ],
    )
    write(batch)


def _touch_state(
    outlet: Outlet, accepted: int, seqs: list[int], refused: int, resent: int, price_differs: int = 0
) -> None:
    now = clock.now()
    today = clock.business_date(programme_zone(), now)
    stmt = upsert.insert(OutletSyncState)
    values = {
        "events_day": today,
        "events_today": accepted,
        "outlet_id": outlet.id,
        "last_seen_at": now,
        "last_event_at": now if accepted else None,
        "received": accepted,
        "max_seq": max(seqs) if seqs else 0,
        "conflicts": refused,
        "resent": resent,
        "price_differs": price_differs,
        "pull_cursor": 0,
    }
    set_: dict[str, Any] = {
        "last_seen_at": stmt.excluded.last_seen_at,
        "received": OutletSyncState.received + stmt.excluded.received,
        "max_seq": upsert.greatest(OutletSyncState.max_seq, stmt.excluded.max_seq),
        "conflicts": OutletSyncState.conflicts + stmt.excluded.conflicts,
        "resent": OutletSyncState.resent + stmt.excluded.resent,
        "price_differs": OutletSyncState.price_differs + stmt.excluded.price_differs,
        "events_today": case(
            (OutletSyncState.events_day == stmt.excluded.events_day, OutletSyncState.events_today + accepted),
            else_=accepted,
        ),
        "events_day": stmt.excluded.events_day,
    }
    if accepted:
        set_["last_event_at"] = stmt.excluded.last_event_at
    db.session.execute(stmt.values(**values).on_conflict_do_update(index_elements=["outlet_id"], set_=set_))


def as_response(outcomes: list[Outcome]) -> dict[str, Any]:
    counts: dict[str, int] = defaultdict(int)
    for outcome in outcomes:
        counts[outcome.status] += 1
    return {
        "results": [o.as_json() for o in outcomes],
        "accepted": counts["accepted"],
        "duplicates": counts["duplicate"],
        "conflicts": counts["conflict"],
        "rejected": counts["rejected"],
        "ack": [o.id for o in outcomes if o.status in ("accepted", "duplicate")],
    }
