"""The coverage monitor on a real crawl: a field the pages lack ends it as field_coverage_low."""

from __future__ import annotations

import pytest

from douban_sandbox.catalog import build_catalog
from tests.helpers.crawl import run_crawl

CATALOG, SEED = 500, 3
TOP250 = 250


@pytest.fixture(scope="module")
def site(module_sandbox):
    return module_sandbox("--catalog", str(CATALOG), "--seed", str(SEED)).url


def crawl_top250(site, tmp_path, **settings):
    settings = {"DOUBAN_BASE_URL": site, "DOUBAN_TOP250_SIZE": str(TOP250), **settings}
    return run_crawl("douban_top250", tmp_path, settings={"DOUBAN_PROFILE": "fast", **settings})


def test_a_field_below_its_threshold_ends_the_crawl_with_its_reason(site, tmp_path):
    catalog = build_catalog(CATALOG, SEED)
    films = [film for start in range(0, TOP250, 25) for film in catalog.top250_page(start)]
    with_quote = sum(film.quote is not None for film in films) / len(films)
    assert with_quote < 0.99  # the catalog has films without a quote, as Douban does

    crawl = crawl_top250(site, tmp_path, COVERAGE_THRESHOLDS='{"quote": 0.99}')

    assert crawl.returncode == 4  # the crawl ran, but a scheduler must notice
    assert "Outcome: coverage_low (exit status 4), low fields: quote" in crawl.log
    assert len(crawl.items) == TOP250  # the data is kept: the user decides what to do with it
    assert "'finish_reason': 'field_coverage_low'" in crawl.log
    assert "'moviespider/coverage/low_fields': ['quote']" in crawl.log
    assert (
        f"Field coverage too low: quote in {100 * with_quote:.1f}% of {TOP250} items "
        "(threshold 99%)" in crawl.log
    )


def test_a_crawl_with_every_key_field_finishes(site, tmp_path):
    crawl = crawl_top250(site, tmp_path)
    assert crawl.returncode == 0
    assert "'finish_reason': 'finished'" in crawl.log
    assert "Field coverage too low" not in crawl.log
    assert "Field coverage over 250 items:" in crawl.log


def test_without_the_counting_pipeline_the_extension_counts_by_signal(site, tmp_path):
    # Someone replaced ITEM_PIPELINES: items are still counted, once each.
    crawl = crawl_top250(
        site, tmp_path, ITEM_PIPELINES='{"moviespider.pipelines.fieldcount.CountFields": null}'
    )
    assert crawl.returncode == 0
    assert "Field coverage over 250 items:" in crawl.log
