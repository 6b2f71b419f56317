"""Python's cyclic garbage collector, tuned for a crawl while it runs.

A crawl allocates many short-lived containers per page, so Python's thresholds run full
collections often; ``GC_THRESHOLD`` raises them while the engine runs and restores Python's
after. Saves most of the collector's CPU (docs/performance.md).
"""

from __future__ import annotations

import gc
import logging
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured

from moviespider.config import GCConfig

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class GCThreshold:
    """Set the collector's thresholds while the engine runs.

    Thresholds are process-wide: with several crawls in one process (CrawlerProcess), the first
    to start saves Python's and the last to stop restores them.
    """

    _running = 0  # engines running under a GCThreshold in this process
    _saved: tuple[int, ...] = ()

    def __init__(self, threshold: tuple[int, ...]):
        self.threshold = threshold
        self.started = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GCThreshold:
        threshold = GCConfig.from_settings(crawler.settings).threshold
        if threshold is None:
            raise NotConfigured("GC_THRESHOLD is empty: Python's thresholds are kept")
        extension = cls(threshold)
        crawler.signals.connect(extension.engine_started, signal=signals.engine_started)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def engine_started(self) -> None:
        if GCThreshold._running == 0:
            GCThreshold._saved = gc.get_threshold()
        GCThreshold._running += 1
        self.started = True
        gc.set_threshold(*self.threshold)
        logger.debug("GC thresholds %s (were %s)", self.threshold, GCThreshold._saved)

    def engine_stopped(self) -> None:
        if not self.started:
            return
        self.started = False
        GCThreshold._running -= 1
        if GCThreshold._running == 0:
            gc.set_threshold(*GCThreshold._saved)
