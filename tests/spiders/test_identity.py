"""The film a subject page shows is stored under its own id, whatever id was asked for."""

import asyncio
import logging
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from moviespider.signals import page_failed
from moviespider.spiders.douban_subject import DoubanSubjectSpider
from moviespider.spiders.douban_top250 import DoubanTop250Spider

PAGE = (Path(__file__).parents[1] / "parsing" / "fixtures" / "subject_movie_2022.html").read_bytes()
OWN_ID = "9000002"  # the film the page shows


def spider(cls=DoubanSubjectSpider, **kwargs):
    crawler = get_crawler(cls, {"DOUBAN_BASE_URL": "http://sandbox", "DOUBAN_TOP250_SIZE": 250})
    return crawler._create_spider(**kwargs)


def details(spider, requested, url=None, redirect_urls=(), listed=None):
    request = Request(url or f"http://sandbox/subject/{requested}/")
    if redirect_urls:
        request.meta["redirect_urls"] = list(redirect_urls)
    response = HtmlResponse(request.url, body=PAGE, request=request)
    listed = listed or {"subject_id": requested}

    async def collect():
        return [item async for item in spider.parse_details(response, listed=listed)]

    return asyncio.run(collect())


def test_the_page_of_the_id_asked_for_is_stored_under_it():
    [movie] = details(spider(ids=OWN_ID), OWN_ID)
    assert (movie.subject_id, movie.merged_ids) == (OWN_ID, [])


def test_another_film_s_page_served_under_an_id_is_stored_under_its_own(caplog):
    crawl = spider(ids="26000001")
    with caplog.at_level(logging.INFO):
        [movie] = details(crawl, "26000001")
    assert movie.subject_id == OWN_ID
    assert movie.url == f"https://movie.douban.com/subject/{OWN_ID}/"
    assert movie.merged_ids == ["26000001"]
    assert movie.title == "长河落日"
    assert crawl.crawler.stats.get_value("moviespider/subjects_merged") == 1
    assert any("26000001" in m and OWN_ID in m for m in caplog.messages)


def test_a_redirect_chain_records_every_id_on_it():
    chain = ["http://sandbox/subject/26000001/", "http://sandbox/subject/26000002/"]
    url = f"http://sandbox/subject/{OWN_ID}/"
    [movie] = details(spider(ids="26000001"), "26000001", url=url, redirect_urls=chain)
    assert movie.subject_id == OWN_ID
    assert movie.merged_ids == ["26000001", "26000002"]


def test_a_listed_film_keeps_its_list_fields_under_the_id_it_is_merged_into():
    crawl = spider(DoubanTop250Spider, details="1")
    listed = {"subject_id": "26000001", "title": "长河落日", "rank": 7, "quote": "一句话。"}
    [movie] = details(crawl, "26000001", listed=listed)
    assert (movie.subject_id, movie.rank, movie.merged_ids) == (OWN_ID, 7, ["26000001"])


def test_a_redirect_loop_given_up_on_is_listed_and_logged(caplog):
    crawl = spider(ids="26000003")
    failed = []

    def listed(url, **kwargs):
        failed.append(url)

    crawl.crawler.signals.connect(listed, signal=page_failed)
    request = crawl.details_request({"subject_id": "26000003"}).replace(
        url="http://sandbox/subject/26000003/?from=loop"
    )
    request.meta["redirect_urls"] = ["http://sandbox/subject/26000003/"]
    failure = Failure(IgnoreRequest("max redirections reached"))
    failure.request = request

    async def collect():
        return [item async for item in crawl.details_failed(failure)]

    with caplog.at_level(logging.ERROR):
        assert asyncio.run(collect()) == []
    assert failed == ["http://sandbox/subject/26000003/"]
    assert any("26000003" in message for message in caplog.messages)


@pytest.mark.parametrize(
    ("location", "followed"),
    [
        ("/subject/26000004/", True),  # a merge, or the page itself (a cookie round trip)
        ("https://movie.douban.com/subject/1292052/?from=merge", True),
        ("https://sec.douban.com/c?r=https%3A//movie.douban.com/subject/1/", False),
        ("/accounts/login?redir=/subject/1/", False),
    ],
)
def test_a_redirect_to_a_subject_page_passes_the_duplicate_filter(location, followed):
    from scrapy.downloadermiddlewares.redirect import RedirectMiddleware

    from moviespider.middlewares.redirects import FollowSubjectRedirects

    crawler = get_crawler(DoubanSubjectSpider)
    redirect = RedirectMiddleware.from_crawler(crawler)
    request = Request("http://sandbox/subject/26000004/")
    response = HtmlResponse(request.url, status=302, headers={"Location": location})
    response = FollowSubjectRedirects().process_response(request, response)
    redirected = redirect.process_response(request, response)
    assert redirected.dont_filter is followed
