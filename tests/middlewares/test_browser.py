"""RenderInBrowser: only the requests a spider names in browser_pages go to the browser."""

from typing import ClassVar

import pytest
import scrapy
from scrapy.exceptions import NotConfigured

from moviespider.middlewares.browser import RenderInBrowser
from tests.helpers.components import project_crawler


class ShellSpider(scrapy.Spider):
    name = "shells"
    browser_pages: ClassVar[dict[str, str]] = {"parse_list": "ol.grid_view"}

    def parse_list(self, response):
        pass

    def parse_other(self, response):
        pass


@pytest.fixture
def render(fake_chromium):
    crawler = project_crawler(
        ShellSpider,
        PLAYWRIGHT_ENABLED=True,
        PLAYWRIGHT_EXECUTABLE_PATH=str(fake_chromium),
        DOWNLOAD_TIMEOUT=7,
    )
    crawler.spider = crawler._create_spider()
    return RenderInBrowser.from_crawler(crawler)


def test_requests_for_a_browser_page_are_rendered_and_wait_for_the_parsers_element(render):
    request = scrapy.Request("http://sandbox/list", callback=render.crawler.spider.parse_list)
    render.process_request(request)
    assert request.meta["playwright"] is True
    (wait,) = request.meta["playwright_page_methods"]
    assert (wait.method, wait.args) == ("wait_for_selector", ("ol.grid_view",))
    assert wait.kwargs == {"state": "attached", "timeout": 7000}
    assert render.crawler.stats.get_value("moviespider/browser/requests") == 1


def test_other_requests_keep_scrapys_downloader(render):
    request = scrapy.Request("http://sandbox/other", callback=render.crawler.spider.parse_other)
    render.process_request(request)
    assert "playwright" not in request.meta
    assert render.crawler.stats.get_value("moviespider/browser/requests") is None


def test_a_request_that_decided_for_itself_is_left_alone(render):
    request = scrapy.Request(
        "http://sandbox/list", callback=render.crawler.spider.parse_list, meta={"playwright": False}
    )
    render.process_request(request)
    assert request.meta == {"playwright": False}


def test_the_middleware_is_off_with_the_browser():
    with pytest.raises(NotConfigured):
        RenderInBrowser.from_crawler(project_crawler(ShellSpider))
