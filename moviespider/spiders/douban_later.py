from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any, ClassVar

from scrapy_spider_metadata import Args

from moviespider.config import LaterConfig
from moviespider.parsing import parse_later_page
from moviespider.spiders.base import CityListSpider, CityParams

# Douban publishes the list in China Standard Time, which has no daylight saving time.
CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")


class DoubanLaterSpider(CityListSpider, Args[CityParams]):
    """Films coming to one city's cinemas, each merged with its detail page.

    Reads /cinema/later/<city>/, then every listed film's /subject/<id>/. A film whose detail
    page cannot be had is still yielded with its list fields (stats: moviespider/details_missing).

    Arguments (CityParams): city, Douban's city slug as in the list's URL (default beijing).

    Settings:
        DOUBAN_REFERENCE_DATE: the day the list's "MM月DD日" dates are read against (YYYY-MM-DD;
            default: today in China). A release date is the next such day on or after it.
    """

    name = "douban_later"
    source = "later"
    # Key fields of the upcoming list (see moviespider.extensions.coverage).
    coverage_thresholds: ClassVar[dict[str, float | None]] = {"release_date": 0.9}

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.reference_date = reference_date(LaterConfig.from_settings(crawler.settings))
        return spider

    def list_url(self) -> str:
        return self.site.later_url(self.city)

    def parse_list_page(self, html: bytes) -> list[dict[str, Any]]:
        return parse_later_page(html, self.reference_date)


def reference_date(config: LaterConfig) -> date:
    return config.reference_date or datetime.now(CHINA_STANDARD_TIME).date()
