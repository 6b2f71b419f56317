"""The shared frontier in Redis: queue, seen-set and leases, each change one atomic script.

Keys follow scrapy-redis's layout, named after the crawl (``DISTRIBUTED_CRAWL``) instead of the
spider: ``<crawl>:requests`` (scrapy-redis's priority queue: a sorted set scored by -priority),
``<crawl>:dupefilter`` (the seen-set of request fingerprints), and moviespider's own:
``<crawl>:leases`` (lease id → deadline, Redis's clock in ms), ``<crawl>:leased`` and
``<crawl>:lease_scores`` (lease id → request, priority score), ``<crawl>:done``,
``<crawl>:requeued``, ``<crawl>:failed`` (pages given up on) and ``<crawl>:films`` (the catalog's
film budget). A lease id is ``<worker>:<n>``.

Taking a request moves it from the queue into the leases in one script, so a worker that dies
holding it loses nothing: the lease expires and any worker's reaper puts the request back.
Enqueueing records the fingerprint and queues the request in one script, so no kill between the
two can mark a request seen that was never queued. See docs/distributed.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from moviespider.errors import ConfigError

if TYPE_CHECKING:
    from moviespider.config import DistributedConfig

# KEYS: queue, dupefilter. ARGV: fingerprint ("" when the request is not filtered), score,
# request. 1 when queued, 0 when seen before.
_ENQUEUE = """
if ARGV[1] ~= '' and redis.call('SADD', KEYS[2], ARGV[1]) == 0 then
    return 0
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
return 1
"""

# KEYS: queue, leases, leased, lease_scores, lease_counter. ARGV: worker, lease ms.
# {lease id, request} or nil when the queue is empty.
_TAKE = """
local taken = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #taken == 0 then
    return nil
end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
local clock = redis.call('TIME')
local now = clock[1] * 1000 + math.floor(clock[2] / 1000)
local id = ARGV[1] .. ':' .. redis.call('INCR', KEYS[5])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), id)
redis.call('HSET', KEYS[3], id, taken[1])
redis.call('HSET', KEYS[4], id, taken[2])
return {id, taken[1]}
"""

# KEYS: leases. ARGV: lease ms, lease ids. How many of them were still held.
_RENEW = """
local clock = redis.call('TIME')
local deadline = clock[1] * 1000 + math.floor(clock[2] / 1000) + tonumber(ARGV[1])
local held = 0
for i = 2, #ARGV do
    held = held + redis.call('ZADD', KEYS[1], 'XX', 'CH', deadline, ARGV[i])
end
return held
"""

# KEYS: leases, leased, lease_scores, done. ARGV: lease ids. How many were held.
_ACK = """
local held = 0
for i = 1, #ARGV do
    if redis.call('ZREM', KEYS[1], ARGV[i]) == 1 then
        held = held + 1
    end
    redis.call('HDEL', KEYS[2], ARGV[i])
    redis.call('HDEL', KEYS[3], ARGV[i])
end
redis.call('INCRBY', KEYS[4], held)
return held
"""

# KEYS: leases, leased, lease_scores, queue, requeued. ARGV: at most this many.
# How many expired leases were put back in the queue.
_REAP = """
local clock = redis.call('TIME')
local now = clock[1] * 1000 + math.floor(clock[2] / 1000)
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
for _, id in ipairs(expired) do
    local request = redis.call('HGET', KEYS[2], id)
    if request then
        local score = redis.call('HGET', KEYS[3], id) or 0
        redis.call('ZADD', KEYS[4], score, request)
    end
    redis.call('ZREM', KEYS[1], id)
    redis.call('HDEL', KEYS[2], id)
    redis.call('HDEL', KEYS[3], id)
end
redis.call('INCRBY', KEYS[5], #expired)
return #expired
"""

# KEYS: films. ARGV: subject id, max films (0: no limit). 1 when the film may be requested: a
# film taken before is again (its request may have died with a worker before it was queued;
# the seen-set keeps it once), a new one while the budget lasts.
_TAKE_FILM = """
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then
    return 1
end
local limit = tonumber(ARGV[2])
if limit > 0 and redis.call('SCARD', KEYS[1]) >= limit then
    return 0
end
redis.call('SADD', KEYS[1], ARGV[1])
return 1
"""

REAP_BATCH = 1000
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)  # what an outage raises


def redis_client(url: str) -> Redis:
    """A client that fails fast when Redis is down: the scheduler rides outages itself."""
    return Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5, health_check_interval=30)


def reachable_client(config: DistributedConfig) -> Redis:
    """A client for the frontier's Redis, or ConfigError in one line when it cannot be reached
    (a crawl, or a `scrapy frontier` command, starting against a Redis that is down)."""
    assert config.url is not None
    client = redis_client(config.url)
    try:
        client.ping()
    except REDIS_DOWN as error:
        raise ConfigError(
            f"setting DISTRIBUTED: cannot reach Redis at {config.safe_url}: {error}"
        ) from None
    return client


@dataclass(frozen=True)
class FrontierStatus:
    queued: int
    leased: dict[str, int]  # worker -> leases held
    expired: int
    seen: int
    done: int
    requeued: int
    failed: int
    films: int
    bytes_per_queued: float | None
    bytes_per_fingerprint: float | None
    used_memory: int


class Frontier:
    """One crawl's frontier in Redis. Blocking: every method is one round trip or a few."""

    def __init__(self, server: Redis, crawl: str):
        self.server = server
        self.crawl = crawl
        self.queue_key = f"{crawl}:requests"  # scrapy-redis's SCHEDULER_QUEUE_KEY layout
        self.dupefilter_key = f"{crawl}:dupefilter"  # scrapy-redis's SCHEDULER_DUPEFILTER_KEY
        self.leases_key = f"{crawl}:leases"
        self.leased_key = f"{crawl}:leased"
        self.scores_key = f"{crawl}:lease_scores"
        self.counter_key = f"{crawl}:lease_counter"
        self.done_key = f"{crawl}:done"
        self.requeued_key = f"{crawl}:requeued"
        self.failed_key = f"{crawl}:failed"
        self.films_key = f"{crawl}:films"
        self._enqueue = server.register_script(_ENQUEUE)
        self._take = server.register_script(_TAKE)
        self._renew = server.register_script(_RENEW)
        self._ack = server.register_script(_ACK)
        self._reap = server.register_script(_REAP)
        self._take_film = server.register_script(_TAKE_FILM)

    def keys(self) -> list[str]:
        return [
            self.queue_key,
            self.dupefilter_key,
            self.leases_key,
            self.leased_key,
            self.scores_key,
            self.counter_key,
            self.done_key,
            self.requeued_key,
            self.failed_key,
            self.films_key,
        ]

    def enqueue(self, request: bytes, score: float, fingerprint: bytes | None) -> bool:
        """Queue a serialized request unless its fingerprint was seen (None: never filtered)."""
        queued = self._enqueue(
            keys=[self.queue_key, self.dupefilter_key],
            args=[fingerprint or b"", score, request],
        )
        return bool(queued)

    def take(self, worker: str, lease_ms: int) -> tuple[str, bytes] | None:
        """The next request, leased to ``worker`` for ``lease_ms``: (lease id, request)."""
        taken = self._take(
            keys=[
                self.queue_key,
                self.leases_key,
                self.leased_key,
                self.scores_key,
                self.counter_key,
            ],
            args=[worker, lease_ms],
        )
        if not taken:
            return None
        lease, request = taken
        return (lease.decode() if isinstance(lease, bytes) else lease), request

    def renew(self, leases: Iterable[str], lease_ms: int) -> int:
        leases = list(leases)
        if not leases:
            return 0
        return int(self._renew(keys=[self.leases_key], args=[lease_ms, *leases]))

    def ack(self, leases: Iterable[str]) -> int:
        leases = list(leases)
        if not leases:
            return 0
        return int(
            self._ack(
                keys=[self.leases_key, self.leased_key, self.scores_key, self.done_key],
                args=leases,
            )
        )

    def requeue_expired(self) -> int:
        """Put every expired lease's request back in the queue; how many there were."""
        requeued = 0
        while True:
            batch = int(
                self._reap(
                    keys=[
                        self.leases_key,
                        self.leased_key,
                        self.scores_key,
                        self.queue_key,
                        self.requeued_key,
                    ],
                    args=[REAP_BATCH],
                )
            )
            requeued += batch
            if batch < REAP_BATCH:
                return requeued

    def take_film(self, subject_id: str, max_films: int) -> bool:
        return bool(self._take_film(keys=[self.films_key], args=[subject_id, max_films]))

    def record_failure(self, line: str) -> None:
        self.server.rpush(self.failed_key, line)

    def failures(self) -> list[str]:
        return [line.decode() for line in self.server.lrange(self.failed_key, 0, -1)]

    def queued(self) -> int:
        return int(self.server.zcard(self.queue_key))

    def done(self) -> int:
        """Requests acknowledged, by every worker, since the crawl began."""
        return int(self.server.get(self.done_key) or 0)

    def outstanding(self) -> int:
        """Requests queued or leased: while any are, the crawl is not over."""
        with self.server.pipeline(transaction=False) as pipe:
            pipe.zcard(self.queue_key)
            pipe.zcard(self.leases_key)
            queued, leased = pipe.execute()
        return int(queued) + int(leased)

    def status(self) -> FrontierStatus:
        clock = self.server.time()
        now_ms = clock[0] * 1000 + clock[1] // 1000
        leases = self.server.zrange(self.leases_key, 0, -1)
        leased: dict[str, int] = {}
        for lease in leases:
            worker = lease.decode().rsplit(":", 1)[0]
            leased[worker] = leased.get(worker, 0) + 1
        queued = int(self.server.zcard(self.queue_key))
        seen = int(self.server.scard(self.dupefilter_key))
        return FrontierStatus(
            queued=queued,
            leased=leased,
            expired=int(self.server.zcount(self.leases_key, "-inf", now_ms)),
            seen=seen,
            done=self.done(),
            requeued=int(self.server.get(self.requeued_key) or 0),
            failed=int(self.server.llen(self.failed_key)),
            films=int(self.server.scard(self.films_key)),
            bytes_per_queued=self._bytes_per_entry(self.queue_key, queued),
            bytes_per_fingerprint=self._bytes_per_entry(self.dupefilter_key, seen),
            used_memory=int(self.server.info("memory")["used_memory"]),
        )

    def _bytes_per_entry(self, key: str, entries: int) -> float | None:
        if not entries:
            return None
        # SAMPLES 0: every element, not Redis's default estimate from five.
        used = self.server.memory_usage(key, samples=0)
        return None if used is None else used / entries

    def clear(self) -> int:
        return int(self.server.delete(*self.keys()))
