"""Items reach the feed from the last pipeline (HandToFeed), not through item_scraped."""

from __future__ import annotations

import pytest

from douban_sandbox import SandboxProcess
from tests.helpers.crawl import run_crawl

CATALOG, SEED = 300, 5
TOP250 = 250

pytestmark = pytest.mark.crawl


@pytest.fixture(scope="module")
def site():
    with SandboxProcess(args=["--catalog", str(CATALOG), "--seed", str(SEED)]) as sandbox:
        yield sandbox.url


@pytest.mark.parametrize("from_pipeline", [True, False])
def test_every_film_is_exported_and_counted_once_either_way(site, tmp_path, from_pipeline):
    crawl = run_crawl(
        "douban_top250",
        tmp_path,
        settings={
            "DOUBAN_BASE_URL": site,
            "DOUBAN_TOP250_SIZE": str(TOP250),
            "DOUBAN_PROFILE": "fast",
            "FEED_FROM_PIPELINE": str(from_pipeline),
        },
    )
    assert crawl.returncode == 0, crawl.log[-2000:]
    assert len(crawl.items) == TOP250
    assert len({item["subject_id"] for item in crawl.items}) == TOP250
    assert f"'item_scraped_count': {TOP250}," in crawl.log
    assert ("moviespider.pipelines.feed.HandToFeed" in crawl.log) is from_pipeline
