"""Crawl progress: items, pages, rate, blocks and, when the total is known, an ETA.

Replaces Scrapy's LogStats (keeping its per-minute stats): a live bar on a terminal, else a log
line every ``LOGSTATS_INTERVAL`` (docs/resume.md, "Progress"). Every figure is read from the stats
on a timer, nothing per item; the total is the spider's ``expected_items``, read at each update.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, TextIO

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.extensions.logstats import LogStats
from tqdm import tqdm

from moviespider.config import ProgressConfig
from moviespider.middlewares.blocks import BLOCKED_TOTAL_STAT

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class Progress(LogStats):
    """A live bar on a terminal, a periodic log line otherwise."""

    def __init__(self, stats: StatsCollector, interval: float = 60.0, bar: bool = False):
        super().__init__(stats, interval)
        self.draw_bar = bar
        self.bar: tqdm | None = None
        self.redirect = ExitStack()
        self.started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        config = ProgressConfig.from_settings(crawler.settings)
        bar = sys.stderr.isatty() if config.bar is None else config.bar
        interval = config.bar_refresh if bar else config.log_interval
        if not interval:
            raise NotConfigured
        extension = cls(crawler.stats, interval, bar=bar)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        self.started = time.monotonic()
        if self.draw_bar:
            self.bar = tqdm(
                total=expected_items(spider),
                unit=" items",
                file=sys.stderr,
                dynamic_ncols=True,
                smoothing=0.1,
            )
            self.redirect.enter_context(logs_above_the_bar())
        super().spider_opened(spider)

    def log(self, spider: Spider) -> None:
        self.calculate_stats()
        total = expected_items(spider)
        blocks = self.stats.get_value(BLOCKED_TOTAL_STAT, 0)
        if self.bar is not None:
            if total != self.bar.total:
                self.bar.total = total
            self.bar.set_postfix_str(f"{self.pages} pages, {blocks} blocks", refresh=False)
            self.bar.update(self.items - self.bar.n)  # redraws when due
            return
        items = f"{self.items} items"
        if total:
            items = f"{self.items}/{total} items ({self.items / total:.0%})"
        eta = self.eta(total)
        logger.info(
            "Progress: %s, %d pages, %d items/min, %d pages/min, %d blocks%s",
            items,
            self.pages,
            self.irate,
            self.prate,
            blocks,
            "" if eta is None else f", ETA {format_duration(eta)}",
            extra={"spider": spider},
        )

    def eta(self, total: int | None) -> float | None:
        """Seconds left at the average rate so far; None when the total or a rate is unknown."""
        if not total or not self.items:
            return None
        elapsed = time.monotonic() - self.started
        return max(total - self.items, 0) * elapsed / self.items

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.bar is not None:
            self.log(spider)
            self.bar.close()
            self.bar = None
            self.redirect.close()
        super().spider_closed(spider, reason)


class AboveTheBar:
    """A console stream whose writes clear the progress bar first and redraw it after."""

    def __init__(self, stream: TextIO):
        self.stream = stream

    def write(self, text: str) -> int:
        with tqdm.external_write_mode(file=self.stream):
            return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()


@contextmanager
def logs_above_the_bar() -> Iterator[None]:
    """Point the console log handlers (Scrapy's) at AboveTheBar while the bar is shown.

    The handlers stay as they are (level, format, filters): only their stream is wrapped.
    """
    consoles = [
        handler
        for handler in logging.getLogger().handlers
        if isinstance(handler, logging.StreamHandler) and handler.stream in (sys.stderr, sys.stdout)
    ]
    streams = [handler.setStream(AboveTheBar(handler.stream)) for handler in consoles]
    try:
        yield
    finally:
        for handler, stream in zip(consoles, streams, strict=True):
            handler.setStream(stream)


def expected_items(spider: Spider) -> int | None:
    total = getattr(spider, "expected_items", None)
    return total if isinstance(total, int) and total > 0 else None


def format_duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{seconds:02d}s"
    return f"{seconds}s"
