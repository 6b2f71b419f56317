from __future__ import annotations

from typing import Any

from scrapy_spider_metadata import Args

from moviespider.parsing import parse_nowplaying_page
from moviespider.spiders.base import CityListSpider, CityParams


class DoubanNowplayingSpider(CityListSpider, Args[CityParams]):
    """Films showing in one city's cinemas now, each merged with its detail page.

    Reads /cinema/nowplaying/<city>/ (the "now playing" block, not the upcoming one beside it),
    then every film's /subject/<id>/. A film whose detail page cannot be had keeps its list
    fields (stats: moviespider/details_missing).

    Arguments (CityParams): city, Douban's city slug as in the list's URL (default beijing).
    """

    name = "douban_nowplaying"
    source = "nowplaying"

    def list_url(self) -> str:
        return self.site.nowplaying_url(self.city)

    def parse_list_page(self, html: bytes) -> list[dict[str, Any]]:
        return parse_nowplaying_page(html)
