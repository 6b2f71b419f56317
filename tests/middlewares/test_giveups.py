"""ReportGiveUps: a page the crawl gives up on is reported once, under the URL asked for."""

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse
from scrapy.http.request import NO_CALLBACK
from twisted.internet.error import TimeoutError as TwistedTimeoutError

from moviespider.middlewares.giveups import ReportGiveUps
from moviespider.signals import page_failed
from tests.helpers.components import open_crawler

URL = "https://movie.douban.com/subject/1292052/"


class FilmSpider(Spider):
    name = "films"


def make_crawler(spidercls=FilmSpider, **settings):
    return open_crawler(spidercls, **settings)


def downloaded(url=URL, status=200, **meta):
    """What a downloader middleware gets: a request, and a response not yet tied to it."""
    return Request(url, meta=meta), HtmlResponse(url, status=status, body=b"<html></html>")


@pytest.fixture
def reported():
    crawler = make_crawler()
    calls = []
    crawler.signals.connect(lambda **kw: calls.append(kw), signal=page_failed, weak=False)
    return crawler, calls


def strip(calls):
    return [(c["url"], c["status"], c["error"]) for c in calls]


def test_an_error_status_is_reported_and_passed_on(reported):
    crawler, calls = reported
    middleware = ReportGiveUps.from_crawler(crawler)
    request, page = downloaded(status=503)
    assert middleware.process_response(request, page) is page
    assert strip(calls) == [(URL, 503, None)]


def test_a_good_response_is_not_reported(reported):
    crawler, calls = reported
    ReportGiveUps.from_crawler(crawler).process_response(*downloaded(status=200))
    assert calls == []


def test_a_redirected_page_is_reported_under_the_url_asked_for(reported):
    crawler, calls = reported
    page = downloaded("https://movie.douban.com/login", status=404, redirect_urls=[URL])
    ReportGiveUps.from_crawler(crawler).process_response(*page)
    assert strip(calls) == [(URL, 404, None)]


@pytest.mark.parametrize(
    ("meta", "spider_list", "settings"),
    [
        ({"handle_httpstatus_list": [404]}, None, {}),
        ({"handle_httpstatus_all": True}, None, {}),
        ({}, [404], {}),
        ({}, None, {"HTTPERROR_ALLOWED_CODES": [404]}),
        ({}, None, {"HTTPERROR_ALLOW_ALL": True}),
    ],
)
def test_a_status_the_spider_handles_is_not_a_failure(meta, spider_list, settings):
    class HandlingSpider(FilmSpider):
        handle_httpstatus_list = spider_list

    if spider_list is None:
        del HandlingSpider.handle_httpstatus_list
    crawler = make_crawler(HandlingSpider, **settings)
    calls = []
    crawler.signals.connect(lambda **kw: calls.append(kw), signal=page_failed, weak=False)
    ReportGiveUps.from_crawler(crawler).process_response(*downloaded(status=404, **meta))
    assert calls == []


def test_a_download_error_is_reported_and_passed_on(reported):
    crawler, calls = reported
    middleware = ReportGiveUps.from_crawler(crawler)
    error = TwistedTimeoutError("Getting https://… took longer than 30.0 seconds.")
    assert middleware.process_exception(Request(URL), error) is None
    ((url, status, message),) = strip(calls)
    assert (url, status) == (URL, None)
    assert message.startswith("TimeoutError: User timeout caused connection failure")


def test_an_ignored_request_is_not_a_failure(reported):
    crawler, calls = reported
    ReportGiveUps.from_crawler(crawler).process_exception(Request(URL), IgnoreRequest())
    assert calls == []


def test_robots_txt_and_other_requests_no_callback_reads_are_not_pages(reported):
    crawler, calls = reported
    middleware = ReportGiveUps.from_crawler(crawler)
    robots = Request("https://movie.douban.com/robots.txt", callback=NO_CALLBACK)
    middleware.process_exception(robots, TwistedTimeoutError())
    middleware.process_response(robots, HtmlResponse(robots.url, status=503, request=robots))
    assert calls == []
