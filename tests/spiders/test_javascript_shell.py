"""A page that is a shell for JavaScript to fill, met without the browser."""

import logging

import pytest
from scrapy.exceptions import CloseSpider
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from moviespider.outcomes import CloseReason
from moviespider.spiders.base import DoubanSpider

SHELL = b"""<html><body><div id="app"></div>
<script>window.__MOVIESPIDER_CSR__ = true; /* fetch, then fill div#app */</script></body></html>"""


def response(body, flags=()):
    return HtmlResponse("http://sandbox/top250?start=0", body=body, flags=list(flags))


class ShellSpider(DoubanSpider):
    name = "shells"
    source = "top250"


@pytest.fixture
def spider():
    crawler = get_crawler(ShellSpider)
    return crawler._create_spider()


def test_a_javascript_shell_closes_the_crawl_with_a_hint(spider, caplog):
    with pytest.raises(CloseSpider) as stopped, caplog.at_level(logging.ERROR):
        spider.stop_on_javascript_shell(response(SHELL))
    assert stopped.value.reason == CloseReason.JAVASCRIPT_REQUIRED
    (hint,) = caplog.messages
    assert "-s PLAYWRIGHT_ENABLED=1" in hint
    assert "\n" not in hint


def test_the_hint_is_given_once(spider, caplog):
    with caplog.at_level(logging.ERROR):
        for _ in range(3):
            with pytest.raises(CloseSpider):
                spider.stop_on_javascript_shell(response(SHELL))
    assert len(caplog.messages) == 1
    assert spider.crawler.stats.get_value("moviespider/javascript_shells") == 3


def test_a_page_without_the_marker_is_not_a_shell(spider):
    assert spider.stop_on_javascript_shell(response(b"<html><h1>403 Forbidden</h1></html>")) is None


def test_a_shell_the_browser_rendered_does_not_ask_for_the_browser(spider):
    assert spider.stop_on_javascript_shell(response(SHELL, flags=["playwright"])) is None
