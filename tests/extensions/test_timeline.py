"""The crawl's timeline stays small whatever the crawl's length, and JSON-safe."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime

from moviespider.extensions.timeline import MAX_SAMPLES, json_safe_stats, report_path, thin


def test_a_long_crawl_is_thinned_to_evenly_spread_samples_keeping_both_ends():
    samples = [{"t": float(i), "items": i} for i in range(36_001)]  # ten hours, every second
    kept = thin(samples, MAX_SAMPLES)
    assert len(kept) == MAX_SAMPLES
    assert kept[0] == samples[0] and kept[-1] == samples[-1]
    gaps = {b["t"] - a["t"] for a, b in itertools.pairwise(kept)}
    assert max(gaps) - min(gaps) <= 1
    short = samples[:10]
    assert thin(short, MAX_SAMPLES) is short


def test_stats_are_stored_as_json():
    stats = {
        "start_time": datetime(2026, 1, 1, tzinfo=UTC),
        "item_scraped_count": 3,
        "elapsed_time_seconds": 1.5,
        "moviespider/coverage/low_fields": ["title"],
        "an_object": object(),
        "finish_reason": "finished",
        "moviespider/storage/database": "postgresql://crawler:***@db/films",
    }
    safe = json_safe_stats(stats)
    assert json.loads(json.dumps(safe)) == {
        "start_time": "2026-01-01T00:00:00+00:00",
        "item_scraped_count": 3,
        "elapsed_time_seconds": 1.5,
        "moviespider/coverage/low_fields": ["title"],
        "finish_reason": "finished",
    }


def test_report_paths_take_the_spider_crawl_and_time():
    started = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    assert report_path("r.html", "douban_top250", None, started) == "r.html"
    assert (
        report_path("reports/%(name)s-%(time)s-%(crawl_id)s.html", "douban_top250", "ab", started)
        == "reports/douban_top250-2026-03-04T05-06-07-ab.html"
    )
