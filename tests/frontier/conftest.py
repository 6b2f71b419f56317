"""A frontier of the test's own in Redis (database 15, a key prefix per test), removed after."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from moviespider.frontier.store import Frontier

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_server() -> Iterator[Redis]:
    server = Redis.from_url(REDIS_URL)
    try:
        server.ping()
    except RedisConnectionError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"no Redis at {REDIS_URL}")
    yield server
    server.close()


@pytest.fixture
def frontier(redis_server: Redis) -> Iterator[Frontier]:
    frontier = Frontier(redis_server, f"test-{uuid.uuid4().hex[:12]}")
    yield frontier
    frontier.clear()
