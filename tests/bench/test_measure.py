"""The benchmark's measuring and reporting, on processes and runs whose cost is known."""

import math
import sys

from moviespider_bench.measure import Run, process_cpu_seconds, read_items, run_process
from moviespider_bench.report import markdown, summarise, targets

BURN = """
import time
block = bytearray(120 * 1024 * 1024)
for i in range(0, len(block), 4096):
    block[i] = 1
end = time.process_time() + 0.4
while time.process_time() < end:
    pass
"""


def test_run_process_measures_cpu_and_peak_memory_of_the_child(tmp_path):
    usage = run_process(
        [sys.executable, "-c", BURN], cwd=tmp_path, env={}, log=tmp_path / "log", timeout=60
    )
    assert usage.exit_code == 0
    assert usage.cpu_seconds >= 0.4
    assert usage.peak_rss_mb >= 120
    assert usage.wall_seconds >= usage.cpu_seconds * 0.5
    assert not usage.timed_out


def test_run_process_reports_the_childs_peak_memory_not_the_benchmarks(tmp_path):
    ballast = bytearray(300 * 1024 * 1024)  # the benchmark itself holding a lot
    for i in range(0, len(ballast), 4096):
        ballast[i] = 1
    usage = run_process(
        [sys.executable, "-c", "pass"], cwd=tmp_path, env={}, log=tmp_path / "log", timeout=60
    )
    assert 0 < usage.peak_rss_mb < 100
    del ballast


def test_run_process_kills_a_client_past_its_timeout(tmp_path):
    usage = run_process(
        [sys.executable, "-c", "import time; time.sleep(30)"],
        cwd=tmp_path,
        env={},
        log=tmp_path / "log",
        timeout=0.5,
    )
    assert usage.timed_out
    assert usage.exit_code != 0
    assert usage.wall_seconds < 10


def test_process_cpu_seconds_reads_a_running_process():
    import os

    assert process_cpu_seconds(os.getpid()) > 0
    assert process_cpu_seconds(2**22 + 12345) is None


def test_read_items_accepts_json_lines_and_a_json_array(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"rank": 1}\n{"rank": 2}\n', encoding="utf-8")
    (tmp_path / "b.json").write_text('[{"rank": 1}, {"rank": 2}]', encoding="utf-8")
    assert read_items(tmp_path / "a.jsonl") == read_items(tmp_path / "b.json")
    assert read_items(tmp_path / "missing.jsonl") == []


def run(client="moviespider", scenario="cpu", pages=100, latency=0.0, concurrency=64, **figures):
    return Run(
        scenario=scenario,
        client=client,
        pages=pages,
        latency=latency,
        concurrency=concurrency,
        expected_items=pages * 25,
        items=pages * 25,
        distinct_ids=pages * 25,
        **figures,
    )


def test_summary_takes_the_median_and_range_of_counted_runs_only():
    runs = [
        run(crawl_seconds=1.0, cpu_seconds=0.3),
        run(crawl_seconds=3.0, cpu_seconds=0.5),
        run(crawl_seconds=2.0, cpu_seconds=0.4),
        run(crawl_seconds=0.1, cpu_seconds=0.1, problem="exit status 1"),
    ]
    (summary,) = summarise(runs)
    assert summary.median("crawl_seconds") == 2.0
    assert summary.median("cpu_ms_per_page") == 4.0
    assert summary.cell("crawl_seconds", 1) == "2.0 (1.0–3.0)"
    assert len(summary.failed) == 1


def test_targets_compare_in_crawl_cpu_per_page_with_crawlee_and_the_raw_client():
    runs = [
        run("moviespider", crawl_cpu_seconds=0.8, crawl_seconds=1),  # 8 ms a page
        run("aiohttp_lxml", crawl_cpu_seconds=0.4, crawl_seconds=1),
        run("crawlee", crawl_cpu_seconds=1.0, crawl_seconds=1),
    ]
    verdicts = [t.met for t in targets(summarise(runs))]
    assert verdicts == [True, True]  # 0.80 × Crawlee, 2.0 × raw
    runs[0] = run("moviespider", crawl_cpu_seconds=0.9, crawl_seconds=1)
    verdicts = [t.met for t in targets(summarise(runs))]
    assert verdicts == [False, False]  # 0.90 × Crawlee, 2.25 × raw


def test_storage_targets_are_the_cpu_each_database_adds_to_the_feed_only_run():
    runs = [
        run("moviespider", "storage", crawl_cpu_seconds=0.8, crawl_seconds=1),
        run("moviespider_stored", "storage", crawl_cpu_seconds=0.88, crawl_seconds=1),
        run("moviespider_postgresql", "storage", crawl_cpu_seconds=1.0, crawl_seconds=1),
    ]
    found = {t.text.split(":")[0]: t for t in targets(summarise(runs))}
    sqlite = found["moviespider douban_top250 + SQLite storage (the default)"]
    assert sqlite.met is True
    assert "0.80 ms/page over the feed ≤ 1.0" in sqlite.text
    assert found["moviespider douban_top250 + PostgreSQL storage"].met is False  # 2 ms


def test_latency_target_uses_the_slower_of_waiting_and_cpu():
    runs = [
        run("moviespider", cpu_seconds=0.4, crawl_seconds=2),  # 4 ms/page when CPU-bound
        run("moviespider", "latency", 500, 1.0, 16, crawl_seconds=32.0, peak_rss_mb=90),
        run("moviespider", "latency", 500, 1.0, 500, crawl_seconds=3.0, peak_rss_mb=260),
    ]
    found = {t.text.split(":")[0]: t.met for t in targets(summarise(runs))}
    assert found["latency 1 s, C=16"] is True  # bound 500/16 = 31.25 s
    assert found["latency 1 s, C=500"] is False  # bound 500 × 4 ms = 2 s; 3 s > 2.6 s
    assert found["peak RSS at C=500"] is False


def test_markdown_has_a_table_per_scenario_and_the_targets():
    runs = [
        run("moviespider", cpu_seconds=0.5, crawl_seconds=1),
        run("moviespider", "latency", 500, 1.0, 100, crawl_seconds=5.5, cpu_seconds=2),
        run("moviespider", "seeds", 100, 3.0, 100, crawl_seconds=3.2),
        run("aiohttp_lxml", "seeds", 100, 3.0, 100, crawl_seconds=3.1),
        run("sequential", "seeds", 10, 3.0, 1, crawl_seconds=30.5),
    ]
    text = markdown(summarise(runs))
    assert "### CPU-bound: 100 Top250 pages" in text
    assert "| 1 | 100 | 5.50 | 5.00 | 1.10 |" in text
    assert "305.0 (extrapolated)" in text
    assert "- met: 100 pages at 3 s latency in 3.20 s" in text
    assert not math.isnan(summarise(runs)[0].median("pages_per_second"))


def scale_verdicts(runs) -> dict[str, bool | None]:
    """{"CPU": met, "RSS": met} for the subject crawls' targets."""
    return {
        t.text.split()[2]: t.met
        for t in targets(summarise(runs))
        if t.text.startswith("subject crawls:")
    }


def test_scale_targets_compare_the_largest_subject_crawl_with_the_smallest():
    runs = [
        run("moviespider_subjects", "scale", 1000, crawl_cpu_seconds=2.3, peak_rss_mb=120),
        run("moviespider_subjects", "scale", 10000, crawl_cpu_seconds=23.0, peak_rss_mb=122),
    ]
    found = scale_verdicts(runs)
    assert found["CPU"] is True  # 2.30 ms a page at both sizes
    assert found["RSS"] is True  # 2 MB over 9,000 pages: 0.23 KB a page
    runs[1] = run("moviespider_subjects", "scale", 10000, crawl_cpu_seconds=46.0, peak_rss_mb=160)
    found = scale_verdicts(runs)
    assert found == {"CPU": False, "RSS": False}
    assert "### Scale: subject crawls" in markdown(summarise(runs))
