"""The benchmark harness end to end at tiny sizes, so that it cannot rot (CI runs this; the
benchmark itself is run by hand: python -m moviespider_bench)."""

import importlib.util
from pathlib import Path

import pytest

from moviespider_bench.report import chart, markdown, scale_chart, summarise
from moviespider_bench.suite import Plan, run_scenarios, scenarios
from tests.helpers.crawl import DOUBAN_PAGES

pytestmark = pytest.mark.crawl


def quiet(_line):
    pass


def test_cpu_scenario_measures_moviespider_and_the_limit_and_checks_their_films(tmp_path):
    plan = Plan(runs=1, cpu_pages=3, cpu_concurrency=4, peers=("aiohttp_lxml", "scrapy_floor"))
    runs = run_scenarios(plan, scenarios(plan, ["cpu"]), tmp_path, say=quiet)
    assert [(run.client, run.items, run.distinct_ids, run.problem) for run in runs] == [
        ("moviespider", 75, 75, None),
        ("moviespider_stored", 75, 75, None),
        ("aiohttp_lxml", 75, 75, None),
        ("scrapy_floor", 75, 75, None),
    ]
    logs = {run.client: Path(run.log).read_text() for run in runs}
    assert "Storing films in sqlite:///" in logs["moviespider_stored"]
    assert "Storing films" not in logs["moviespider"]  # storage off, like the peers
    assert "'moviespider/storage/films': 75," in logs["moviespider_stored"]
    for run in runs:
        assert run.mismatches == 0
        assert 0 < run.crawl_seconds < run.wall_seconds
        assert 0 < run.crawl_cpu_seconds < run.cpu_seconds
        assert run.peak_rss_mb > 20
        assert run.server_cpu_seconds is not None
    text = markdown(summarise(runs))
    assert "moviespider douban_top250" in text and "aiohttp + precompiled lxml" in text


def test_latency_scenario_runs_each_concurrency(tmp_path):
    plan = Plan(runs=1, latency_pages=4, latencies=(0.3,), concurrencies=(1, 4))
    runs = run_scenarios(plan, scenarios(plan, ["latency"]), tmp_path, say=quiet)
    assert [(run.concurrency, run.problem) for run in runs] == [(1, None), (4, None)]
    one_at_a_time, all_at_once = runs
    assert one_at_a_time.crawl_seconds >= 4 * 0.3  # four pages waited for one after another
    assert all_at_once.crawl_seconds < one_at_a_time.crawl_seconds


@pytest.mark.skipif(
    any(importlib.util.find_spec(m) is None for m in ("bs4", "crawlee", "matplotlib")),
    reason="pip install -r requirements-bench.txt",
)
def test_every_peer_fetches_every_film_and_the_chart_is_drawn(tmp_path):
    plan = Plan(
        runs=1,
        cpu_pages=2,
        cpu_concurrency=2,
        peers=("naive_scrapy", "seed_bs4", "crawlee"),
        variants=(),
        seeds_pages=2,
        seeds_latency=0.1,
        sequential_pages=1,
    )
    runs = run_scenarios(plan, scenarios(plan, ["cpu", "seeds"]), tmp_path, say=quiet)
    assert {run.client: run.problem for run in runs} == {
        "moviespider": None,
        "aiohttp_lxml": None,
        "naive_scrapy": None,
        "seed_bs4": None,
        "crawlee": None,
        "sequential": None,
    }
    assert chart(summarise(runs), tmp_path / "chart.png")
    assert (tmp_path / "chart.png").stat().st_size > 10_000


def test_storage_scenario_stores_every_film_in_each_database_and_compares_with_the_feed(
    tmp_path,
):
    plan = Plan(runs=1, storage_pages=2, cpu_concurrency=4)
    runs = run_scenarios(plan, scenarios(plan, ["storage"]), tmp_path, say=quiet)
    ran = {run.client: run for run in runs}
    assert {"moviespider", "moviespider_stored"} <= set(ran)
    for client, run in ran.items():
        assert run.problem is None, client
        if client != "moviespider":
            assert "'moviespider/storage/films': 50," in Path(run.log).read_text(), client
    text = markdown(summarise(runs))
    assert "### Storage: 2 Top250 pages" in text
    assert "ms/page over the feed ≤ 1.0" in text


def test_scale_scenario_crawls_subject_pages_at_each_size_and_draws_its_chart(tmp_path):
    plan = Plan(runs=1, scale_pages=(4, 8), cpu_concurrency=4)
    runs = run_scenarios(plan, scenarios(plan, ["scale"]), tmp_path, say=quiet)
    assert [(run.pages, run.items, run.distinct_ids, run.problem) for run in runs] == [
        (4, 4, 4, None),
        (8, 8, 8, None),
    ]
    assert "### Scale: subject crawls" in markdown(summarise(runs))
    if importlib.util.find_spec("matplotlib"):
        assert scale_chart(summarise(runs), tmp_path / "scale.png")


@pytest.mark.skipif(not (DOUBAN_PAGES / "subject").is_dir(), reason="no saved Douban pages here")
def test_real_pages_scenario_crawls_douban_markup_under_many_ids(tmp_path):
    plan = Plan(runs=1, real_pages=6, cpu_concurrency=4)
    runs = run_scenarios(plan, scenarios(plan, ["real"]), tmp_path, say=quiet)
    ran = {run.client: (run.items, run.distinct_ids, run.problem) for run in runs}
    assert ran["moviespider_subjects"] == (6, 6, None)
    assert ran["subjects_aiohttp"] == (6, 6, None)
    assert "### Real subject pages: 6 pages" in markdown(summarise(runs))
