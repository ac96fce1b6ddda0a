"""With Redis as limiter storage, the login limit holds across workers (separate app instances)."""
import os
import uuid

import pytest

from network_app.extensions import db
from tests.conftest import PASSWORD

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_url():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {REDIS_URL} is required in CI")
        pytest.skip(f"Redis at {REDIS_URL} is not running")
    return REDIS_URL


def test_two_workers_share_the_per_account_limit(redis_url, make_user, make_app):
    make_user(email="ada@example.org")
    db.session.commit()
    # A prefix of our own, so parallel runs and earlier runs do not share counters.
    settings = dict(RATELIMIT_STORAGE_URI=redis_url, RATELIMIT_KEY_PREFIX=uuid.uuid4().hex,
                    LOGIN_LIMIT_PER_ACCOUNT="3 per hour")
    workers = [make_app(**settings), make_app(**settings)]
    worker_a, worker_b = (w.test_client() for w in workers)
    wrong = {"email": "ada@example.org", "password": "wrong-password-123"}
    for worker in (worker_a, worker_b, worker_a):
        assert worker.post("/login", data=wrong).status_code == 401
    assert worker_b.post("/login", data={"email": "ada@example.org", "password": PASSWORD}).status_code == 429
