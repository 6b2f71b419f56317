"""Per-response and per-item debug entries are made only when DEBUG is logged."""

import pytest
from scrapy import Request, Spider
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from moviespider.logformatter import LogFormatter


def formatter(**settings):
    return LogFormatter.from_crawler(get_crawler(Spider, settings))


@pytest.mark.parametrize(
    ("settings", "logged"),
    [
        ({"LOG_LEVEL": "DEBUG"}, True),
        ({"LOG_LEVEL": "INFO"}, False),
        ({"LOG_LEVEL": 10}, True),
        ({"LOG_LEVEL": "DEBUG", "LOG_ENABLED": False}, False),
    ],
)
def test_crawled_and_scraped_entries_follow_log_level(settings, logged):
    request = Request("http://example.com/")
    response = HtmlResponse("http://example.com/", body=b"", request=request)
    spider = Spider("s")
    log = formatter(**settings)
    assert (log.crawled(request, response, spider) is not None) is logged
    assert (log.scraped({"a": 1}, response, spider) is not None) is logged


def test_dropped_items_are_still_logged_in_one_line_at_info():
    crawler = get_crawler(Spider, {"LOG_LEVEL": "INFO"})
    spider = Spider.from_crawler(crawler, "s")
    log = LogFormatter.from_crawler(crawler)
    entry = log.dropped({"a": 1}, ValueError("no title"), None, spider)
    assert entry["msg"] == "Dropped item: %(exception)s"
