"""The contract moviespider/internals.py holds against the installed Scrapy."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
import scrapy
from scrapy.utils.test import get_crawler

from moviespider.internals import InternalsChanged, engine_requests
from tests.helpers.mockserver import MockServer, html_reply


class InProgressSpider(scrapy.Spider):
    name = "in_progress"

    def __init__(self, base_url: str, **kwargs):
        super().__init__(**kwargs)
        self.base_url = base_url
        self.seen: list[tuple[str, bool]] = []

    async def start(self):
        for number in range(3):
            yield scrapy.Request(f"{self.base_url}/subject/{number}/")

    def parse(self, response):
        requests = engine_requests(self.crawler).in_progress()
        self.seen.append((response.url, response.request in requests))


def test_a_request_is_in_progress_while_its_callback_runs():
    settings = {"ROBOTSTXT_OBEY": False, "LOG_LEVEL": "WARNING"}
    with MockServer(behave=lambda hit, hits: html_reply("<html><p>a film</p></html>")) as site:
        crawler = get_crawler(InProgressSpider, settings)
        asyncio.run(crawler.crawl_async(base_url=site.url))
    seen = crawler.spider.seen
    assert len(seen) == 3
    assert all(in_progress for _, in_progress in seen)


def test_a_scrapy_without_the_engines_in_progress_set_is_one_clear_error():
    crawler = SimpleNamespace(engine=SimpleNamespace(_slot=None))
    with pytest.raises(InternalsChanged, match=r"ExecutionEngine\._slot\.inprogress"):
        engine_requests(crawler)
