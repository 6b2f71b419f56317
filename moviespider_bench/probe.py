"""A Scrapy extension that reports what one crawl cost, for the benchmark.

Enabled by the benchmark only: ``-s EXTENSIONS='{"moviespider_bench.probe.BenchProbe": 0}'
-s BENCH_REPORT=PATH``. At the end of the crawl it writes one JSON object to PATH, in the same
shape as the peers' reports (see ``moviespider_bench.peers.common.write_report``).
"""

from __future__ import annotations

import time

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from moviespider_bench.peers.common import process_cpu_seconds, write_report


class BenchProbe:
    """Crawl time and CPU from the engine's start to the spider's close."""

    def __init__(self, crawler: Crawler, path: str):
        self.crawler = crawler
        self.path = path
        self.started = time.perf_counter()
        self.cpu_at_start = process_cpu_seconds()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BenchProbe:
        path = crawler.settings.get("BENCH_REPORT")
        if not path:
            raise NotConfigured("BENCH_REPORT is not set")
        probe = cls(crawler, path)
        crawler.signals.connect(probe.engine_started, signal=signals.engine_started)
        crawler.signals.connect(probe.spider_closed, signal=signals.spider_closed)
        return probe

    def engine_started(self) -> None:
        self.started = time.perf_counter()
        self.cpu_at_start = process_cpu_seconds()

    def spider_closed(self, reason: str) -> None:
        stats = self.crawler.stats
        assert stats is not None
        write_report(
            self.path,
            crawl_seconds=time.perf_counter() - self.started,
            crawl_cpu_seconds=process_cpu_seconds() - self.cpu_at_start,
            responses=stats.get_value("response_received_count", 0),
            items=stats.get_value("item_scraped_count", 0),
            errors=stats.get_value("log_count/ERROR", 0),
            finish_reason=reason,
        )
