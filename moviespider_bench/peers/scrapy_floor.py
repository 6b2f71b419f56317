"""The Scrapy floor: the least any Scrapy spider does to turn Top250 pages into a feed.

Scrapy tuned as moviespider tunes it (uvloop, ``CONCURRENT_ITEMS = 25``, telnet console and
robots.txt off), the raw client's parser (``aiohttp_lxml.parse_page``: one lxml parse, XPath
compiled at import), 25 dicts a page through one pass-through item pipeline and Scrapy's
``item_scraped`` signal to a JSON-lines feed. What a Scrapy crawler costs above this is its own.

Run with ``scrapy runspider scrapy_floor.py -a base_url=URL -a pages=N`` outside any project.
"""

from __future__ import annotations

from typing import Any, ClassVar

import scrapy

from moviespider_bench.peers.aiohttp_lxml import parse_page
from moviespider_bench.peers.common import top250_urls


class PassThrough:
    def process_item(self, item: Any) -> Any:
        return item


class ScrapyFloorSpider(scrapy.Spider):
    name = "scrapy_floor"
    custom_settings: ClassVar[dict] = {
        "ASYNCIO_EVENT_LOOP": "uvloop.Loop",
        "CONCURRENT_ITEMS": 25,
        "ROBOTSTXT_OBEY": False,
        "TELNETCONSOLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "FEED_EXPORT_ENCODING": "utf-8",
        "ITEM_PIPELINES": {f"{__name__}.PassThrough": 100},
    }

    def __init__(self, base_url: str, pages: str, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = top250_urls(base_url, int(pages))

    async def parse(self, response):
        for film in parse_page(response.body):
            yield film
