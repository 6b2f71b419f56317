"""Send the requests a spider's ``browser_pages`` names through scrapy-playwright."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured

from moviespider.config import PlaywrightConfig

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler


class RenderInBrowser:
    """Send the requests a spider's ``browser_pages`` names through the browser.

    ``browser_pages`` maps a callback's name to the CSS selector of the element its parser
    needs; the browser waits for that element (not for a fixed time) before the page is read.
    The page is closed by scrapy-playwright once read, also when the download fails, since the
    spider never asks for it (``playwright_include_page``).
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.timeout_ms = crawler.settings.getfloat("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RenderInBrowser:
        if not PlaywrightConfig.from_settings(crawler.settings).enabled:
            raise NotConfigured
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if "playwright" in request.meta:
            return  # the spider decided itself
        pages: Mapping[str, str] = getattr(self.crawler.spider, "browser_pages", {})
        callback = request.callback or getattr(self.crawler.spider, "parse", None)
        selector = pages.get(getattr(callback, "__name__", ""))
        if selector is None:
            return
        from scrapy_playwright.page import PageMethod

        request.meta["playwright"] = True
        request.meta["playwright_page_methods"] = [
            PageMethod("wait_for_selector", selector, state="attached", timeout=self.timeout_ms)
        ]
        self.crawler.stats.inc_value("moviespider/browser/requests")
