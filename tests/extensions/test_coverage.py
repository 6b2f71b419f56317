import logging
from typing import ClassVar

import pytest
from scrapy import Spider, signals
from scrapy.exceptions import CloseSpider, DropItem
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from moviespider.errors import ConfigError
from moviespider.extensions.coverage import FieldCoverage
from moviespider.items import Movie
from moviespider.outcomes import CloseReason


class FilmSpider(Spider):
    name = "films"


def start(spidercls=FilmSpider, **settings):
    settings.setdefault("COVERAGE_MIN_ITEMS", 0)
    settings.setdefault("COVERAGE_THRESHOLDS", {})  # else settings.py's apply
    settings["EXTENSIONS_BASE"] = {}  # only the extension under test hears the signals
    crawler = get_crawler(spidercls, settings)
    crawler.stats.open_spider()
    extension = FieldCoverage.from_crawler(crawler)
    send(crawler, signals.spider_opened, spider=spidercls())
    return crawler, extension


def movie(number, **fields):
    return Movie(
        subject_id=str(number), url=f"https://movie.douban.com/subject/{number}/", source="top250",
        title=fields.pop("title", f"film {number}"), **fields,
    )  # fmt: skip


def send(crawler, signal, **arguments):
    """Send a signal as the engine does; fail the test if a handler raised something else."""
    results = crawler.signals.send_catch_log(signal, dont_log=CloseSpider, **arguments)
    failures = [result for _, result in results if isinstance(result, Failure)]
    for failure in failures:
        if not failure.check(CloseSpider):
            failure.raiseException()
    return failures


def scrape(crawler, *items):
    for item in items:
        send(crawler, signals.item_scraped, item=item, response=None, spider=None)


def close(crawler):
    send(crawler, signals.spider_closed, spider=FilmSpider(), reason="finished")


def test_share_of_items_having_each_field_is_in_stats():
    crawler, _ = start()
    scrape(crawler, movie(1, rating=9.1), movie(2, rating=8.0), movie(3), movie(4, rating=7.5))
    close(crawler)
    stats = crawler.stats
    assert stats.get_value("moviespider/coverage/items") == 4
    assert stats.get_value("moviespider/coverage/rating") == 75.0
    assert stats.get_value("moviespider/coverage/title") == 100.0
    assert stats.get_value("moviespider/coverage/genres") is None  # no item has it


def test_empty_lists_and_strings_do_not_count_but_zero_does():
    crawler, extension = start()
    scrape(crawler, movie(1, genres=[], votes=0, quote=""), movie(2, genres=["剧情"]))
    assert extension.share("genres") == 0.5
    assert extension.share("votes") == 0.5
    assert extension.share("quote") == 0


def test_coverage_is_logged_per_field_with_thresholds(caplog):
    crawler, _ = start(COVERAGE_THRESHOLDS={"rating": 0.5})
    scrape(crawler, movie(1, rating=9.1), movie(2))
    with caplog.at_level(logging.INFO):
        close(crawler)
    (table,) = [r.getMessage() for r in caplog.records if "Field coverage over" in r.getMessage()]
    assert "Field coverage over 2 items" in table
    assert "rating" in table and " 50.0%  (threshold 50%)" in table
    assert "title" in table and "100.0%" in table


def test_field_below_threshold_is_an_error_naming_it(caplog):
    crawler, _ = start(COVERAGE_THRESHOLDS={"rating": 0.9, "title": 0.9})
    scrape(crawler, movie(1, rating=9.1), movie(2), movie(3))
    close(crawler)
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "rating in 33.3% of 3 items (threshold 90%)" in errors[0]
    assert crawler.stats.get_value("moviespider/coverage/low_fields") == ["rating"]


def test_low_coverage_ends_the_crawl_with_its_own_reason():
    crawler, _ = start(COVERAGE_THRESHOLDS={"rating": 0.9})
    scrape(crawler, movie(1), movie(2))
    (failure,) = send(crawler, signals.spider_idle, spider=None)
    assert failure.value.reason == CloseReason.FIELD_COVERAGE_LOW == "field_coverage_low"


def test_good_coverage_lets_the_crawl_finish(caplog):
    crawler, _ = start(COVERAGE_THRESHOLDS={"rating": 0.5})
    scrape(crawler, movie(1, rating=9.1), movie(2))
    assert send(crawler, signals.spider_idle, spider=None) == []
    close(crawler)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert crawler.stats.get_value("moviespider/coverage/low_fields") is None


def test_dropped_items_count_so_a_lost_title_shows():
    crawler, _ = start(COVERAGE_THRESHOLDS={"title": 0.99})
    scrape(crawler, movie(1))
    for number in (2, 3):
        send(
            crawler, signals.item_dropped, item=movie(number, title=None), response=None,
            exception=DropItem("no title"), spider=None,
        )  # fmt: skip
    close(crawler)
    assert crawler.stats.get_value("moviespider/coverage/title") == 33.3
    assert crawler.stats.get_value("moviespider/coverage/low_fields") == ["title"]


def test_too_few_items_are_not_judged():
    crawler, _ = start(COVERAGE_THRESHOLDS={"rating": 0.9}, COVERAGE_MIN_ITEMS=5)
    scrape(crawler, movie(1), movie(2))
    assert send(crawler, signals.spider_idle, spider=None) == []
    close(crawler)
    assert crawler.stats.get_value("moviespider/coverage/rating") == 0.0
    assert crawler.stats.get_value("moviespider/coverage/low_fields") is None


def test_spider_adds_and_removes_thresholds():
    class UpcomingSpider(FilmSpider):
        coverage_thresholds: ClassVar = {"release_date": 0.9, "rating": None}

    _, extension = start(UpcomingSpider, COVERAGE_THRESHOLDS={"rating": 0.9, "title": 0.99})
    assert extension.thresholds == {"title": 0.99, "release_date": 0.9}


def test_thresholds_given_as_json_on_the_command_line():
    _, extension = start(COVERAGE_THRESHOLDS='{"votes": 0.8}')
    assert extension.thresholds == {"votes": 0.8}


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"COVERAGE_THRESHOLDS": {"ratting": 0.9}}, "COVERAGE_THRESHOLDS: 'ratting' is not a"),
        ({"COVERAGE_THRESHOLDS": {"rating": 90}}, "COVERAGE_THRESHOLDS: rating: expected a share"),
        ({"COVERAGE_THRESHOLDS": {"rating": "x"}}, "COVERAGE_THRESHOLDS: rating: expected a share"),
        ({"COVERAGE_MIN_ITEMS": "-1"}, "setting COVERAGE_MIN_ITEMS: must be at least 0"),
    ],
)
def test_bad_settings_name_the_setting(settings, message):
    with pytest.raises(ConfigError, match=message):
        start(**settings)


def test_bad_spider_thresholds_name_the_spider():
    class TypoSpider(FilmSpider):
        name = "typo"
        coverage_thresholds: ClassVar = {"ratng": 0.9}

    with pytest.raises(ConfigError, match="spider typo attribute coverage_thresholds: 'ratng'"):
        start(TypoSpider)
