"""`scrapy history`, run as a user runs it, on crawls stored through the pipeline."""

from __future__ import annotations

import dataclasses
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa

from tests.helpers.crawl import project_env, run_project, scrapy_command
from tests.helpers.storage import top250_films

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.engine import URL

    from moviespider.items import Movie
    from moviespider.pipelines.storage import StoreMovies

MONDAY = "2026-11-16T08:00:00+00:00"
TUESDAY = "2026-11-17T08:00:00+00:00"


def scrapy_history(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory() as directory:
        return run_project(["history", *args], Path(directory), env={"DATABASE_URL": database_url})


def tuesdays_list(monday: list[Movie]) -> list[Movie]:
    """Monday's list with films 2 and 3 swapped, film 10's rating down, film 250 gone and a new
    film at 250."""
    tuesday = [dataclasses.replace(film, crawled_at=TUESDAY) for film in monday]
    tuesday[1], tuesday[2] = (
        dataclasses.replace(tuesday[2], rank=2),
        dataclasses.replace(tuesday[1], rank=3),
    )
    tuesday[9] = dataclasses.replace(tuesday[9], rating=9.5)
    tuesday[249] = dataclasses.replace(
        top250_films(TUESDAY, 250, shift=1000)[249], title="新片", rating=8.4
    )
    return tuesday


def test_top250_shows_rank_and_rating_changes_entrants_and_leavers(
    database_url: URL, store_crawl: Callable[..., StoreMovies]
):
    monday = top250_films(MONDAY)
    store_crawl(database_url, monday)
    store_crawl(database_url, tuesdays_list(monday))

    result = scrapy_history(
        "--top250", database_url=database_url.render_as_string(hide_password=False)
    )

    assert result.returncode == 0, result.stderr
    heading, *sections = result.stdout.split("\n\n")
    assert heading.startswith("Top250 of ")
    assert heading.endswith(" UTC (250 films)")
    assert sections == [
        "Rank or rating changed (3):\n"
        "  rank        rating      film\n"
        "  3 → 2       9.7         影片3 (1291003)\n"
        "  2 → 3       9.7         影片2 (1291002)\n"
        "  10          9.6 → 9.5   影片10 (1291010)",
        "New entrants (1):\n"
        "  rank        rating      film\n"
        "  250         8.4         新片 (1292250)",
        "Left the list (1):\n"
        "  was         rating      film\n"
        "  250         7.2         影片250 (1291250)\n",
    ]


def test_top250_ignores_a_crawl_that_did_not_finish(
    database_url: URL, store_crawl: Callable[..., StoreMovies]
):
    monday = top250_films(MONDAY)
    store_crawl(database_url, monday)
    store_crawl(database_url, monday[:100], reason="shutdown")  # interrupted: 150 films unseen
    store_crawl(database_url, [dataclasses.replace(film, crawled_at=TUESDAY) for film in monday])

    result = scrapy_history(
        "--top250", database_url=database_url.render_as_string(hide_password=False)
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("\n\nNo film changed rank or rating, entered or left.\n")


def test_top250_needs_two_finished_crawls(tmp_path: Path, store_crawl: Callable[..., StoreMovies]):
    url = f"sqlite:///{tmp_path}/movies.sqlite3"
    store_crawl(sa.make_url(url), top250_films(MONDAY, 5))

    result = scrapy_history("--top250", database_url=url)

    assert result.returncode == 0
    assert result.stdout.startswith("Fewer than two finished Top250 crawls are stored")


def test_without_options_lists_the_recent_crawls_newest_first(
    tmp_path: Path, store_crawl: Callable[..., StoreMovies]
):
    url = f"sqlite:///{tmp_path}/movies.sqlite3"
    first = store_crawl(sa.make_url(url), top250_films(MONDAY, 5))
    second = store_crawl(sa.make_url(url), top250_films(TUESDAY, 7), reason="shutdown")

    result = scrapy_history(database_url=url)

    header, *rows = result.stdout.splitlines()
    assert header.split() == ["started", "(UTC)", "spider", "films", "ended", "crawl"]
    assert [row.split()[2:] for row in rows] == [
        ["douban_top250", "7", "shutdown", second.crawl_id],
        ["douban_top250", "5", "finished", first.crawl_id],
    ]


def test_film_shows_every_observation_of_one_film(
    tmp_path: Path, store_crawl: Callable[..., StoreMovies]
):
    url = f"sqlite:///{tmp_path}/movies.sqlite3"
    monday = top250_films(MONDAY)
    store_crawl(sa.make_url(url), monday)
    store_crawl(sa.make_url(url), tuesdays_list(monday))

    result = scrapy_history("--film", "1291002", database_url=url)

    title, header, *rows = result.stdout.splitlines()
    assert title == "影片2 (1291002), seen by 2 crawls:"
    assert header.split() == ["crawl", "(UTC)", "source", "rank", "rating", "votes"]
    assert [row.split()[2:] for row in rows] == [
        ["top250", "2", "9.7", "2998000"],
        ["top250", "3", "9.7", "2998000"],
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--film", "12a"], "--film: '12a' is not a Douban subject id"),
        (["--limit", "0"], "--limit must be a positive number"),
    ],
)
def test_a_bad_option_is_a_usage_error(args: list[str], message: str, tmp_path: Path):
    result = scrapy_history(*args, database_url=f"sqlite:///{tmp_path}/movies.sqlite3")

    assert result.returncode == 2
    assert message in result.stderr


def test_an_unreachable_database_is_one_line_without_the_password():
    result = scrapy_history(
        "--top250", database_url="postgresql+psycopg://crawler:s3cret@127.0.0.1:9/movies"
    )

    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(
        "moviespider: error: setting DATABASE_URL: cannot read "
        "postgresql+psycopg://crawler:***@127.0.0.1:9/movies: "
    )
    assert "s3cret" not in result.stderr


def test_a_database_without_crawls_says_so(tmp_path: Path):
    result = scrapy_history(database_url=f"sqlite:///{tmp_path}/movies.sqlite3")

    assert result.returncode == 0
    assert result.stdout == f"No crawl is stored in sqlite:///{tmp_path}/movies.sqlite3 yet.\n"


def test_a_reader_that_stops_early_gets_no_broken_pipe_traceback(
    tmp_path: Path, store_crawl: Callable[..., StoreMovies]
):
    url = f"sqlite:///{tmp_path}/movies.sqlite3"
    for day in range(30):  # more rows than `head -1` reads
        store_crawl(sa.make_url(url), top250_films(f"2026-10-{day % 28 + 1:02d}T08:00:00+00:00", 1))
    history = subprocess.Popen(
        scrapy_command("history", "--limit", "30"),
        cwd=tmp_path,
        env=project_env({"DATABASE_URL": url}),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert history.stdout is not None
    history.stdout.readline()
    history.stdout.close()  # what `| head -1` does once it has its line
    _, errors = history.communicate(timeout=60)
    assert b"Traceback" not in errors and b"BrokenPipe" not in errors, errors.decode()
    assert history.returncode == 0


def test_film_finds_a_film_by_an_id_merged_into_it(
    tmp_path: Path, store_crawl: Callable[..., StoreMovies]
):
    url = f"sqlite:///{tmp_path}/movies.sqlite3"
    monday = top250_films(MONDAY)
    monday[1] = dataclasses.replace(monday[1], merged_ids=["26999999"])
    store_crawl(sa.make_url(url), monday)

    result = scrapy_history("--film", "26999999", database_url=url)

    assert result.returncode == 0, result.stderr
    merged, title, *_ = result.stdout.splitlines()
    assert merged == "Film 26999999 was merged by Douban into film 1291002."
    assert title == "影片2 (1291002), seen by 1 crawl:"
