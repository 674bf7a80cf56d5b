"""Login throttling per account and per address, shared through Redis; argon2 bounded (issue 15)."""
from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from limits import parse
from limits.storage import storage_from_string
from sqlalchemy import Engine

from dossier.settings import Settings
from services.app import create_app
from services.auth import passwords
from services.security.throttle import LoginThrottle
from storage.db import make_sessionmaker
from storage.objects import open_store
from tests.auth_helpers import post_login
from tests.conftest import reachable
from tests.review_helpers import PASSWORD, person

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def client(settings: Settings, sqlite_engine: Engine) -> Any:
    strict = settings.model_copy(update={"anonymous_uploads": False, "login_limit_account": "3/minute",
                                         "login_limit_address": "8/minute"})
    with make_sessionmaker(sqlite_engine)() as s:
        person(s, "unit-a", "unit", organisation="甲局机关党支部")
        person(s, "unit-b", "unit", organisation="乙局机关党支部")
    app = create_app(strict, engine=sqlite_engine, store=open_store(strict))
    with TestClient(app) as c:
        yield c


def test_an_account_is_locked_after_its_failures_and_says_when_to_retry(client: TestClient) -> None:
    """GIVEN 3 wrong passwords for unit-a THEN the 4th attempt, even with the right password, is 429
    with Retry-After and a Chinese message; unit-b from the same address still logs in."""
    assert [post_login(client, "unit-a", "wrong").status_code for _ in range(3)] == [401, 401, 401]
    r = post_login(client, "unit-a", follow_redirects=False)
    assert r.status_code == 429 and "登录尝试过多" in r.text and 1 <= int(r.headers["retry-after"]) <= 60
    assert post_login(client, "unit-b", follow_redirects=False).status_code == 303


def test_a_success_clears_the_accounts_count(client: TestClient) -> None:
    assert [post_login(client, "unit-a", "wrong").status_code for _ in range(2)] == [401, 401]
    assert post_login(client, "unit-a", follow_redirects=False).status_code == 303
    assert [post_login(client, "unit-a", "wrong").status_code for _ in range(2)] == [401, 401]


def test_an_address_is_stopped_whatever_names_it_tries(client: TestClient) -> None:
    """GIVEN one address guessing many names (2 attempts each, under the per-account limit) THEN it is
    stopped at its 9th attempt."""
    codes = [post_login(client, f"guess{i // 2}", "wrong").status_code for i in range(10)]
    assert codes == [401] * 8 + [429, 429]


@pytest.mark.services
def test_replicas_share_the_counts_through_redis() -> None:
    """GIVEN two API replicas (two throttles on one Redis) THEN failures counted by one stop the other."""
    if not reachable(REDIS_URL, 6379):
        pytest.skip("Redis not reachable")
    settings = Settings(throttle_url=REDIS_URL, login_limit_account="2/minute", login_limit_address="100/minute")
    a, b = LoginThrottle.from_settings(settings), LoginThrottle.from_settings(settings)
    name = f"user-{uuid.uuid4().hex}"
    try:
        assert a.attempt(name, "10.0.0.1").allowed and b.attempt(name, "10.0.0.2").allowed
        assert not a.attempt(name, "10.0.0.3").allowed and not b.attempt(name, "10.0.0.4").allowed
    finally:
        a.succeeded(name)
        storage = storage_from_string(REDIS_URL)
        for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"):
            storage.clear(parse("100/minute").key_for("login-address", ip))


def test_argon2_work_is_bounded_in_concurrency(monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN 12 verifications at once with a bound of 2 THEN never more than 2 run together."""
    running, peak, lock = 0, 0, threading.Lock()
    real = passwords._hasher

    class Counting:
        def verify(self, stored: str, password: str) -> bool:
            nonlocal running, peak
            with lock:
                running += 1
                peak = max(peak, running)
            try:
                return real.verify(stored, password)
            finally:
                with lock:
                    running -= 1

    monkeypatch.setattr(passwords, "_hasher", Counting())
    passwords.bound_concurrency(2)
    stored = real.hash(PASSWORD)
    started = time.monotonic()
    threads = [threading.Thread(target=passwords.verify_password, args=(stored, PASSWORD)) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert peak == 2 and time.monotonic() - started < 30
