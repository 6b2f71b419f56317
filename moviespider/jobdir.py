"""A JOBDIR that survives SIGKILL: resume after a hard crash, not only after Ctrl-C.

What Scrapy 2.19's own JOBDIR loses when the process is killed (OOM killer, power cut, a
second Ctrl-C, ``kill -9``):

* The scheduler's disk queues (queuelib ``LifoDiskQueue``/``FifoDiskQueue``) write their size
  and head/tail positions only when closed, and the scheduler writes the list of queue
  priorities (``requests.queue/active.json``) only at close: after a kill the next run finds no
  queue at all.
* Requests already taken from the queue and in flight exist nowhere but in memory.
* ``requests.seen`` is a buffered file, flushed at close: the last few hundred fingerprints are
  lost, so finished pages are fetched again.
* Worse, a request's fingerprint is written when it is queued: if the queue is lost, the next
  run's dupefilter says "seen" to the very requests it never did. Those pages are lost for good.
* Feed files are buffered too: the last items written are lost.

The pieces here close those holes (settings.py enables them):

``CrashSafeScheduler``
    Keeps the requests it has accepted in memory, as Scrapy's scheduler does without JOBDIR, and
    records each one in ``JOBDIR/requests.journal`` (SQLite, write-ahead log) *before* its
    fingerprint is recorded, leaving it there until the engine has finished with it: its
    response or error handled by the callback or errback, the items that came of it through the
    pipelines and written to the feed, the requests it led to recorded in turn. A new run puts
    every request left in the journal back in the queue: those never started, and those in
    flight at the kill (at most ``CONCURRENT_REQUESTS``: their items may be in the feed twice).
    When ``DOUBAN_BASE_URL`` changed since the journal was written (a mirror moved, the
    in-crawl sandbox got a new port), the requests are moved to the new base URL.

``FlushingDupeFilter``
    Scrapy's ``RFPDupeFilter``, writing each new fingerprint through at once.

``SiteRelativeFingerprinter``
    Fingerprints a request as if it were for movie.douban.com, so that the seen-set (and the
    HTTP cache) stays valid when ``DOUBAN_BASE_URL`` changes.

``AppendingFileFeedStorage``
    Local feed files written through item by item. JSON Lines (``-o films.jsonl``) is the
    format to resume into: each item is one line, written in one system call, and a resumed
    run appends lines. A JSON array (``.json``), XML or CSV cannot be appended to; resuming
    into one that already holds items, or with ``-O`` (overwrite), stops the crawl with a
    one-line error instead of producing a broken or truncated file.

What stays out of reach: a power cut can lose the last moments of the journal, the seen-set
and the feed (they are written through, not fsync'd: SQLite keeps the journal consistent, the
feed may end in a partial line). ``spider.state`` is still saved at close only (Scrapy's
SpiderState); moviespider's spiders do not use it. Requests that cannot be serialized (a
callback that is not a spider method) are kept in memory only, as with Scrapy's JOBDIR
(``scheduler/unserializable``).
"""

from __future__ import annotations

import logging
import pickle
import sqlite3
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.core.scheduler import Scheduler
from scrapy.dupefilters import RFPDupeFilter
from scrapy.exceptions import NotConfigured
from scrapy.extensions.feedexport import FileFeedStorage
from scrapy.utils.job import job_dir
from scrapy.utils.request import RequestFingerprinter, request_from_dict

from moviespider.errors import ConfigError
from moviespider.site import CANONICAL_BASE_URL

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.dupefilters import BaseDupeFilter
    from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)

JOURNAL_FILE = "requests.journal"
SEEN_FILE = "requests.seen"  # RFPDupeFilter's
APPENDABLE_FORMATS = frozenset({"jsonlines", "jsonl", "jl"})


class RequestJournal:
    """The requests a crawl has accepted and not finished with, in an SQLite database.

    Each change is its own transaction in a write-ahead log, written through to the operating
    system (``synchronous=NORMAL``): it survives the process being killed, not necessarily a
    power cut, and the database is consistent either way.
    """

    def __init__(self, path: Path):
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None)  # autocommit: one change, one commit
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS requests (id INTEGER PRIMARY KEY, request BLOB NOT NULL)"
        )
        self.db.execute("CREATE TABLE IF NOT EXISTS job (key TEXT PRIMARY KEY, value TEXT)")

    def add(self, record: bytes) -> int:
        row = self.db.execute("INSERT INTO requests (request) VALUES (?)", (record,)).lastrowid
        assert row is not None
        return row

    def remove(self, rows: Collection[int]) -> None:
        self.db.execute("BEGIN")  # one transaction for the lot
        try:
            self.db.executemany("DELETE FROM requests WHERE id = ?", ((row,) for row in rows))
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def replace(self, row: int, record: bytes) -> None:
        self.db.execute("UPDATE requests SET request = ? WHERE id = ?", (record, row))

    def __iter__(self) -> Iterator[tuple[int, bytes]]:
        return iter(self.db.execute("SELECT id, request FROM requests ORDER BY id").fetchall())

    def get(self, key: str) -> str | None:
        found = self.db.execute("SELECT value FROM job WHERE key = ?", (key,)).fetchone()
        return found[0] if found else None

    def set(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO job (key, value) VALUES (?, ?)", (key, value))

    def close(self) -> None:
        self.db.close()


class CrashSafeScheduler(Scheduler):
    """Scrapy's scheduler with memory queues and a journal of unfinished requests in JOBDIR.

    Without JOBDIR it is Scrapy's scheduler, unchanged.
    """

    def __init__(self, dupefilter: BaseDupeFilter, jobdir: str | None = None, **kwargs: Any):
        # Scrapy's disk queues are not used: the journal is what persists.
        super().__init__(dupefilter, None, **kwargs)
        self.journal_path = Path(jobdir, JOURNAL_FILE) if jobdir else None
        self.journal: RequestJournal | None = None
        self.queued: dict[Request, int] = {}  # request → its journal row
        self.in_flight: dict[Request, int] = {}
        self.engine_in_progress: Collection[Request] = ()

    def open(self, spider: Spider) -> Deferred[None] | None:
        opened = super().open(spider)
        if self.journal_path is not None:
            self.journal_path.parent.mkdir(parents=True, exist_ok=True)
            self.journal = RequestJournal(self.journal_path)
            self.engine_in_progress = self.find_engine_in_progress()
            self.replay()
            # The engine asks for the next request only when it has room for it; items come
            # more often. Retiring then too keeps the requests finished but still journaled, the
            # ones a kill would repeat, down to the one or two finished a moment ago.
            assert self.crawler is not None
            self.crawler.signals.connect(self.retire_finished, signal=signals.item_scraped)
        return opened

    def find_engine_in_progress(self) -> Collection[Request]:
        """The engine's set of requests it has taken and not finished with.

        Scrapy sends no signal when the engine is done with a request (callback or errback run,
        their items through the pipelines, their requests scheduled, or a retry scheduled in its
        place); its slot tracks exactly that, in the set Scrapy's own engine status report
        (``scrapy.utils.engine.get_engine_status``) reads. Checked here, so that a Scrapy that
        changed it fails at the start of the crawl, not silently.
        """
        assert self.crawler is not None
        in_progress = getattr(getattr(self.crawler.engine, "_slot", None), "inprogress", None)
        if not isinstance(in_progress, set):
            raise RuntimeError(
                "CrashSafeScheduler cannot see the engine's requests in progress "
                "(ExecutionEngine._slot.inprogress): is this Scrapy 2.19?"
            )
        return in_progress

    def replay(self) -> None:
        """Queue again every request the last run accepted and did not finish."""
        assert self.journal is not None and self.crawler is not None
        base_url = (self.crawler.settings.get("DOUBAN_BASE_URL") or CANONICAL_BASE_URL).rstrip("/")
        old_base_url = self.journal.get("base_url")
        rebase = old_base_url is not None and old_base_url != base_url
        check_job(self.journal, self.spider)
        self.journal.set("spider", self.spider.name)
        replayed = 0
        for row, record in self.journal:
            request = load_request(record, self.spider, self.journal)
            if rebase and request.url.startswith(f"{old_base_url}/"):
                request = request.replace(url=base_url + request.url[len(old_base_url) :])
                self.journal.replace(row, self.serialize(request) or record)
            if not request.dont_filter:
                self.df.request_seen(request)  # in case the last run died before recording it
            self.mqs.push(request)
            self.queued[request] = row
            replayed += 1
        self.journal.set("base_url", base_url)
        if replayed:
            assert self.stats is not None
            self.stats.set_value("moviespider/jobdir/replayed", replayed)
            logger.info(
                "Resuming crawl: %d requests the last run did not finish%s",
                replayed,
                f" (moved from {old_base_url} to {base_url})" if rebase else "",
                extra={"spider": self.spider},
            )

    def enqueue_request(self, request: Request) -> bool:
        if self.journal is None:
            return super().enqueue_request(request)
        # Journal first, fingerprint second: a kill between the two replays the request, where
        # the other order would record it as seen and lose it.
        record = self.serialize(request)
        row = self.journal.add(record) if record is not None else None
        if not super().enqueue_request(request):
            if row is not None:
                self.journal.remove((row,))
            return False
        if row is not None:
            self.queued[request] = row
        return True

    def next_request(self) -> Request | None:
        if self.journal is None:
            return super().next_request()
        self.retire_finished()
        request = super().next_request()
        if request is not None and (row := self.queued.pop(request, None)) is not None:
            self.in_flight[request] = row
        return request

    def retire_finished(self) -> None:
        """Forget the requests the engine has finished with."""
        if self.journal is None:
            return
        finished = [r for r in self.in_flight if r not in self.engine_in_progress]
        if finished:
            self.journal.remove([self.in_flight.pop(request) for request in finished])

    def close(self, reason: str) -> Deferred[None] | None:
        if self.journal is not None:
            # The engine finishes every request it started before it closes the scheduler; the
            # queued ones stay in the journal for the next run.
            self.retire_finished()
            assert self.crawler is not None
            self.crawler.signals.disconnect(self.retire_finished, signal=signals.item_scraped)
            self.journal.close()
            self.journal = None
        return super().close(reason)

    def serialize(self, request: Request) -> bytes | None:
        try:
            return pickle.dumps(request.to_dict(spider=self.spider), protocol=4)
        except (ValueError, TypeError, AttributeError, pickle.PicklingError) as error:
            assert self.stats is not None
            self.stats.inc_value("scheduler/unserializable")
            if self.logunser:
                logger.warning(
                    "Request %s kept in memory only, a crash would lose it: %s (no more such "
                    "requests are logged; stats: scheduler/unserializable)",
                    request,
                    error,
                    extra={"spider": self.spider},
                )
                self.logunser = False
            return None


class JobCheck:
    """Extension: stop a crawl before any request when its JOBDIR holds a job it cannot resume
    (another spider's, or requests this code cannot take back), in one line.

    CrashSafeScheduler checks the same when it opens, but a scheduler that fails there leaves
    Scrapy's engine half-open and the log full of tracebacks.
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JobCheck:
        jobdir = job_dir(crawler.settings)
        if jobdir is None or not (journal_path := Path(jobdir, JOURNAL_FILE)).exists():
            raise NotConfigured
        journal = RequestJournal(journal_path)
        try:
            check_job(journal, crawler.spider)
            for _, record in journal:
                load_request(record, crawler.spider, journal)
        finally:
            journal.close()
        return cls()


def check_job(journal: RequestJournal, spider: Spider) -> None:
    job_spider = journal.get("spider")
    if job_spider not in (None, spider.name):
        raise ConfigError(
            f"setting JOBDIR: {journal.path.parent} is a job of spider {job_spider}; "
            f"give {spider.name} a JOBDIR of its own"
        )


def load_request(record: bytes, spider: Spider, journal: RequestJournal) -> Request:
    try:
        return request_from_dict(pickle.loads(record), spider=spider)
    except (ValueError, AttributeError, pickle.UnpicklingError) as error:
        raise ConfigError(
            f"setting JOBDIR: {journal.path.parent} holds a request this spider cannot take "
            f"back ({error}); was its code changed? Start a new JOBDIR"
        ) from None


class FlushingDupeFilter(RFPDupeFilter):
    """RFPDupeFilter whose ``requests.seen`` survives a kill: each new fingerprint is written
    through at once (Scrapy's buffers them until close)."""

    def request_seen(self, request: Request) -> bool:
        seen = super().request_seen(request)
        if not seen and self.file is not None:
            self.file.flush()
        return seen


class SiteRelativeFingerprinter:
    """Scrapy's request fingerprints, computed as if ``DOUBAN_BASE_URL`` were movie.douban.com.

    The seen-set of a JOBDIR (and the HTTP cache) then hold when the base URL changes between
    runs: a mirror that moved, the in-crawl sandbox on a new port.
    """

    def __init__(self, crawler: Crawler):
        self.fingerprinter = RequestFingerprinter(crawler)
        base_url = (crawler.settings.get("DOUBAN_BASE_URL") or CANONICAL_BASE_URL).rstrip("/")
        self.base_url = None if base_url == CANONICAL_BASE_URL else base_url

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteRelativeFingerprinter:
        return cls(crawler)

    def fingerprint(self, request: Request) -> bytes:
        if self.base_url is not None and request.url.startswith(f"{self.base_url}/"):
            request = request.replace(url=CANONICAL_BASE_URL + request.url[len(self.base_url) :])
        return self.fingerprinter.fingerprint(request)


class AppendingFileFeedStorage(FileFeedStorage):
    """Local feed files written through item by item, and never lost by resuming a job."""

    @classmethod
    def from_crawler(
        cls, crawler: Crawler, uri: str, *, feed_options: dict[str, Any] | None = None
    ) -> AppendingFileFeedStorage:
        storage = cls(uri, feed_options=feed_options)
        jobdir = job_dir(crawler.settings)
        if jobdir is not None and job_started(Path(jobdir)):
            storage.check_resumable((feed_options or {}).get("format"))
        return storage

    def check_resumable(self, feed_format: str | None) -> None:
        """Stop a resumed job that would destroy the items of its earlier runs."""
        path = Path(self.path)
        if not path.exists() or path.stat().st_size == 0:
            return
        if self.write_mode == "wb":
            raise ConfigError(
                f"setting FEEDS: {path} holds the items of this job's earlier runs and -O would "
                f"overwrite them; resume with -o (append)"
            )
        if feed_format not in APPENDABLE_FORMATS:
            raise ConfigError(
                f"setting FEEDS: {path} holds the items of this job's earlier runs and a "
                f"{feed_format} file cannot be resumed by appending; resume into another file "
                f"or use JSON Lines (-o {path.with_suffix('.jsonl')}) for jobs"
            )

    def open(self, spider: Spider) -> Any:
        path = Path(self.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Unbuffered: what the exporter writes reaches the file at once, a JSON line in one go.
        return path.open(self.write_mode, buffering=0)


def job_started(jobdir: Path) -> bool:
    """Whether an earlier run of this job left anything to resume."""
    seen = jobdir / SEEN_FILE
    return (jobdir / JOURNAL_FILE).exists() or (seen.exists() and seen.stat().st_size > 0)
