"""Scrapy's FeedExporter, stopping the crawl at once when a feed cannot be written.

Scrapy's logs a traceback for every item a broken feed refuses (``-o /proc/films.json``: it
cannot be created; ``-o /dev/full:json``: no space) and lets the crawl run on, its films lost.
Here the first failure logs one line naming the feed, drops that feed, and closes the spider with
reason ``feed_failed`` (exit status 7).
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING, Any

from scrapy.extensions.feedexport import FeedExporter as ScrapyFeedExporter
from scrapy.utils.defer import deferred_from_coro

from moviespider.outcomes import CloseReason

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.extensions.feedexport import FeedSlot

logger = logging.getLogger(__name__)


class FeedExporter(ScrapyFeedExporter):
    failed = False

    def item_scraped(self, item: Any, spider: Spider) -> None:
        if self.failed:
            return  # the spider is closing; the feed is gone
        slots, kept = self.slots, []
        for position, slot in enumerate(slots):
            self.slots = [slot]  # Scrapy's code, one feed at a time: a failure names its feed
            try:
                super().item_scraped(item, spider)
            except OSError as error:
                self.slots = kept + slots[position + 1 :]
                self.feed_failed(slot, error)
                return
            kept += self.slots
        self.slots = kept

    def feed_failed(self, slot: FeedSlot, error: OSError) -> None:
        self.failed = True
        self.crawler.stats.inc_value("moviespider/feeds/failed")
        logger.error(
            "Cannot write the feed %s: %s. The crawl stops (close reason %s); "
            "choose a writable path or free some space.",
            slot.uri,
            error.strerror or error,
            CloseReason.FEED_FAILED,
        )
        if slot.file is not None:
            with contextlib.suppress(OSError):  # the same failure again, already reported
                slot.file.close()
        assert self.crawler.engine is not None
        deferred_from_coro(self.crawler.engine.close_spider_async(reason=CloseReason.FEED_FAILED))
