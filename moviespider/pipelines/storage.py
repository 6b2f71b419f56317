"""Store every film in a SQL database, adding one observation per crawl (see docs/storage.md)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import AsyncioLoopingCall, is_asyncio_available
from scrapy.utils.job import job_dir
from sqlalchemy.exc import SQLAlchemyError

from moviespider.durability import DurabilityTracker
from moviespider.errors import ConfigError
from moviespider.files import private_opener
from moviespider.items import item_dict
from moviespider.jobdir.journal import job_value
from moviespider.storage.database import (
    MovieStore,
    database_url,
    error_reason,
    is_outage,
    safe_url,
    utc_now,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Self

    from scrapy.crawler import Crawler
    from sqlalchemy.engine import URL

logger = logging.getLogger(__name__)

_P = ParamSpec("_P")
_T = TypeVar("_T")

STATS_PREFIX = "moviespider/storage"
# Attempts to write what is left when the spider closes, DATABASE_FLUSH_INTERVAL apart, before
# it goes to DATABASE_UNSAVED_FILE.
CLOSE_ATTEMPTS = 3
# While the database keeps up, items never wait for it. When this many batches are waiting
# behind a write in progress, process_item waits for that write: the database is slower than
# the crawl, and memory should not pay for it.
MAX_PENDING_BATCHES = 10


class StoreMovies:
    """Upsert each film into ``movies`` and record it in ``observations`` for this crawl.

    Films are written in batches of DATABASE_BATCH_SIZE, or every DATABASE_FLUSH_INTERVAL
    seconds, by a writer thread of the pipeline's own. A failed write keeps its films and is
    retried; what still cannot be written when the spider closes goes to DATABASE_UNSAVED_FILE.
    """

    def __init__(
        self,
        crawler: Crawler,
        url: URL,
        *,
        batch_size: int,
        flush_interval: float,
        unsaved_file: str,
    ):
        self.crawler = crawler
        self.stats = crawler.stats
        self.url = url
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.unsaved_file = unsaved_file
        # A job resumed from its JOBDIR is one crawl: its id is kept in the job.
        jobdir = job_dir(crawler.settings)
        self.crawl_id = (
            job_value(Path(jobdir), "crawl_id", uuid.uuid4().hex) if jobdir else uuid.uuid4().hex
        )
        self.resumed = False
        self.tracker = DurabilityTracker.of(crawler)
        self.sink = self.tracker.sink("storage")
        # Films (as dicts) not yet written, each with its durability number (the highest
        # number issued when it arrived: its own or above), oldest first.
        self.pending: list[tuple[int, dict[str, Any]]] = []
        self.stored = 0
        self._store: MovieStore | None = None
        self._writer: ThreadPoolExecutor | None = None
        self._timer: AsyncioLoopingCall | None = None
        self._write: asyncio.Task[None] | None = None
        self._healthy = True  # the last write succeeded

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        url = database_url(settings)
        if url is None:
            raise NotConfigured  # switched off on purpose: nothing to warn about
        batch_size = settings.getint("DATABASE_BATCH_SIZE", 100)
        if batch_size < 1:
            raise ConfigError(f"setting DATABASE_BATCH_SIZE: {batch_size} is not a positive number")
        flush_interval = settings.getfloat("DATABASE_FLUSH_INTERVAL", 5.0)
        if flush_interval <= 0:
            raise ConfigError(
                f"setting DATABASE_FLUSH_INTERVAL: {flush_interval} is not a positive number"
            )
        pipeline = cls(
            crawler,
            url,
            batch_size=batch_size,
            flush_interval=flush_interval,
            unsaved_file=settings.get(
                "DATABASE_UNSAVED_FILE", "moviespider-unsaved-%(name)s-%(crawl_id)s.jl"
            ),
        )
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    async def open_spider(self) -> None:
        if not is_asyncio_available():
            raise ConfigError("setting TWISTED_REACTOR: storing films needs the asyncio reactor")
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="moviespider-storage")
        try:
            self._store = await self._in_writer(MovieStore.connect, self.url)
            self.resumed = await self._in_writer(
                self._store.start_crawl, self.crawl_id, self.spider_name, utc_now()
            )
        except (ConfigError, SQLAlchemyError) as error:
            if self._store is not None:
                await self._in_writer(self._store.close)
                self._store = None
            self._writer.shutdown()
            if isinstance(error, ConfigError):
                raise
            raise ConfigError(
                f"setting DATABASE_URL: cannot record the crawl in {safe_url(self.url)}: "
                f"{error_reason(error)}"
            ) from None
        self.stats.set_value(f"{STATS_PREFIX}/crawl_id", self.crawl_id)
        logger.info(
            "Storing films in %s as crawl %s%s",
            safe_url(self.url),
            self.crawl_id,
            " (resumed)" if self.resumed else "",
        )
        self._timer = AsyncioLoopingCall(self._start_write)
        self._timer.start(self.flush_interval, now=False)

    async def process_item(self, item: Any) -> Any:
        number = self.tracker.issued
        self.pending.append((number, item_dict(item)))
        self.sink.hold(number)
        if self._healthy and len(self.pending) >= self.batch_size:
            self._start_write()
            if len(self.pending) >= self.batch_size * MAX_PENDING_BATCHES and self._write:
                self.stats.inc_value(f"{STATS_PREFIX}/waits")
                await asyncio.shield(self._write)
        return item

    async def close_spider(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        for attempt in range(1, CLOSE_ATTEMPTS + 1):
            await self._write_all()
            if not self.pending or attempt == CLOSE_ATTEMPTS:
                break
            await asyncio.sleep(self.flush_interval)
        if self.pending:
            films = [film for _, film in self.pending]
            self.pending = []
            if await self._set_aside(films):
                self.sink.release(None)

    async def spider_closed(self, reason: str) -> None:
        """Record how the crawl ended (pipelines close before Scrapy knows the reason)."""
        if self._store is None:
            return
        try:
            await self._in_writer(self._store.finish_crawl, self.crawl_id, utc_now(), reason)
        except SQLAlchemyError as error:
            logger.warning(
                "Could not record the end of crawl %s: %s", self.crawl_id, error_reason(error)
            )
        await self._in_writer(self._store.close)
        assert self._writer is not None
        self._writer.shutdown()

    @property
    def spider_name(self) -> str:
        assert self.crawler.spider is not None
        return self.crawler.spider.name

    async def _write_all(self) -> None:
        """Write until nothing is pending or a write fails."""
        if self._write is not None:
            await self._write
        while self.pending:
            self._start_write()
            assert self._write is not None
            await self._write
            if not self._healthy:
                return

    def _start_write(self) -> None:
        """Write pending films in the background, unless a write is already under way."""
        if self.pending and (self._write is None or self._write.done()):
            self._write = asyncio.create_task(self._write_pending())

    async def _write_pending(self) -> None:
        """Write a batch, then more while full batches wait; stop while the database is down."""
        while self.pending:
            batch = self.pending[: self.batch_size]
            del self.pending[: self.batch_size]
            if not await self._store_batch(batch):
                return
            # Committed (or set aside in the unsaved file): durable. A batch being written is
            # off `pending` but the sink still holds its number until here. The minimum, not
            # the first: a batch retried film by film goes back out of order.
            self.sink.release(min((n for n, _ in self.pending), default=None))
            if len(self.pending) < self.batch_size:
                return

    async def _store_batch(self, batch: list[tuple[int, dict[str, Any]]]) -> bool:
        """Store *batch*, or put it back in front of the pending films and return False if the
        database is unavailable. A film that cannot be stored (bad data) is set aside, and
        does not hold up the others."""
        assert self._store is not None
        try:
            stored = await self._in_writer(
                self._store.store, self.crawl_id, [film for _, film in batch]
            )
        except Exception as error:
            if is_outage(error):
                self.pending[:0] = batch  # kept, in order, for the next attempt
                self.stats.inc_value(f"{STATS_PREFIX}/write_failures")
                logger.warning(
                    "Could not store %d films (kept for the next attempt): %s",
                    len(batch),
                    error_reason(error),
                )
                self._healthy = False
                return False
            if len(batch) == 1:
                await self._reject(batch[0][1], error)
                return True
            # Find the film at fault: store the batch one film at a time.
            for position, film in enumerate(batch):
                if not await self._store_batch([film]):
                    self.pending[:0] = batch[position + 1 :]
                    return False
            return True
        if not self._healthy:
            logger.info("The database takes films again")
            self._healthy = True
        self.stored += stored
        self.stats.inc_value(f"{STATS_PREFIX}/batches")
        self.stats.inc_value(f"{STATS_PREFIX}/films", stored)
        return True

    async def _reject(self, film: dict[str, Any], error: Exception) -> None:
        """Set aside a film the database refuses, in the unsaved file at once: its request
        may then finish, and a kill does not lose it."""
        # If it cannot be written there either, the sink has failed: nothing finished from now
        # on leaves the job, and resuming it fetches this film again.
        await self._set_aside([film])
        self.stats.inc_value(f"{STATS_PREFIX}/rejected")
        logger.error(
            "Film %s cannot be stored: %s",
            film.get("subject_id"),
            error_reason(error),
            exc_info=not isinstance(error, SQLAlchemyError),  # not the database's doing: a bug
        )

    async def _set_aside(self, films: list[dict[str, Any]]) -> bool:
        try:
            await self._in_writer(self._save_unsaved, films)
        except OSError as error:
            self.sink.fail(f"cannot write the unsaved films' file: {error}")
            return False
        return True

    def _save_unsaved(self, films: list[dict[str, Any]]) -> None:
        """Write films the database did not take to a JSON Lines file (0600, fsync'd: it is
        what makes them durable), one film a line with its crawl_id, so they can be stored
        later. Blocking: on the writer thread."""
        path = Path(self.unsaved_file % {"name": self.spider_name, "crawl_id": self.crawl_id})
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8", opener=private_opener) as file:
            for film in films:
                record = {"crawl_id": self.crawl_id, **film}
                file.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
            file.flush()
            os.fsync(file.fileno())
        self.stats.inc_value(f"{STATS_PREFIX}/unsaved", len(films))
        logger.error(
            "The database did not take %d films; they are in %s", len(films), path.resolve()
        )

    async def _in_writer(
        self, function: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs
    ) -> _T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._writer, partial(function, *args, **kwargs))
