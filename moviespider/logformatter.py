"""Log lines for dropped items and failed downloads: one line with the reason.

A download Scrapy gives up on is already logged in one line by RetryMiddleware ("Gave up
retrying … DNS lookup failed") and listed at close by FailedPages: Scrapy's second, ERROR entry
with the whole traceback ("Error downloading <GET …>"), one per page, goes to DEBUG, and the
robots.txt middleware's traceback for a site it cannot reach is cut to its one line.

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
        robots = logging.getLogger("scrapy.downloadermiddlewares.robotstxt")
        if not any(isinstance(existing, NoTraceback) for existing in robots.filters):
            robots.addFilter(NoTraceback())
        return cls(debug=settings.getbool("LOG_ENABLED") and level <= logging.DEBUG)

    def crawled(self, request: Any, response: Any, spider: Any):
        return super().crawled(request, response, spider) if self.debug else None

    def scraped(self, item: Any, response: Any, spider: Any):
        return super().scraped(item, response, spider) if self.debug else None

    def download_error(self, failure: Any, request: Any, spider: Any, errmsg: Any = None):
        entry = super().download_error(failure, request, spider, errmsg)
        entry["level"] = logging.DEBUG
        return entry

    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any):
        entry = super().dropped(item, exception, response, spider)
        entry["msg"] = "Dropped item: %(exception)s"
        return entry


class NoTraceback(logging.Filter):
    """Keep a record's message (which names the error), drop its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True
