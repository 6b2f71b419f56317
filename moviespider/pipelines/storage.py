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

from moviespider.config import StorageConfig
from moviespider.durability import DurabilityTracker
from moviespider.errors import ConfigError
from moviespider.feeds import beside_first_feed
from moviespider.files import private_opener
from moviespider.items import item_dict
from moviespider.jobdir.journal import job_value
from moviespider.storage.database import (
    MovieStore,
    error_reason,
    is_outage,
    safe_url,
    utc_now,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
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
# DATABASE_UNSAVED_FILE when there is neither a local feed nor a JOBDIR to put it beside.
UNSAVED_FILE_ALONE = "moviespider-unsaved-%(name)s-%(crawl_id)s.jsonl"


def default_unsaved_file(settings: BaseSettings) -> str:
    """Beside the first local feed (films.jsonl → films.unsaved.jsonl), else in the JOBDIR,
    else in the current directory with the spider and crawl in its name."""
    beside_feed = beside_first_feed(settings, ".unsaved.jsonl")
    if beside_feed is not None:
        return str(beside_feed).replace("%", "%%")
    jobdir = job_dir(settings)
    if jobdir is not None:
        return str(Path(jobdir, "unsaved.jsonl")).replace("%", "%%")
    return UNSAVED_FILE_ALONE


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
        if os.environ.get("SCRAPY_CHECK"):
            raise NotConfigured  # `scrapy check` tries the callbacks: its items are no crawl's
        config = StorageConfig.from_settings(crawler.settings)
        if config.url is None:
            raise NotConfigured  # switched off on purpose: nothing to warn about
        pipeline = cls(
            crawler,
            config.url,
            batch_size=config.batch_size,
            flush_interval=config.flush_interval,
            unsaved_file=config.unsaved_file or default_unsaved_file(crawler.settings),
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
        self.stats.set_value(f"{STATS_PREFIX}/database", safe_url(self.url))  # password masked
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
                logger.error(
                    "The database did not take %d films; they are in %s",
                    len(films),
                    self.stats.get_value(f"{STATS_PREFIX}/unsaved_file"),
                )

    async def spider_closed(self, reason: str) -> None:
        """Record how the crawl ended (pipelines close before Scrapy knows the reason). A
        database that is down gets CLOSE_ATTEMPTS tries, as the films did; if it never comes
        back, the crawl's end is written to DATABASE_UNSAVED_FILE with the films."""
        if self._store is None:
            return
        finished_at = utc_now()
        for attempt in range(1, CLOSE_ATTEMPTS + 1):
            try:
                await self._in_writer(self._store.finish_crawl, self.crawl_id, finished_at, reason)
                break
            except SQLAlchemyError as error:
                if is_outage(error) and attempt < CLOSE_ATTEMPTS:
                    await asyncio.sleep(self.flush_interval)
                    continue
                path = await self._in_writer(
                    self._write_unsaved,
                    [
                        {
                            "crawl": {
                                "spider": self.spider_name,
                                "finished_at": finished_at.isoformat(),
                                "finish_reason": reason,
                                "items": self.stored,
                            }
                        }
                    ],
                )
                logger.error(
                    "Could not record the end of crawl %s (%s) in the database: %s; it is in %s",
                    self.crawl_id,
                    reason,
                    error_reason(error),
                    path.resolve(),
                )
                break
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
            logger.error("Cannot write %d films the database did not take: %s", len(films), error)
            self.sink.fail(f"cannot write the unsaved films' file: {error}", reported=True)
            return False
        return True

    def _save_unsaved(self, films: list[dict[str, Any]]) -> None:
        """Write films the database did not take to DATABASE_UNSAVED_FILE, so they can be stored
        later. Blocking: on the writer thread."""
        path = self._write_unsaved(films)
        self.stats.inc_value(f"{STATS_PREFIX}/unsaved", len(films))
        self.stats.set_value(f"{STATS_PREFIX}/unsaved_file", str(path.resolve()))
        logger.error(
            "The database did not take %d films; they are in %s", len(films), path.resolve()
        )

    def _write_unsaved(self, records: list[dict[str, Any]]) -> Path:
        """Append *records* to DATABASE_UNSAVED_FILE, each with this crawl's id. The file is
        the crawler's alone (0600): it holds what the database would have."""
        path = Path(self.unsaved_file % {"name": self.spider_name, "crawl_id": self.crawl_id})
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8", opener=private_opener) as file:
            for record in records:
                line = {"crawl_id": self.crawl_id, **record}
                file.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")
            file.flush()
            os.fsync(file.fileno())  # what makes the films durable: the watermark counts on it
        return path

    async def _in_writer(
        self, function: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs
    ) -> _T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._writer, partial(function, *args, **kwargs))
