"""Pages given up on, end to end: listed beside the feed, and taken again by douban_subject."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from douban_sandbox.catalog import build_catalog
from tests.helpers.crawl import run_crawl

CATALOG, SEED = 500, 1
TOP250 = 250


def failed_pages(path: Path) -> dict[str, tuple[str, str]]:
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]
    return {url: (status, error) for url, status, error, _ in rows if not url.startswith("#")}


def subject_id(url: str) -> str | None:
    found = re.search(r"/subject/(\d+)/", url)
    return found.group(1) if found else None


@pytest.mark.parametrize(
    ("fault", "statuses"),
    [
        (["--fail-rate", "0.4"], {"500", "502", "503"}),
        # Pages cut short arrive as 200s: the parsers notice, the spider retries, then lists them.
        (["--truncate-rate", "0.4"], {"200"}),
    ],
)
def test_every_film_is_in_the_feed_or_its_page_is_listed_then_rerun(
    tmp_path, fault, statuses, sandbox
):
    catalog = build_catalog(CATALOG, SEED)
    faulty = ["--catalog", str(CATALOG), "--seed", str(SEED), *fault]
    site = sandbox(*faulty)
    crawl = run_crawl(
        "douban_top250",
        tmp_path,
        args={"details": "1"},
        settings={
            "DOUBAN_BASE_URL": site.url,
            "DOUBAN_TOP250_SIZE": str(TOP250),
            "DOUBAN_PROFILE": "fast",
            "RETRY_TIMES": "1",
            # About 16% of the pages are given up on (40%, twice): more than the default tenth,
            # which would make the crawl "incomplete" (exit status 6).
            "INCOMPLETE_FAILED_SHARE": "0.5",
        },
        output="films.jsonl",
    )
    assert crawl.returncode == 0, crawl.log
    failed = failed_pages(tmp_path / "films.failed.tsv")
    assert failed, "a 40% failure rate with one retry must give up on some pages"
    assert {status for status, _ in failed.values()} <= statuses

    # A film missing from the feed is on a list page listed as failed.
    lost_lists = {url for url in failed if subject_id(url) is None and "/top250?start=" in url}
    listed_on_lost = {
        film.subject_id
        for url in lost_lists
        for film in catalog.top250_page(int(re.search(r"start=(\d+)", url).group(1)))
    }
    ranked = {
        film.subject_id for start in range(0, TOP250, 25) for film in catalog.top250_page(start)
    }
    in_feed = {film["subject_id"] for film in crawl.items}
    assert ranked - in_feed == listed_on_lost

    # A film in the feed without its subject page's fields has that page listed.
    failed_subjects = {subject_id(url) for url in failed} - {None}
    without_details = {film["subject_id"] for film in crawl.items if film["summary"] is None}
    assert without_details == failed_subjects - listed_on_lost
    assert f"{len(failed)} pages given up on (listed in " in crawl.log
    assert f"failed    {len(failed)} (list: {tmp_path / 'films.failed.tsv'})" in crawl.log

    # The list is what douban_subject takes to fetch the missing subject pages.
    site = sandbox("--catalog", str(CATALOG), "--seed", str(SEED))
    rerun = run_crawl(
        "douban_subject",
        tmp_path,
        args={"ids_file": str(tmp_path / "films.failed.tsv")},
        settings={"DOUBAN_BASE_URL": site.url, "DOUBAN_PROFILE": "fast"},
        output="retried.jsonl",
    )
    assert rerun.returncode == 0, rerun.log
    assert {film["subject_id"] for film in rerun.items} == failed_subjects
    assert all(film["summary"] for film in rerun.items)
    assert not (tmp_path / "retried.failed.tsv").exists()  # nothing given up on: no file
