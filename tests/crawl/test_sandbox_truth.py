"""Real `scrapy crawl` runs against the sandbox, checked against the sandbox's ground truth."""

from __future__ import annotations

from datetime import date

import pytest

from douban_sandbox.catalog import build_catalog
from moviespider.items import MOVIE_FIELDS
from tests.helpers.crawl import run_crawl

TODAY = date(2026, 3, 1)
SIZE, SEED = 320, 7
CATALOG = build_catalog(size=SIZE, seed=SEED, today=TODAY)
# Fields a list page shows in the same form as the subject page.
TOP250_LIST_FIELDS = ("title", "original_title", "year", "rating", "votes", "quote", "genres")


def in_crawl_sandbox(*extra: str) -> dict[str, str]:
    return {
        "DOUBAN_SANDBOX": "1",
        "DOUBAN_SANDBOX_ARGS": " ".join(
            ["--catalog", str(SIZE), "--seed", str(SEED), "--today", TODAY.isoformat(), *extra]
        ),
        "DOUBAN_REFERENCE_DATE": TODAY.isoformat(),
    }


def by_id(items: list[dict]) -> dict[str, dict]:
    found = {item["subject_id"]: item for item in items}
    assert len(found) == len(items), "a film was yielded twice"
    return found


def assert_detail_fields(item: dict, truth: dict) -> None:
    for name in (
        "title",
        "original_title",
        "aliases",
        "year",
        "kind",
        "directors",
        "writers",
        "actors",
        "genres",
        "countries",
        "languages",
        "release_dates",
        "runtime_minutes",
        "episodes",
        "imdb_id",
        "rating",
        "votes",
        "summary",
    ):
        assert item[name] == truth[name], (item["subject_id"], name)


def assert_cut_list(shown: list[str], full: list[str]) -> None:
    """A Top250 line cut with "..." keeps the first names whole, never a cut-off one.

    The cut can leave no actor at all when the directors' names are long.
    """
    assert shown == full[: len(shown)]


@pytest.fixture(scope="module")
def top250(tmp_path_factory):
    return run_crawl(
        "douban_top250", tmp_path_factory.mktemp("top250"), settings=in_crawl_sandbox()
    )


def test_top250_yields_250_films_ranked_1_to_250(top250):
    assert top250.returncode == 0, top250.log[-3000:]
    assert sorted(item["rank"] for item in top250.items) == list(range(1, 251))
    assert len(by_id(top250.items)) == 250


def test_a_crawl_opens_no_code_console_and_logs_no_password(top250):
    # Scrapy's telnet console and remote-control server run any code for whoever has the
    # password (logged at INFO) or token: off unless asked for.
    assert "Telnet" not in top250.log
    assert "Remote control" not in top250.log
    assert "scrapy.extensions.telnet.TelnetConsole" not in top250.log


def test_top250_items_match_the_list(top250):
    for item in top250.items:
        film = CATALOG.by_rank(item["rank"])
        truth = film.movie_fields()
        assert item["subject_id"] == film.subject_id
        assert item["url"] == f"https://movie.douban.com/subject/{film.subject_id}/"
        assert item["source"] == "top250"
        for name in TOP250_LIST_FIELDS:
            assert item[name] == truth[name], (item["rank"], name)
        assert item["countries"] == truth["countries"]
        assert item["directors"], item["rank"]
        assert_cut_list(item["directors"], truth["directors"])
        assert_cut_list(item["actors"], truth["actors"])
        assert item["poster_url"].endswith(film.poster_path)
        assert item["crawled_at"].endswith("+00:00")


def test_top250_feed_keeps_the_schema_order(top250):
    assert list(top250.items[0]) == list(MOVIE_FIELDS)


def test_top250_with_details_merges_every_subject_page(tmp_path):
    result = run_crawl(
        "douban_top250",
        tmp_path,
        args={"details": "1"},
        settings=in_crawl_sandbox("--markup", "2025"),
    )
    assert result.returncode == 0, result.log[-3000:]
    assert len(result.items) == 250
    for item in result.items:
        film = CATALOG.by_rank(item["rank"])
        assert_detail_fields(item, film.movie_fields())
        assert item["quote"] == film.quote


@pytest.mark.parametrize("city", ["shanghai", "chengdu"])
def test_later_yields_every_upcoming_film_with_its_details(tmp_path, city):
    result = run_crawl("douban_later", tmp_path, args={"city": city}, settings=in_crawl_sandbox())
    assert result.returncode == 0, result.log[-3000:]
    upcoming = CATALOG.upcoming(city)
    items = by_id(result.items)
    assert set(items) == {entry.subject_id for entry in upcoming}
    for entry in upcoming:
        item = items[entry.subject_id]
        assert item["source"] == "later"
        assert item["city"] == city
        assert item["release_date"] == entry.release_date.isoformat()
        assert item["want_count"] == entry.want_count
        assert_detail_fields(item, entry.film.movie_fields())
    assert "moviespider/details_missing" not in result.log


def test_nowplaying_yields_every_film_showing(tmp_path):
    result = run_crawl(
        "douban_nowplaying", tmp_path, args={"city": "beijing"}, settings=in_crawl_sandbox()
    )
    assert result.returncode == 0, result.log[-3000:]
    films = CATALOG.nowplaying("beijing")
    items = by_id(result.items)
    assert set(items) == {film.subject_id for film in films}
    for film in films:
        assert_detail_fields(items[film.subject_id], film.movie_fields())


def test_subject_reads_movies_tv_series_and_unrated_films(tmp_path):
    films = [CATALOG.by_rank(rank) for rank in range(1, SIZE + 1)]
    tv = next(film for film in films if film.kind == "tv")
    movie = next(film for film in films if film.kind == "movie" and film.rating is not None)
    unrated = next(film for film in films if film.rating is None)
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text(f"# films to fetch\n{unrated.subject_id}\n\n", encoding="utf-8")
    result = run_crawl(
        "douban_subject",
        tmp_path,
        args={"ids": f"{tv.subject_id},{movie.subject_id}", "ids_file": str(ids_file)},
        settings=in_crawl_sandbox(),
    )
    assert result.returncode == 0, result.log[-3000:]
    items = by_id(result.items)
    assert set(items) == {tv.subject_id, movie.subject_id, unrated.subject_id}
    for film in (tv, movie, unrated):
        assert_detail_fields(items[film.subject_id], film.movie_fields())
        assert items[film.subject_id]["source"] == "subject"
    assert items[tv.subject_id]["kind"] == "tv"
    assert items[tv.subject_id]["episodes"] == tv.episodes
    assert items[unrated.subject_id]["rating"] is None
