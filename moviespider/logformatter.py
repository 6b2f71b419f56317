"""Log lines for dropped items: one line with the reason, not the whole item.

Below DEBUG it saves building the "Crawled"/"Scraped" entries Scrapy makes for every response
and item even when the level drops them (docs/performance.md).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import logformatter
from scrapy.crawler import Crawler


class LogFormatter(logformatter.LogFormatter):
    def __init__(self, debug: bool = True):
        self.debug = debug

    @classmethod
    def from_crawler(cls, crawler: Crawler):
        settings = crawler.settings
        level = settings.get("LOG_LEVEL")
        if not isinstance(level, int):
            level = logging.getLevelNamesMapping().get(str(level).upper(), logging.DEBUG)
        return cls(debug=settings.getbool("LOG_ENABLED") and level <= logging.DEBUG)

    def crawled(self, request: Any, response: Any, spider: Any):
        return super().crawled(request, response, spider) if self.debug else None

    def scraped(self, item: Any, response: Any, spider: Any):
        return super().scraped(item, response, spider) if self.debug else None

    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any):
        entry = super().dropped(item, exception, response, spider)
        entry["msg"] = "Dropped item: %(exception)s"
        return entry
