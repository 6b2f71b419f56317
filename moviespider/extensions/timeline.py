"""The crawl's timeline, for the HTML report: what happened when, cheaply.

Every ``TIMELINE_INTERVAL`` seconds a timer copies a few counters from the stats (requests,
responses, items, retries, blocks, failed pages, backoff seconds); blocks are also recorded as
events when they happen (the ``request_blocked`` signal). Responses are counted by page kind
(the callback that reads them) and status. At close the timeline, the pages given up on and the
field coverage go into the ``crawls.timeline`` column of the crawl the storage pipeline
recorded, so that ``scrapy report --crawl ID`` can draw the crawl later (when the engine stops:
the outcome is decided and storage has finished); with ``REPORT`` set,
the report is written at once (moviespider.reports).

Settings:
    TIMELINE_INTERVAL: seconds between samples (default 1; 0 switches the timeline off, and
        with it REPORT).
    REPORT: a path: write the HTML report of this crawl there when it ends; %(name)s (the
        spider), %(crawl_id)s and %(time)s are filled in.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import AsyncioLoopingCall

from moviespider.config import ReportConfig
from moviespider.extensions.coverage import FieldCoverage
from moviespider.extensions.failures import FailedPages
from moviespider.items import item_fields
from moviespider.signals import request_blocked

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

# Sample name -> the stat it copies.
SAMPLED_STATS = {
    "requests": "downloader/request_count",
    "responses": "response_received_count",
    "items": "item_scraped_count",
    "retries": "retry/count",
    "blocks": "moviespider/blocked_total",
    "failed": "moviespider/failed_pages/reported",
    "backoff": "moviespider/backoff_seconds",
}
# What is stored per crawl stays small: a ten-hour crawl sampled every second is thinned to
# this many samples (the chart is 900 pixels wide); blocks past MAX_EVENTS are only counted.
MAX_SAMPLES = 2000
MAX_EVENTS = 5000
# The film fields the report's charts read; a report built in-process keeps only these.
REPORT_FIELDS = (
    "subject_id",
    "title",
    "rating",
    "year",
    "genres",
    "countries",
    "rank",
    "release_date",
    "source",
)


class CrawlTimeline:
    """Samples the stats on a timer, records blocks, and hands the result over at close."""

    def __init__(self, crawler: Crawler, interval: float, report_path: str | None):
        self.crawler = crawler
        self.stats = crawler.stats
        self.interval = interval
        self.report_path = report_path
        self.started = time.monotonic()
        self.started_at: datetime | None = None
        self.samples: list[dict[str, float]] = []
        self.events: list[dict[str, Any]] = []
        self.pages: Counter[tuple[str, int]] = Counter()
        self.films: list[dict[str, Any]] = []  # only with REPORT: the database has them otherwise
        self._timer: AsyncioLoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlTimeline:
        config = ReportConfig.from_settings(crawler.settings)
        if not config.timeline_interval:
            raise NotConfigured
        extension = cls(crawler, config.timeline_interval, config.report)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        # At engine_stopped, after CrawlOutcome (priority 0) has decided the outcome and every
        # spider_closed receiver (coverage, failed pages, storage) has finished.
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        crawler.signals.connect(extension.response_received, signal=signals.response_received)
        crawler.signals.connect(extension.blocked, signal=request_blocked)
        if extension.report_path:
            crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        return extension

    def now(self) -> float:
        return round(time.monotonic() - self.started, 3)

    def spider_opened(self) -> None:
        self.started = time.monotonic()
        self.started_at = datetime.now(UTC)
        self.sample()
        self._timer = AsyncioLoopingCall(self.sample)
        self._timer.start(self.interval, now=False)

    def sample(self) -> None:
        values = {name: self.stats.get_value(stat, 0) or 0 for name, stat in SAMPLED_STATS.items()}
        self.samples.append({"t": self.now(), **values})

    def response_received(self, response: Response, request: Request) -> None:
        callback = request.callback
        kind = getattr(callback, "__name__", None) or (
            "robots.txt" if response.url.endswith("/robots.txt") else "other"
        )
        self.pages[(kind, response.status)] += 1

    def blocked(self, request: Request, response: Response, kind: str) -> None:
        self.events.append({"t": self.now(), "type": "block", "kind": kind, "url": request.url})

    def item_scraped(self, item: Any) -> None:
        fields = item_fields(item)
        self.films.append({name: fields.get(name) for name in REPORT_FIELDS})

    def timeline(self) -> dict[str, Any]:
        """Everything the report needs besides the films, as JSON-safe values."""
        coverage = self.crawler.get_extension(FieldCoverage)
        failures = self.crawler.get_extension(FailedPages)
        stats = self.stats.get_stats()
        return {
            "interval": self.interval,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "samples": thin(self.samples, MAX_SAMPLES),
            "events": self.events[:MAX_EVENTS],
            "pages": [
                {"kind": kind, "status": status, "count": count}
                for (kind, status), count in sorted(self.pages.items())
            ],
            "failed": [
                {"url": page.url, "status": page.status, "error": page.error}
                for page in (failures.pages.values() if failures else ())
            ],
            "coverage": {
                "items": coverage.items if coverage else 0,
                "min_items": coverage.min_items if coverage else 0,
                "shares": (
                    {name: coverage.share(name) for name in coverage.present} if coverage else {}
                ),
                "thresholds": dict(coverage.thresholds) if coverage else {},
            },
            "expected_items": getattr(self.crawler.spider, "expected_items", None),
            "stats": json_safe_stats(stats),
        }

    async def engine_stopped(self) -> None:
        if self._timer is None:  # the spider never opened
            return
        if self._timer.running:
            self._timer.stop()
        spider = self.crawler.spider
        self.sample()
        timeline = self.timeline()
        crawl_id = self.stats.get_value("moviespider/storage/crawl_id")
        # Imported here: the report and the database are needed at close only.
        from moviespider.reports.build import save_timeline
        from moviespider.reports.render import write_report_at_close

        if crawl_id:
            try:
                await asyncio.to_thread(save_timeline, self.crawler.settings, crawl_id, timeline)
            except Exception as error:  # the report is a by-product: never fail the crawl for it
                logger.warning("Could not store the crawl's timeline: %s", error)
        if self.report_path:
            path = report_path(self.report_path, spider.name, crawl_id, self.started_at)
            try:
                await asyncio.to_thread(
                    write_report_at_close,
                    self.crawler.settings,
                    path,
                    spider=spider.name,
                    crawl_id=crawl_id,
                    timeline=timeline,
                    films=self.films,
                )
            except Exception as error:  # the crawl's data is safe; only its picture is missing
                logger.error("Could not write the report to %s: %s", path, describe(error))
            else:
                self.stats.set_value("moviespider/report", path)
                logger.info("Wrote the crawl's report to %s", path)


def report_path(template: str, spider: str, crawl_id: str | None, started: datetime | None) -> str:
    """REPORT with %(name)s, %(crawl_id)s and %(time)s filled in, as Scrapy's FEEDS take them."""
    if "%(" not in template:
        return template
    moment = (started or datetime.now(UTC)).strftime("%Y-%m-%dT%H-%M-%S")
    return template % {"name": spider, "crawl_id": crawl_id or "unstored", "time": moment}


def describe(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return f"{type(error).__name__}: {error}"


def thin(samples: list[dict[str, float]], most: int) -> list[dict[str, float]]:
    """At most *most* samples, evenly spread, the first and the last kept."""
    if len(samples) <= most:
        return samples
    step = (len(samples) - 1) / (most - 1)
    return [samples[round(i * step)] for i in range(most)]


# The text stats the report shows; others (paths, URLs) are not stored: a future one might hold
# a secret, and the timeline goes into the database.
TEXT_STATS = frozenset({"finish_reason", "moviespider/outcome"})


def json_safe_stats(stats: dict[str, Any]) -> dict[str, Any]:
    safe: dict[str, Any] = {}
    for name, value in stats.items():
        if isinstance(value, datetime):
            safe[name] = value.isoformat()
        elif isinstance(value, (int, float, bool)) or value is None or name in TEXT_STATS:
            safe[name] = value
        elif isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            safe[name] = list(value)
    return safe
