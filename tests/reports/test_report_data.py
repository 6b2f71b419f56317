"""The report built from stored crawls: the rank movements between the last two complete crawls,
the timeline stored with a crawl, and one file that needs nothing from the network."""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

import pytest
from scrapy.settings import Settings

from moviespider.errors import ConfigError
from moviespider.reports.build import load_report, save_timeline
from moviespider.reports.render import render_report
from tests.helpers.storage import top250_films
from tests.storage.test_history import MONDAY, TUESDAY, tuesdays_list

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.engine import URL

    from moviespider.pipelines.storage import StoreMovies


def settings_for(url: URL) -> Settings:
    return Settings({"DATABASE_URL": url.render_as_string(hide_password=False)})


def chart(html: str, name: str) -> str:
    found = re.search(rf'<svg class="chart" data-chart="{name}"[^>]*>.*?</svg>', html, re.S)
    assert found, f"no {name} chart"
    return found.group(0)


def test_the_report_shows_the_rank_movements_between_the_last_two_complete_crawls(
    database_url: URL, store_crawl: Callable[..., StoreMovies]
):
    monday = top250_films(MONDAY)
    store_crawl(database_url, monday)
    store_crawl(database_url, monday[:100], reason="shutdown")  # interrupted: not compared
    tuesday = store_crawl(database_url, tuesdays_list(monday))

    data = load_report(settings_for(database_url), None)
    assert data.crawl_id == tuesday.crawl_id
    html = render_report(data)

    bump = chart(html, "bump")
    assert 'data-moved="2"' in bump and 'data-entered="1"' in bump and 'data-left="1"' in bump
    moves = re.findall(
        r'class="move" data-film="([^"]+)" data-before="(\d+)" data-after="(\d+)"', bump
    )
    assert sorted(moves) == [("影片10", "10", "10"), ("影片2", "2", "3"), ("影片3", "3", "2")]
    rating_changes = re.findall(
        r'<tr class="rating-change"><td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td>', html
    )
    assert rating_changes == [("影片10", "9.6", "9.5")]
    ratings = chart(html, "ratings")
    assert sum(map(int, re.findall(r'data-count="(\d+)"', ratings))) == 250


def test_a_crawl_reads_back_with_its_timeline(
    database_url: URL, store_crawl: Callable[..., StoreMovies]
):
    first = store_crawl(database_url, top250_films(MONDAY, 30))
    store_crawl(database_url, top250_films(TUESDAY, 20))
    timeline = {
        "samples": [{"t": 0, "requests": 0, "items": 0}, {"t": 2.5, "requests": 3, "items": 30}],
        "events": [{"t": 1.0, "type": "block", "kind": "http_403", "url": "http://x/"}],
        "failed": [{"url": "http://x/top250?start=25", "status": 503, "error": None}],
        "stats": {"downloader/response_status_count/200": 2, "finish_reason": "finished"},
    }
    save_timeline(settings_for(database_url), first.crawl_id, timeline)

    data = load_report(settings_for(database_url), first.crawl_id)
    assert len(data.films) == 30 and data.timeline == timeline
    html = render_report(data)
    drawn = chart(html, "timeline")
    assert 'data-items="30"' in drawn and 'data-blocks="1"' in drawn
    assert 'data-failed="1"' in html and "http://x/top250?start=25" in html
    # One file: no script, no stylesheet or image to fetch.
    assert not re.search(r"<script|<link|<img|\bsrc=|\bhref=|url\(", html)

    with pytest.raises(ConfigError, match="no stored crawl has the id"):
        load_report(settings_for(database_url), "f" * 32)


def test_a_crawl_without_films_still_has_a_report(
    database_url: URL, store_crawl: Callable[..., StoreMovies]
):
    store_crawl(database_url, [], reason="banned")
    html = render_report(load_report(settings_for(database_url), None))
    assert '<td class="bad" data-field="ended">banned</td>' in html
    assert "No films." in html


def test_rating_changes_alone_are_listed(
    database_url: URL, store_crawl: Callable[..., StoreMovies]
):
    monday = top250_films(MONDAY, 25)
    store_crawl(database_url, monday)
    later = [dataclasses.replace(f, crawled_at=TUESDAY) for f in monday]
    later[0] = dataclasses.replace(later[0], rating=9.9)
    store_crawl(database_url, later)
    html = render_report(load_report(settings_for(database_url), None))
    assert 'data-moved="0"' in chart(html, "bump")
    assert '<tr class="rating-change"><td>影片1</td><td>9.7</td><td>9.9</td>' in html
