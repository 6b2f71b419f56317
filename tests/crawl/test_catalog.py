"""douban_catalog against the sandbox: films found through recommendations, each once, whole."""

from __future__ import annotations

from collections import deque

import pytest

from douban_sandbox.catalog import build_catalog
from tests.helpers.crawl import run_crawl

pytestmark = pytest.mark.crawl

SIZE, SEED = 300, 11
CATALOG = build_catalog(size=SIZE, seed=SEED)
SANDBOX = {
    "DOUBAN_SANDBOX": "1",
    "DOUBAN_SANDBOX_ARGS": f"--catalog {SIZE} --seed {SEED}",
    "DOUBAN_TOP250_SIZE": "50",
}
DETAIL_FIELDS = ("title", "original_title", "year", "kind", "directors", "genres", "rating")


def crawl(tmp_path, **args):
    result = run_crawl("douban_catalog", tmp_path, args=args, settings=SANDBOX)
    assert result.returncode == 0, result.log[-3000:]
    ids = [item["subject_id"] for item in result.items]
    assert len(ids) == len(set(ids)), "a film was yielded twice"
    return result


def within(seed_id: str, depth: int) -> set[str]:
    """Films ``depth`` recommendation steps or fewer from ``seed_id``, by the sandbox truth."""
    found, frontier = {seed_id}, deque([(seed_id, 0)])
    while frontier:
        subject_id, steps = frontier.popleft()
        if steps == depth:
            continue
        for film in CATALOG.recommended(CATALOG.film(subject_id)):
            if film.subject_id not in found:
                found.add(film.subject_id)
                frontier.append((film.subject_id, steps + 1))
    return found


def test_one_seed_reaches_the_whole_catalog_through_recommendations(tmp_path):
    seed = CATALOG.by_rank(7).subject_id
    result = crawl(tmp_path, seeds="none", ids=seed, max_films="0")
    assert {item["subject_id"] for item in result.items} == {
        CATALOG.by_rank(rank).subject_id for rank in range(1, SIZE + 1)
    }
    for item in result.items:
        truth = CATALOG.film(item["subject_id"]).movie_fields()
        assert item["source"] == "catalog"
        assert {name: item[name] for name in DETAIL_FIELDS} == {n: truth[n] for n in DETAIL_FIELDS}


def test_depth_bounds_the_steps_from_the_seeds(tmp_path):
    seed = CATALOG.by_rank(3).subject_id
    result = crawl(tmp_path, seeds="none", ids=seed, depth="2", max_films="0")
    assert {item["subject_id"] for item in result.items} == within(seed, 2)


def test_max_films_stops_finding_films_and_seed_lists_come_first(tmp_path):
    result = crawl(tmp_path, seeds="top250", max_films="80")
    found = {item["subject_id"] for item in result.items}
    assert len(found) == 80
    top50 = {CATALOG.by_rank(rank).subject_id for rank in range(1, 51)}
    assert top50 <= found


def test_a_bad_seed_list_is_one_line(tmp_path):
    result = run_crawl("douban_catalog", tmp_path, args={"seeds": "top100"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "moviespider: error: argument seeds: 'top100' is not one of top250, later, nowplaying, none"
    ]
