import random
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos.domain.sync import (
    EnvelopeError,
    backoff_ms,
    body_digest,
    canonical,
    digest_of,
    legacy_canonical,
    read_envelope,
)


def _event(**changes: object) -> dict[str, object]:
    event: dict[str, object] = {
        "id": str(uuid.uuid4()),
        "seq": 3,
        "type": "sale.completed",
        "schema_version": 1,
        "payload": {"total": 1000},
    }
    event.update(changes)
    return event


def test_envelopes_are_checked_and_named() -> None:
    assert read_envelope(_event()).seq == 3
    for bad, code in (
        ([], "malformed"),
        (_event(id="x"), "malformed"),
        (_event(seq=0), "malformed"),
        (_event(seq=True), "malformed"),
        (_event(seq="3"), "malformed"),
        (_event(type="teleport"), "unknown_type"),
        (_event(schema_version=2), "unsupported_version"),
        (_event(payload=[1]), "malformed"),
    ):
        with pytest.raises(EnvelopeError) as caught:
            read_envelope(bad)
        assert caught.value.code == code


def test_the_digest_sees_every_change_but_not_key_order() -> None:
    key = uuid.uuid4()
    assert body_digest(key, 1, "sale.completed", 1, {"a": 1, "b": 2}) == body_digest(
        key, 1, "sale.completed", 1, {"b": 2, "a": 1}
    )
    assert body_digest(key, 1, "sale.completed", 1, {"a": 1}) != body_digest(key, 1, "sale.completed", 1, {"a": 2})
    assert body_digest(key, 1, "sale.completed", 1, {}) != body_digest(key, 2, "sale.completed", 1, {})


def test_backoff_grows_with_jitter_and_stays_capped() -> None:
    rng = random.Random(1)
    waits = [max(backoff_ms(n, 1000, 60_000, rng) for _ in range(200)) for n in range(12)]
    assert waits[0] <= 1000 and waits[3] <= 8000 and waits[3] > 4000
    assert all(w <= 60_000 for w in waits) and waits[-1] > 30_000
    assert len({backoff_ms(5, rng=rng) for _ in range(50)}) > 40  # outlets do not retry in step


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_canonical_text_is_byte_for_byte_the_standard_librarys(value: object) -> None:
    # stored digests were made from json.dumps(sort_keys=True); orjson must give the same bytes (or defer to it)
    assert canonical(value) == legacy_canonical(value)


def test_the_digest_from_canonical_text_equals_the_digest_of_the_whole_event() -> None:
    env = read_envelope(_event(payload={"b": [1, "é", None], "a": {"z": True, "y": 2**65}}))
    assert digest_of(env, env.text) == body_digest(env.id, env.seq, env.type, env.schema_version, env.payload)


def test_the_worker_never_waits_longer_than_its_cap_between_tries() -> None:
    import random

    from pos.domain.sync import backoff_ms
    from pos.sync.worker import RETRY_CAP_MS

    rng = random.Random(7)
    waits = [backoff_ms(failures, base_ms=1000, cap_ms=RETRY_CAP_MS, rng=rng) for failures in range(200)]
    assert max(waits) <= RETRY_CAP_MS <= 10_000  # a backlog moves within 10 s of central's return
    assert max(waits) > RETRY_CAP_MS // 2  # full jitter over the whole range, not a fixed step


def test_the_duplicate_and_conflict_rule() -> None:
    from pos.domain.sync import Verdict, decide

    assert decide(7, None, (), seq_taken=False) == Verdict.FRESH
    assert decide(7, None, (), seq_taken=True) == Verdict.SEQ_REUSED
    assert decide(7, (7, "abc"), ("abc", "old"), seq_taken=True) == Verdict.DUPLICATE  # a repeat, whatever its seq
    assert decide(7, (7, "abc"), ("xyz",), seq_taken=False) == Verdict.CHANGED_BODY
    assert decide(7, (8, "abc"), ("abc",), seq_taken=False) == Verdict.CHANGED_BODY  # another outlet's event id
