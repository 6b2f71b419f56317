"""Hand every item that leaves the pipelines to the feed exporters and count it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured

from moviespider.internals import take_over_item_scraped

if TYPE_CHECKING:
    from collections.abc import Callable

    from scrapy.crawler import Crawler


class HandToFeed:
    """Item pipeline: exports each item and counts ``item_scraped_count`` itself, instead of
    Scrapy's ``item_scraped`` signal doing it (a tenth of moviespider's CPU per page: see
    docs/performance.md).

    It must be the last item pipeline (settings.py puts it at 1100): an item a later pipeline
    dropped would be in the feed. ``FEED_FROM_PIPELINE = False`` leaves it to the signal.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self._scraped: Callable[[Any], None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HandToFeed:
        if not crawler.settings.getbool("FEED_FROM_PIPELINE", True):
            raise NotConfigured  # switched off on purpose: nothing to warn about
        return cls(crawler)

    def open_spider(self) -> None:
        self._scraped = take_over_item_scraped(self.crawler)

    def process_item(self, item: Any) -> Any:
        self._scraped(item)
        return item
