"""Each close monitor fails on its own condition, with a message that says what and how much."""

from __future__ import annotations

from typing import Any

import pytest
from scrapy import Spider
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from moviespider.extensions.coverage import FieldCoverage
from moviespider.items import Movie
from moviespider.monitors.extension import OneLineRunner
from moviespider.monitors.suites import CrawlMonitors

# pytest resets warning filters per test; in a crawl moviespider.monitors.suites silences it.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Spider.log:scrapy.exceptions.ScrapyDeprecationWarning"
)

PROJECT = get_project_settings()
SETTINGS = {
    name: PROJECT[name]
    for name in PROJECT.attributes
    if name.startswith(("MONITOR_", "SPIDERMON_", "COVERAGE_"))
} | {"COVERAGE_THRESHOLDS": {"title": 0.99}}
GOOD = {
    "moviespider/outcome": "complete",
    "moviespider/exit_status": 0,
    "item_scraped_count": 250,
    "finish_reason": "finished",
    "downloader/request_count": 100,
    "response_received_count": 100,
}


class Top250(Spider):
    name = "top250"
    expected_items = 250


def run_monitors(
    stats: dict[str, Any], *, titled: int = 250, untitled: int = 0, expected: int | None = 250
) -> dict[str, str]:
    """Run the suite over *stats*, FieldCoverage having counted the films; failures by monitor
    method."""
    crawler = get_crawler(
        Top250, {**SETTINGS, "EXTENSIONS": {"moviespider.extensions.coverage.FieldCoverage": 500}}
    )
    crawler._apply_settings()
    spider = Top250.from_crawler(crawler)
    spider.expected_items = expected
    crawler.spider = spider
    coverage = crawler.get_extension(FieldCoverage)
    for i in range(titled + untitled):
        coverage.count(Movie(str(i), "u", "top250", title="片" if i < titled else None))
    runner = OneLineRunner(spider=spider)
    runner.run(
        CrawlMonitors(crawler=crawler),
        stats=stats,
        crawler=crawler,
        spider=spider,
        stats_history=[],
        job=None,
    )
    return {r.item.method_name: r.reason for r in runner.result.monitors_failed_results}


def test_a_good_crawl_passes_every_monitor():
    assert run_monitors(GOOD) == {}


@pytest.mark.parametrize(
    ("changed", "monitor", "reason"),
    [
        (
            {"item_scraped_count": 200},
            "Items against the spider's expectation",
            "200 items, fewer than 225 (the spider expected 250, MONITOR_ITEMS_SHARE 0.9)",
        ),
        (
            {"moviespider/outcome": "incomplete", "moviespider/exit_status": 6},
            "The crawl's outcome",
            "incomplete (exit status 6): more than INCOMPLETE_FAILED_SHARE of the pages were "
            "given up on, or films reached no feed or no database (they are in the fallback "
            "file)",
        ),
        (
            {"finish_reason": "shutdown"},
            "The crawl ended as expected",
            "the crawl ended with reason 'shutdown', not 'finished'",
        ),
        (
            {"moviespider/failed_pages": 6},
            "Share of pages given up on",
            "6 pages given up on, 6.0% of requests (MONITOR_MAX_FAILED_SHARE 5.0%)",
        ),
        (
            {"downloader/exception_count": 8, "spider_exceptions/count": 3},
            "Share of errors",
            "11 download errors and callback exceptions, 11.0% of requests "
            "(MONITOR_MAX_ERROR_SHARE 10.0%)",
        ),
        (
            {"moviespider/blocked_total": 21},
            "Share of responses that were blocks",
            "Douban blocked 21 responses, 21.0% of them (MONITOR_MAX_BLOCKED_SHARE 20.0%)",
        ),
        (
            {"spidermon/validation/fields/errors": 1},
            "test_stat_monitor",
            None,
        ),
    ],
)
def test_each_monitor_fails_on_its_own_condition(changed, monitor, reason):
    failed = run_monitors({**GOOD, **changed})
    assert list(failed) == [monitor]
    if reason is not None:
        assert failed[monitor] == reason


def test_the_field_coverage_monitor_reports_the_projects_own_check():
    failed = run_monitors(GOOD, titled=240, untitled=10)
    assert failed == {
        "Key fields above their thresholds": "title in 96.0% of 250 items (threshold 99%)"
    }


def test_without_an_expectation_the_item_count_needs_monitor_min_items():
    assert run_monitors({**GOOD, "item_scraped_count": 1}, expected=None) == {}
    failed = run_monitors({**GOOD, "item_scraped_count": 0}, expected=None)
    assert failed == {
        "Items against the spider's expectation": "0 items, fewer than 1 (MONITOR_MIN_ITEMS)"
    }


RESUMED = {**GOOD, "moviespider/jobdir/resumed": True}


@pytest.mark.parametrize(
    ("changed", "failed"),
    [
        # 153 films in the feed before the Ctrl-C, 97 after it, 2 of them replayed repeats.
        (
            {
                "item_scraped_count": 99,
                "moviespider/jobdir/earlier_items": 153,
                "moviespider/jobdir/feed_repeats_skipped": 2,
            },
            {},
        ),
        (
            {"item_scraped_count": 50, "moviespider/jobdir/earlier_items": 153},
            {
                "Items against the spider's expectation": "203 items over the job's runs, "
                "fewer than 225 (the spider expected 250, MONITOR_ITEMS_SHARE 0.9)"
            },
        ),
        ({"item_scraped_count": 97}, {}),  # no local feed: skipped, not failed
    ],
    ids=["enough-over-the-runs", "too-few-over-the-runs", "no-feed"],
)
def test_a_resumed_job_counts_the_items_of_its_earlier_runs(changed, failed):
    assert run_monitors({**RESUMED, **changed}) == failed
