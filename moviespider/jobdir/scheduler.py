"""The crash-safe scheduler: every request accepted and not finished is in the journal."""

from __future__ import annotations

import logging
import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.core.scheduler import Scheduler

from moviespider.config import get_http_url
from moviespider.credentials import login_cookie_names, strip_secrets
from moviespider.durability import DurabilityTracker, FinishedRequests
from moviespider.files import private_dir
from moviespider.internals import engine_requests, request_dict
from moviespider.jobdir.journal import (
    JOURNAL_FILE,
    RequestJournal,
    check_job,
    load_request,
)
from moviespider.signals import items_durable

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.dupefilters import BaseDupeFilter
    from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)

RESUMED_STAT = "moviespider/jobdir/resumed"  # True in a run that resumes a job


class CrashSafeScheduler(Scheduler):
    """Scrapy's scheduler with memory queues and a journal of unfinished requests in JOBDIR.

    Without JOBDIR it is Scrapy's scheduler, unchanged.
    """

    # How it sees the engine's requests in progress (moviespider.internals); tests replace it.
    engine_requests = staticmethod(engine_requests)

    def __init__(self, dupefilter: BaseDupeFilter, jobdir: str | None = None, **kwargs: Any):
        # Scrapy's disk queues are not used: the journal is what persists.
        super().__init__(dupefilter, None, **kwargs)
        self.journal_path = Path(jobdir, JOURNAL_FILE) if jobdir else None
        self.journal: RequestJournal | None = None
        self.queued: dict[Request, int] = {}  # request → its journal row
        # Journal rows of the requests the engine took, until done (moviespider.durability).
        self.finishing: FinishedRequests[int] | None = None
        self.secret_cookies: frozenset[str] = frozenset()

    def open(self, spider: Spider) -> Deferred[None] | None:
        opened = super().open(spider)
        if self.journal_path is not None:
            private_dir(self.journal_path.parent)
            self.journal = RequestJournal(self.journal_path)
            assert self.crawler is not None
            self.finishing = FinishedRequests(
                DurabilityTracker.of(self.crawler), self.engine_requests(self.crawler)
            )
            self.secret_cookies = login_cookie_names()
            self.replay()
            # The engine asks for the next request only when it has room for it; items come
            # more often. Retiring then too keeps the requests finished but still journaled, the
            # ones a kill would repeat, down to the one or two finished a moment ago.
            assert self.crawler is not None
            self.crawler.signals.connect(self.retire_finished, signal=signals.item_scraped)
            self.crawler.signals.connect(self.retire_finished, signal=items_durable)
        return opened

    def replay(self) -> None:
        """Queue again every request the last run accepted and did not finish."""
        assert self.journal is not None and self.crawler is not None
        base_url = get_http_url(self.crawler.settings, "DOUBAN_BASE_URL").rstrip("/")
        old_base_url = self.journal.get("base_url")
        rebase = old_base_url is not None and old_base_url != base_url
        check_job(self.journal, self.spider)
        if self.journal.get("spider") is not None:  # an earlier run of the job opened it
            assert self.stats is not None
            self.stats.set_value(RESUMED_STAT, True)
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
            assert self.finishing is not None
            self.finishing.taken(request, row)
        return request

    def retire_finished(self, watermark: int | None = None) -> None:
        """Remove from the journal the requests the engine has finished with and whose items
        are durable in every sink (also on items_durable, whose *watermark* it re-reads)."""
        if self.journal is None:
            return
        assert self.finishing is not None
        if rows := self.finishing.done():
            self.journal.remove(rows)

    def close(self, reason: str) -> Deferred[None] | None:
        if self.journal is not None:
            # The engine finishes every request it started before it closes the scheduler; the
            # queued ones stay in the journal for the next run.
            # The pipelines have closed (Scrapy closes them before the scheduler), so the
            # storage has committed or written its fallback file: what is still awaiting was
            # not made durable, and stays for the next run.
            self.retire_finished()
            assert self.crawler is not None and self.stats is not None
            assert self.finishing is not None
            if held := self.finishing.held():
                self.stats.set_value("moviespider/durability/not_durable", len(held))
                logger.warning(
                    "%d finished requests stay in the job: their items did not reach every "
                    "sink durably; resuming the job fetches them again",
                    len(held),
                    extra={"spider": self.spider},
                )
            self.crawler.signals.disconnect(self.retire_finished, signal=signals.item_scraped)
            self.crawler.signals.disconnect(self.retire_finished, signal=items_durable)
            self.journal.close()
            self.journal = None
        return super().close(reason)

    def serialize(self, request: Request) -> bytes | None:
        try:
            record = strip_secrets(request_dict(request, self.spider), self.secret_cookies)
            return pickle.dumps(record, protocol=4)
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
