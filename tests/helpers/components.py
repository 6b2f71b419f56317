"""Building one component outside a crawl, as the crawler would build it."""

from __future__ import annotations

from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from moviespider.items import Movie


def open_crawler(spidercls: type[Spider] = Spider, **settings: Any) -> Crawler:
    """A crawler with its spider and open stats, no extensions but the one a test builds."""
    settings["EXTENSIONS_BASE"] = {}  # only the component under test hears the signals
    crawler = get_crawler(spidercls, settings)
    crawler.stats.open_spider()
    crawler.spider = spidercls.from_crawler(crawler)
    return crawler


def send(crawler: Crawler, signal: object, **arguments: Any) -> None:
    """Send a signal as the engine does; fail the test if a handler raised."""
    for _, result in crawler.signals.send_catch_log(signal, **arguments):
        if isinstance(result, Failure):
            result.raiseException()


def movie(**fields: Any) -> Movie:
    """A Movie with the required fields of 肖申克的救赎 unless given."""
    fields.setdefault("subject_id", "1292052")
    fields.setdefault("url", "https://movie.douban.com/subject/1292052/")
    fields.setdefault("source", "subject")
    fields.setdefault("title", "肖申克的救赎")
    return Movie(**fields)


def project_crawler(spidercls: type[Spider] = Spider, **settings: Any) -> Crawler:
    """A crawler with moviespider's settings and these on top (as settings.py would set them),
    add-ons applied."""
    project = BaseSettings()
    project.setmodule("moviespider.settings")
    project = project.copy_to_dict()
    del project["TWISTED_REACTOR"]  # get_crawler picks what suits a test without a reactor
    # The project's spiders play no part here: don't load them. DOWNLOAD_HANDLERS as the
    # project has it (get_crawler would set its own for a test without a reactor).
    crawler = get_crawler(
        spidercls, {**project, "SPIDER_MODULES": [], "DOWNLOAD_HANDLERS": {}, **settings}
    )
    crawler.stats.open_spider()
    return crawler
