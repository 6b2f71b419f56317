"""Merged and misfiled subjects in a real `scrapy crawl` against the sandbox's ground truth:
every film under its own id, every id asked for accounted for, the merges in the database."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from douban_sandbox.catalog import build_catalog
from douban_sandbox.faults import draw
from tests.crawl.test_sandbox_truth import assert_detail_fields
from tests.helpers.crawl import run_crawl

pytestmark = pytest.mark.crawl

TODAY = date(2026, 3, 1)
SIZE, SEED = 60, 11
SELF_REDIRECT_RATE = 0.5
CATALOG = build_catalog(size=SIZE, seed=SEED, today=TODAY)
FILM = [CATALOG.subject_id_of(index) for index in range(SIZE)]


def self_redirected_first(subject_id: str) -> bool:
    """Whether the sandbox answers the first request for this page with a 302 to itself."""
    return draw(SEED, "self_redirect", f"/subject/{subject_id}/", 0) < SELF_REDIRECT_RATE


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("identity")
    plain = [subject_id for subject_id in FILM[4:] if not self_redirected_first(subject_id)][:2]
    looped = [subject_id for subject_id in FILM[4:] if self_redirected_first(subject_id)][:2]
    ids = [
        FILM[0],
        CATALOG.merged_id_of(0),  # 302 to FILM[0], also asked for: a duplicate request today
        CATALOG.chained_merged_id_of(1),  # 302 to merged_id_of(1), 302 to FILM[1]
        CATALOG.misfiled_id_of(2),  # FILM[2]'s page, served with 200
        # Both end at FILM[3]: whichever comes second redirects to a page already requested.
        CATALOG.merged_id_of(3),
        CATALOG.chained_merged_id_of(3),
        *plain,
        *looped,  # 302 to the very same URL first
    ]
    database = tmp_path / "movies.sqlite3"
    result = run_crawl(
        "douban_subject",
        tmp_path,
        args={"ids": ",".join(ids)},
        settings={
            "DOUBAN_SANDBOX": "1",
            "DOUBAN_SANDBOX_ARGS": f"--catalog {SIZE} --seed {SEED} --today {TODAY} "
            f"--self-redirect-rate {SELF_REDIRECT_RATE}",
            "CONCURRENT_REQUESTS": "1",  # FILM[0] is crawled before the redirect to it arrives
        },
        env={"DATABASE_URL": f"sqlite:///{database}"},
    )
    assert looped and plain
    return result, ids, database, looped


def test_the_crawl_succeeds(crawl):
    result, *_ = crawl
    assert result.returncode == 0, result.log[-3000:]


def test_every_film_is_stored_under_its_own_id_with_its_own_fields(crawl):
    result, *_ = crawl
    for item in result.items:
        truth = CATALOG.film(item["subject_id"])
        assert truth is not None, item["subject_id"]  # never a merged or misfiled id
        assert_detail_fields(item, truth.movie_fields())


def test_every_id_asked_for_is_found_none_vanishes(crawl):
    result, ids, _, _ = crawl
    found = {item["subject_id"] for item in result.items}
    found |= {old for item in result.items for old in item["merged_ids"]}
    assert set(ids) <= found, set(ids) - found


def test_merges_are_recorded_in_the_items(crawl):
    result, *_ = crawl
    merged: dict[str, set[str]] = {}
    for item in result.items:
        merged.setdefault(item["subject_id"], set()).update(item["merged_ids"])
    assert merged[FILM[0]] == {CATALOG.merged_id_of(0)}
    assert merged[FILM[1]] == {CATALOG.chained_merged_id_of(1), CATALOG.merged_id_of(1)}
    assert merged[FILM[2]] == {CATALOG.misfiled_id_of(2)}
    assert merged[FILM[3]] == {CATALOG.merged_id_of(3), CATALOG.chained_merged_id_of(3)}
    assert not any(old for subject_id, old in merged.items() if subject_id not in FILM[:4])
    assert "merged into it" in result.log


def test_a_page_redirected_to_itself_is_crawled(crawl):
    result, _, _, looped = crawl
    assert set(looped) <= {item["subject_id"] for item in result.items}


def test_merges_are_in_the_database(crawl):
    _, _, database, _ = crawl
    engine = sa.create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        rows = dict(connection.execute(sa.text("SELECT old_id, subject_id FROM merges")).all())
    engine.dispose()
    assert rows == {
        CATALOG.merged_id_of(0): FILM[0],
        CATALOG.chained_merged_id_of(1): FILM[1],
        CATALOG.merged_id_of(1): FILM[1],
        CATALOG.misfiled_id_of(2): FILM[2],
        CATALOG.merged_id_of(3): FILM[3],
        CATALOG.chained_merged_id_of(3): FILM[3],
    }
