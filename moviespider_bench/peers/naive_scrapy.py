"""A naive Scrapy spider: the project template's settings and a parsel CSS query per field.

Run with ``scrapy runspider naive_scrapy.py -a base_url=URL -a pages=N`` outside any project,
so only Scrapy's defaults and the template's settings below apply; the benchmark lifts the
template's politeness (DOWNLOAD_DELAY, CONCURRENT_REQUESTS_PER_DOMAIN) with ``-s`` for the
sandbox, as a user would.
"""

from __future__ import annotations

from typing import ClassVar

import scrapy

from moviespider_bench.peers.common import film_record, top250_urls


class NaiveTop250Spider(scrapy.Spider):
    name = "naive_top250"
    custom_settings: ClassVar[dict] = {  # what `scrapy startproject` writes into settings.py
        "ROBOTSTXT_OBEY": True,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "DOWNLOAD_DELAY": 1,
        "FEED_EXPORT_ENCODING": "utf-8",
    }

    def __init__(self, base_url: str, pages: str, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = top250_urls(base_url, int(pages))

    def parse(self, response):
        for li in response.css("ol.grid_view > li"):
            yield film_record(
                rank=li.css("div.pic em::text").get(),
                link=li.css("div.hd > a::attr(href)").get(),
                titles=li.css("div.hd span.title::text").getall(),
                other=li.css("div.hd span.other::text").get(),
                facts=li.css("div.bd > p:first-child::text").getall(),
                rating=li.css("span.rating_num::text").get(),
                votes=li.css("div.star span:last-child::text").get(),
                quote=li.css("span.inq::text").get(),
                poster=li.css("div.pic img::attr(src)").get(),
            )
