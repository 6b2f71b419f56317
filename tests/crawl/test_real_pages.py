"""The spiders on real Douban pages served at Douban's paths, as a mirror would serve them."""

from __future__ import annotations

import pytest

from tests.helpers.crawl import run_crawl
from tests.helpers.mockserver import MockServer, douban_page_routes


@pytest.fixture
def real_pages(douban_pages):
    with MockServer(douban_page_routes(douban_pages, markup_year="2025")) as site:
        yield site


def crawl(spider, tmp_path, site, **args):
    return run_crawl(
        spider,
        tmp_path,
        args=args,
        settings={
            "DOUBAN_BASE_URL": site.url,
            "DOUBAN_PROFILE": "fast",
            "DOUBAN_REFERENCE_DATE": "2019-03-10",
            "RETRY_ENABLED": "0",
        },
    )


def test_subject_spider_reads_movies_and_a_tv_series(tmp_path, real_pages):
    result = crawl("douban_subject", tmp_path, real_pages, ids="1292052,3541415,10355605,1920763")
    assert result.returncode == 0, result.log[-3000:]
    items = {item["subject_id"]: item for item in result.items}
    assert set(items) == {"1292052", "3541415", "10355605", "1920763"}
    shawshank = items["1292052"]
    assert (shawshank["title"], shawshank["original_title"]) == (
        "肖申克的救赎",
        "The Shawshank Redemption",
    )
    assert (shawshank["rating"], shawshank["year"], shawshank["kind"]) == (9.7, 1994, "movie")
    assert shawshank["url"] == "https://movie.douban.com/subject/1292052/"
    assert items["3541415"]["imdb_id"] == "tt1375666"
    assert (items["1920763"]["kind"], items["1920763"]["episodes"]) == ("tv", 2)
    assert items["10355605"]["rating"] is None and items["10355605"]["votes"] is None


def test_later_keeps_films_whose_detail_page_is_missing(tmp_path, real_pages):
    result = crawl("douban_later", tmp_path, real_pages, city="chengdu")
    assert len(result.items) == 20
    # Without their detail pages no film has a year: the crawl says its output is incomplete.
    assert result.returncode == 4, result.log[-3000:]
    assert "'finish_reason': 'field_coverage_low'" in result.log
    assert "'moviespider/details_missing': 20" in result.log
    first = next(item for item in result.items if item["subject_id"] == "27624661")
    assert (first["title"], first["release_date"], first["want_count"]) == (
        "比悲伤更悲伤的故事",
        "2019-03-14",
        9652,
    )
    assert first["city"] == "chengdu" and first["countries"] == ["台湾"]
    assert all(item["url"].startswith("https://movie.douban.com/subject/") for item in result.items)


def test_top250_reads_the_pages_there_are(tmp_path, douban_pages):
    with MockServer(douban_page_routes(douban_pages, markup_year="2019")) as site:
        result = crawl("douban_top250", tmp_path, site)
    # Incomplete (exit status 6): eight of the ten list pages are not there, and say so.
    assert result.returncode == 6, result.log[-3000:]
    ranks = sorted(item["rank"] for item in result.items)
    assert ranks == [*range(1, 26), *range(226, 251)]
