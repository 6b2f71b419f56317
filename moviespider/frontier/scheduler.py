"""The distributed scheduler: scrapy-redis's, with leases, one atomic enqueue and Redis outages
ridden out. See docs/distributed.md."""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time
from typing import TYPE_CHECKING

from scrapy.utils.asyncio import AsyncioLoopingCall
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler as RedisScheduler

from moviespider.config import DistributedConfig
from moviespider.durability import DurabilityTracker, FinishedRequests
from moviespider.frontier.dupefilter import FrontierDupeFilter
from moviespider.frontier.serializer import SiteRelativeSerializer
from moviespider.frontier.store import REDIS_DOWN, Frontier, redis_client
from moviespider.internals import engine_requests, request_dict
from moviespider.signals import items_durable, page_failed

if TYPE_CHECKING:
    from redis import Redis
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

STATS_PREFIX = "moviespider/frontier"
# Fingerprints this worker knows are in the shared duplicate filter, kept to skip a round trip
# for a request seen before (a popular film is recommended by many pages); emptied when full.
KNOWN_FINGERPRINTS = 50_000  # about 4 MB


class LeasedQueue(PriorityQueue):
    """scrapy-redis's priority queue (its key, scores and serializer), whose pop leases."""

    def __init__(self, frontier: Frontier, spider: Spider, serializer: SiteRelativeSerializer):
        super().__init__(frontier.server, spider, frontier.queue_key, serializer)
        self.frontier = frontier

    def _encode_request(self, request: Request) -> bytes:
        return self.serializer.dumps(request_dict(request, self.spider))

    def push_filtered(self, request: Request, fingerprint: bytes | None) -> bool:
        return self.frontier.enqueue(self._encode_request(request), -request.priority, fingerprint)

    def take(self, worker: str, lease_ms: int) -> tuple[str, Request] | None:
        taken = self.frontier.take(worker, lease_ms)
        if taken is None:
            return None
        lease, data = taken
        return lease, self._decode_request(data)


class FrontierScheduler(RedisScheduler):
    """Every worker of a crawl takes its requests from one Redis frontier, on a lease.

    A request is acknowledged, and leaves the frontier, only when the engine is done with it and
    its items are durable in every sink; until then the worker renews its lease. A worker that
    dies stops renewing: its leases expire and any worker requeues them.
    """

    # How it sees the engine's requests in progress (moviespider.internals); tests replace it.
    engine_requests = staticmethod(engine_requests)

    def __init__(self, crawler: Crawler, config: DistributedConfig):
        self.crawler = crawler
        self.config = config
        self.worker = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(2)}"
        self.finishing: FinishedRequests[str] | None = None  # leases, until done
        self.frontier: Frontier | None = None
        self.queue: LeasedQueue | None = None
        self.finished: list[str] = []  # leases to acknowledge
        self.unsent: list[tuple[Request, bytes | None]] = []  # enqueued while Redis was down
        self.known: set[bytes] = set()  # in the duplicate filter: it forgets nothing in a crawl
        self.down_since: float | None = None
        self.paused = False
        self._loop: AsyncioLoopingCall | None = None
        self._last_reap = 0.0
        super().__init__(
            server=None,
            persist=True,  # the frontier belongs to the crawl, not to one worker
            dupefilter_cls="moviespider.frontier.dupefilter.FrontierDupeFilter",
        )
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierScheduler:
        return cls(crawler, DistributedConfig.from_settings(crawler.settings))

    @property
    def lease_ms(self) -> int:
        return int(self.config.lease * 1000)

    # --- scrapy-redis's Scheduler interface -----------------------------------------------------

    def open(self, spider: Spider) -> None:
        self.spider = spider
        crawl = self.config.crawl or spider.name
        assert self.config.url is not None  # the add-on installs this scheduler only then
        server: Redis = redis_client(self.config.url)
        self.server = server
        self.frontier = Frontier(server, crawl)
        serializer = SiteRelativeSerializer(self.crawler.settings["DOUBAN_BASE_URL"])
        self.queue = LeasedQueue(self.frontier, spider, serializer)
        self.df = FrontierDupeFilter(server, self.frontier.dupefilter_key, self.fingerprint)
        self.finishing = FinishedRequests(
            DurabilityTracker.of(self.crawler), self.engine_requests(self.crawler)
        )
        self.crawler.signals.connect(self.page_failed, signal=page_failed)
        self.crawler.signals.connect(self.collect_finished, signal=items_durable)
        self._loop = AsyncioLoopingCall(self.tick)
        self._loop.start(min(self.config.lease / 3, 5.0), now=False)
        logger.info(
            "Worker %s of distributed crawl %r (%s); leases of %g s",
            self.worker,
            crawl,
            self.config.safe_url,
            self.config.lease,
            extra={"spider": spider},
        )

    def close(self, reason: str) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self.crawler.signals.disconnect(self.page_failed, signal=page_failed)
        self.crawler.signals.disconnect(self.collect_finished, signal=items_durable)
        # The engine is done with every request it started; acknowledge what is durable.
        self.collect_finished()
        self.flush()
        assert self.finishing is not None
        if (held := self.finishing.held()) or self.unsent:
            self.stats.set_value("moviespider/durability/not_durable", len(held))
            logger.warning(
                "Closing with %d requests unacknowledged (their items are not durable "
                "everywhere) and %d not handed to Redis: their leases expire and another worker "
                "takes them",
                len(held),
                len(self.unsent),
                extra={"spider": self.spider},
            )
        self.say_if_nothing_was_left()

    def say_if_nothing_was_left(self) -> None:
        """A worker that took nothing from a crawl whose requests are all done says so: run
        again under the same DISTRIBUTED_CRAWL, a finished crawl writes no film."""
        if self.config.seed_only or self.stats.get_value(f"{STATS_PREFIX}/taken"):
            return
        assert self.frontier is not None
        try:
            done = self.frontier.done()
            left = self.frontier.outstanding()  # a worker stopped early leaves a crawl under way
        except REDIS_DOWN:
            return
        if done and not left:
            logger.warning(
                "This worker crawled nothing: distributed crawl %r has nothing queued or leased "
                "and %d requests done already. To crawl it again from the start, clear it "
                "first (scrapy frontier clear), or give DISTRIBUTED_CRAWL a new name",
                self.frontier.crawl,
                done,
                extra={"spider": self.spider},
            )

    def enqueue_request(self, request: Request) -> bool:
        fingerprint = None if request.dont_filter else self.fingerprint(request)
        if fingerprint in self.known:
            self.stats.inc_value(f"{STATS_PREFIX}/filtered")
            return False
        if self.down_since is None:
            try:
                return self._push(request, fingerprint)
            except REDIS_DOWN as error:
                self.redis_down(error)
        self.unsent.append((request, fingerprint))  # the request that led to it is not acked
        return True

    def next_request(self) -> Request | None:
        self.collect_finished()
        if self.down_since is not None or self.queue is None or self.config.seed_only:
            return None
        try:
            self.flush()
            taken = self.queue.take(self.worker, self.lease_ms)
        except REDIS_DOWN as error:
            self.redis_down(error)
            return None
        if taken is None:
            return None
        lease, request = taken
        assert self.finishing is not None
        self.finishing.taken(request, lease)
        self.stats.inc_value(f"{STATS_PREFIX}/taken")
        return request

    def has_pending_requests(self) -> bool:
        if self.config.seed_only:
            return bool(self.unsent)
        assert self.finishing is not None
        if self.finishing.held() or self.unsent or self.down_since is not None:
            return True
        assert self.frontier is not None
        try:
            # Other workers' leases count: their requests may come back to the queue.
            return self.frontier.outstanding() > 0
        except REDIS_DOWN as error:
            self.redis_down(error)
            return True

    def __len__(self) -> int:
        assert self.frontier is not None
        return self.frontier.queued()

    # --- leases ---------------------------------------------------------------------------------

    def fingerprint(self, request: Request) -> bytes:
        return self.crawler.request_fingerprinter.fingerprint(request)

    def _push(self, request: Request, fingerprint: bytes | None) -> bool:
        assert self.queue is not None
        queued = self.queue.push_filtered(request, fingerprint)
        self.stats.inc_value(f"{STATS_PREFIX}/{'enqueued' if queued else 'filtered'}")
        if fingerprint is not None:
            if len(self.known) >= KNOWN_FINGERPRINTS:
                self.known.clear()
            self.known.add(fingerprint)
        return queued

    def collect_finished(self, watermark: int | None = None) -> None:
        """Acknowledge the leases of requests the engine is done with and whose items are
        durable in every sink (also on items_durable, whose *watermark* it re-reads)."""
        if self.finishing is not None:
            self.finished.extend(self.finishing.done())
        if self.finished and self.down_since is None:
            assert self.frontier is not None
            try:
                self.frontier.ack(self.finished)
            except REDIS_DOWN as error:
                self.redis_down(error)
                return
            self.stats.inc_value(f"{STATS_PREFIX}/acknowledged", len(self.finished))
            self.finished.clear()

    def flush(self) -> None:
        """Hand Redis the requests enqueued while it was down."""
        while self.unsent and self.down_since is None:
            request, fingerprint = self.unsent[0]
            try:
                self._push(request, fingerprint)
            except REDIS_DOWN as error:
                self.redis_down(error)
                return
            self.unsent.pop(0)

    def tick(self) -> None:
        """Every lease/3 (5 s at most): renew our leases, requeue expired ones, ride outages."""
        assert self.frontier is not None
        if self.down_since is not None and not self.redis_back():
            return
        try:
            self.collect_finished()
            self.flush()
            assert self.finishing is not None
            self.frontier.renew([*self.finishing.held(), *self.finished], self.lease_ms)
            now = time.monotonic()
            if now - self._last_reap >= self.config.lease / 3:
                self._last_reap = now
                if requeued := self.frontier.requeue_expired():
                    self.stats.inc_value(f"{STATS_PREFIX}/requeued", requeued)
                    logger.info(
                        "Requeued %d requests whose worker stopped renewing its lease",
                        requeued,
                        extra={"spider": self.spider},
                    )
        except REDIS_DOWN as error:
            self.redis_down(error)

    # --- Redis outages ----------------------------------------------------------------------

    def redis_down(self, error: BaseException) -> None:
        if self.down_since is not None:
            return
        self.down_since = time.monotonic()
        self.stats.inc_value(f"{STATS_PREFIX}/outages")
        logger.warning(
            "Redis at %s is unreachable (%s): requests are kept here until it is back",
            self.config.safe_url,
            type(error).__name__,
            extra={"spider": self.spider},
        )

    def redis_back(self) -> bool:
        assert self.down_since is not None and self.frontier is not None
        try:
            self.frontier.server.ping()
        except REDIS_DOWN:
            down_for = time.monotonic() - self.down_since
            if down_for > self.config.outage_pause and not self.paused:
                self.paused = True
                assert self.crawler.engine is not None
                self.crawler.engine.pause()
                logger.error(
                    "Redis has been unreachable for %.0f s: this worker pauses until it is back",
                    down_for,
                    extra={"spider": self.spider},
                )
            return False
        logger.info(
            "Redis is back after %.0f s",
            time.monotonic() - self.down_since,
            extra={"spider": self.spider},
        )
        self.down_since = None
        # No worker could renew while Redis was away: requeue nothing for a lease, by when every
        # live worker has renewed what it holds (each renews every lease/3).
        self._last_reap = time.monotonic() + self.config.lease * 2 / 3
        if self.paused:
            self.paused = False
            assert self.crawler.engine is not None
            self.crawler.engine.unpause()
        return True

    # --- what other components report -------------------------------------------------------

    def page_failed(self, url: str, status: int | None, error: str | None) -> None:
        assert self.frontier is not None
        line = "\t".join([url, "" if status is None else str(status), error or ""])
        try:
            self.frontier.record_failure(line)
        except REDIS_DOWN as down:
            self.redis_down(down)
