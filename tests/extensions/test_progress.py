import asyncio
import io
import logging
import time

import pytest
from scrapy import Spider, signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from moviespider.extensions.progress import Progress, format_duration


class Top250Spider(Spider):
    name = "top250"
    expected_items = 250


class OpenEndedSpider(Spider):
    name = "open_ended"


def make_progress(spidercls=Top250Spider, **settings):
    settings["EXTENSIONS_BASE"] = {}
    settings.setdefault("PROGRESS_BAR", False)
    crawler = get_crawler(spidercls, settings)
    crawler.stats.open_spider()
    crawler.spider = spidercls.from_crawler(crawler)
    return crawler, Progress.from_crawler(crawler)


def crawled(crawler, pages, items, blocks=0):
    crawler.stats.set_value("response_received_count", pages)
    crawler.stats.set_value("item_scraped_count", items)
    crawler.stats.set_value("moviespider/blocked_total", blocks)


def progress_lines(caplog):
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("Progress:")]


def test_line_has_items_of_total_pages_rates_blocks_and_eta(caplog):
    crawler, progress = make_progress(LOGSTATS_INTERVAL=60)
    progress.pagesprev = progress.itemsprev = 0
    progress.started = time.monotonic() - 60  # a minute in
    crawled(crawler, pages=6, items=120, blocks=3)
    with caplog.at_level(logging.INFO):
        progress.log(crawler.spider)
    (line,) = progress_lines(caplog)
    assert line.startswith(
        "Progress: 120/250 items (48%), 6 pages, 120 items/min, 6 pages/min, 3 blocks, ETA 1m0"
    )  # 130 items left at 2 items/s: 65 s, give or take the test's own run time


def test_without_a_known_total_there_is_no_eta(caplog):
    crawler, progress = make_progress(OpenEndedSpider, LOGSTATS_INTERVAL=60)
    progress.pagesprev = progress.itemsprev = 0
    crawled(crawler, pages=3, items=40)
    with caplog.at_level(logging.INFO):
        progress.log(crawler.spider)
    assert progress_lines(caplog) == [
        "Progress: 40 items, 3 pages, 40 items/min, 3 pages/min, 0 blocks"
    ]


def test_a_total_the_spider_learns_later_is_used():
    crawler, progress = make_progress(OpenEndedSpider)
    progress.started = time.monotonic() - 10
    progress.items = 10
    assert progress.eta(None) is None
    crawler.spider.expected_items = 30
    assert progress.eta(crawler.spider.expected_items) == pytest.approx(20, abs=0.5)


def test_rates_are_per_minute_of_the_last_interval(caplog):
    crawler, progress = make_progress(OpenEndedSpider, LOGSTATS_INTERVAL=30)
    progress.pagesprev, progress.itemsprev = 10, 100
    crawled(crawler, pages=13, items=130)
    with caplog.at_level(logging.INFO):
        progress.log(crawler.spider)
    assert "60 items/min, 6 pages/min" in progress_lines(caplog)[0]


def test_no_log_lines_when_logstats_interval_is_zero():
    with pytest.raises(NotConfigured):
        make_progress(LOGSTATS_INTERVAL=0)


@pytest.mark.parametrize(("tty", "bar"), [(True, True), (False, False)])
def test_bar_is_drawn_when_stderr_is_a_terminal(monkeypatch, tty, bar):
    class Stderr(io.StringIO):
        def isatty(self):
            return tty

    monkeypatch.setattr("sys.stderr", Stderr())
    _, progress = make_progress(PROGRESS_BAR=None)
    assert progress.draw_bar is bar


def test_bar_shows_items_of_total_pages_and_blocks_then_gives_back_the_log(monkeypatch):
    terminal = io.StringIO()
    monkeypatch.setattr("sys.stderr", terminal)
    console = logging.StreamHandler(terminal)
    console.setLevel(logging.INFO)  # as Scrapy sets LOG_LEVEL: on its handler, not the logger
    monkeypatch.setattr(logging.root, "level", logging.DEBUG)
    logging.root.addHandler(console)
    handlers = list(logging.root.handlers)
    try:
        crawler, progress = make_progress(PROGRESS_BAR=True, PROGRESS_BAR_REFRESH=0.05)

        async def crawl():
            send(crawler, signals.spider_opened, spider=crawler.spider)
            crawled(crawler, pages=4, items=100, blocks=1)
            progress.log(crawler.spider)
            logging.getLogger("moviespider.test").warning("a log line while the bar is up")
            logging.getLogger("moviespider.test").debug("a line below LOG_LEVEL")
            send(crawler, signals.spider_closed, spider=crawler.spider, reason="finished")

        asyncio.run(crawl())
        assert logging.root.handlers == handlers
        assert console.stream is terminal  # given back
    finally:
        logging.root.removeHandler(console)
    drawn = terminal.getvalue()
    assert "100/250" in drawn
    assert "4 pages, 1 blocks" in drawn
    assert "a log line while the bar is up\n" in drawn
    assert "below LOG_LEVEL" not in drawn
    assert progress.bar is None


def send(crawler, signal, **arguments):
    for _, result in crawler.signals.send_catch_log(signal, **arguments):
        if isinstance(result, Failure):
            result.raiseException()


@pytest.mark.parametrize(
    ("seconds", "text"), [(5.4, "5s"), (65, "1m05s"), (3600 + 120, "1h02m"), (0, "0s")]
)
def test_durations_read_like_a_clock(seconds, text):
    assert format_duration(seconds) == text
