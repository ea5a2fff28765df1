"""Rate limits in one store for every worker (issue 23): two app processes with the same Redis count the
login attempts of one address together. Needs Redis (POS_TEST_REDIS_URL, default the local one); under CI it
must run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import Client, make_app

REDIS = os.environ.get("POS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_up() -> bool:
    try:
        import redis

        redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping()
        return True
    except Exception:  # no server, or no client library
        return False


pytestmark = pytest.mark.skipif(
    not _redis_up() and os.environ.get("CI") != "true", reason=f"no Redis at {REDIS} (set POS_TEST_REDIS_URL)"
)


def test_workers_share_one_login_limit_through_redis(db_path: Path) -> None:
    import redis

    redis.Redis.from_url(REDIS).flushdb()
    workers = [make_app(f"sqlite:///{db_path}", RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=REDIS) for _ in range(2)]
    clients = [Client(app.test_client()) for app in workers]
    answers = []
    for n in range(31):  # the login form allows 30 posts a minute from one address
        client = clients[n % 2]
        answers.append(client.post("/login", {"username": "nobody", "password": "wrong-password"}).status_code)
    assert answers[:30] == [401] * 30
    assert answers[30] == 429  # counted across both workers: 15 + 15, then refused
    redis.Redis.from_url(REDIS).flushdb()


def test_the_storage_setting_is_checked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from pos.config import ConfigError, from_environment

    monkeypatch.setenv("POS_RATELIMIT_STORAGE", "redis://127.0.0.1:6379/3")
    assert from_environment(tmp_path)["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"
    monkeypatch.setenv("POS_RATELIMIT_STORAGE", "mongodb://x")
    with pytest.raises(ConfigError):
        from_environment(tmp_path)
