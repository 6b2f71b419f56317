from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import scrapy
from pydantic import Field
from scrapy.http import Response
from scrapy_spider_metadata import Args

from moviespider.config import Top250Config
from moviespider.parsing import PageError, parse_top250_page
from moviespider.spiders.arguments import Flag, SpiderParams
from moviespider.spiders.base import DoubanSpider

PAGE_SIZE = 25  # films per Top250 page, fixed by Douban


class Top250Params(SpiderParams):
    details: Flag = Field(False, description="1: also fetch every film's subject page")


class DoubanTop250Spider(DoubanSpider, Args[Top250Params]):
    """Douban's Top250 films, one item per film with its rank.

    All list pages are requested at once: they don't depend on each other.

    Arguments (Top250Params): details=1 also fetches every film's subject page.

    Settings:
        DOUBAN_TOP250_SIZE: how many ranked films the list holds (250 on Douban; the sandbox can
            serve longer lists for benchmarks).
    """

    name = "douban_top250"
    source = "top250"
    # Key fields every Top250 film has (see moviespider.extensions.coverage).
    coverage_thresholds: ClassVar[dict[str, float | None]] = {
        "rating": 0.7,
        "votes": 0.7,
        "rank": 0.99,
    }
    browser_pages: ClassVar[Mapping[str, str]] = {
        **DoubanSpider.browser_pages,
        "parse_page": "ol.grid_view",
    }

    details: bool

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.list_size = Top250Config.from_settings(crawler.settings).size
        spider.expected_items = spider.list_size  # the progress bar's total
        return spider

    async def start(self):
        for start in range(0, self.list_size, PAGE_SIZE):
            yield scrapy.Request(self.site.top250_url(start), callback=self.parse_page)

    async def parse_page(self, response: Response):
        """A page of the list: its 25 films.

        @site /top250?start=0&filter=
        @returns items 25 25
        @returns requests 0 0
        @scrapes subject_id url source title year genres rating votes rank
        """
        try:
            films = parse_top250_page(response.body)
        except PageError as error:
            if retry := self.page_unusable(response, error):
                yield retry
            return
        for film in films:
            if self.details:
                yield self.details_request(film)
            else:
                yield self.make_movie(film)
