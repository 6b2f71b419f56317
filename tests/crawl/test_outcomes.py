"""How a crawl ends: its exit status (README, "Exit status") and what the terminal shows.

Every row of the exit-status table has a real `scrapy crawl` run here or beside its feature:
usage (2) in test_arguments.py, blocked (3) in test_blocks.py, coverage_low (4) in
test_coverage.py, javascript_required (5) in test_playwright_sandbox.py.
"""

from __future__ import annotations

import ast
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from moviespider import outcomes, settings
from tests.helpers.crawl import ROOT, run_crawl
from tests.helpers.storage import Outage

pytestmark = pytest.mark.crawl

SANDBOX = {"DOUBAN_SANDBOX": "1", "DOUBAN_SANDBOX_ARGS": "--catalog 300 --seed 3"}


def raw_stats(log: str) -> dict:
    block = log.rsplit("Dumping Scrapy stats:\n", 1)[1]
    block = block[: block.index("}\n") + 1]
    return ast.literal_eval(re.sub(r"datetime\.datetime\([^)]*\)", "None", block))


def outcome_line(log: str) -> str:
    [line] = [line for line in log.splitlines() if "Outcome: " in line]
    return line[line.index("Outcome: ") :]


def test_the_readme_exit_status_table_is_the_one_scrapy_crawl_uses():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Exit status", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| (\d+) \| `(\w+)` \|", section, re.MULTILINE)
    assert [(int(status), name) for status, name in rows] == [
        (outcome.exit_status, outcome.name) for outcome in outcomes.OUTCOMES
    ]
    assert f"INCOMPLETE_FAILED_SHARE` ({settings.INCOMPLETE_FAILED_SHARE:g}" in section


def test_a_complete_crawl_closes_with_one_summary_at_info_and_no_noise(tmp_path):
    # A fresh home: tldextract's cache is cold, as on a new offline machine.
    home = tmp_path / "home"
    home.mkdir()
    crawl = run_crawl(
        "douban_top250",
        tmp_path,
        settings=SANDBOX,
        env={"HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")},
        raw_stats=False,  # the project's own defaults, nothing from the command line
    )
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert len(crawl.items) == 250
    assert outcome_line(crawl.log) == "Outcome: complete (exit status 0), close reason finished"
    summary = crawl.log.split("Outcome: complete", 1)[1]
    assert re.search(
        r"films +250 in [\d.]+s \(\d+/min\); 11 pages, 0 given up on, 0 blocked", summary
    )
    assert "no field below its threshold" in summary
    assert f"feed      {tmp_path / 'items.jsonl'}" in summary
    assert "failed    none\n" in summary  # no list named: none was written
    assert not (tmp_path / "items.failed.tsv").exists()
    # The crawl's last word: after the monitors, every one of which checked something.
    assert re.search(r"\[Spidermon\] \d+ monitors in ", crawl.log.split("Outcome: complete", 1)[0])
    assert "[Spidermon]" not in summary
    assert "SKIPPED" not in crawl.log.split("FINISHED ACTIONS", 1)[0]
    # INFO by default: no per-page or per-film lines, no raw stats, nothing from tldextract.
    assert " DEBUG: " not in crawl.log
    assert "Movie(" not in crawl.log
    assert "Dumping Scrapy stats" not in crawl.log
    assert "tldextract" not in crawl.log
    assert "Traceback" not in crawl.log
    assert len(crawl.log.splitlines()) < 150


def test_every_page_404_is_incomplete(tmp_path):
    crawl = run_crawl("douban_later", tmp_path, args={"city": "atlantis"}, settings=SANDBOX)
    assert crawl.returncode == outcomes.INCOMPLETE.exit_status == 6, crawl.log[-3000:]
    assert outcome_line(crawl.log).startswith("Outcome: incomplete (exit status 6), 1 page given")
    assert "coverage  no films\n" in crawl.log  # not "no field below its threshold"
    # The list page, and no robots.txt, is what was requested; the city is the likely typo.
    assert "1 page given up on (100% of those requested)" in outcome_line(crawl.log)
    assert "ERROR: Douban has no list for city 'atlantis' (" in crawl.log
    stats = raw_stats(crawl.log)  # logged with -s CLOSE_STATS_LOG_LEVEL=INFO, outcome included
    assert stats["moviespider/outcome"] == "incomplete"
    assert stats["moviespider/exit_status"] == 6
    assert stats["finish_reason"] == "finished"


def test_no_network_is_incomplete_in_one_line_per_page_without_tracebacks(tmp_path):
    crawl = run_crawl(
        "douban_top250",
        tmp_path,
        # .invalid never resolves: no traffic leaves the machine.
        settings={"DOUBAN_BASE_URL": "http://nonexistent.invalid", "DOUBAN_PROFILE": "fast"},
    )
    assert crawl.returncode == 6, crawl.log[-3000:]
    assert "Traceback" not in crawl.log
    assert outcome_line(crawl.log).startswith("Outcome: incomplete (exit status 6), 10 pages")
    listed = (tmp_path / "items.failed.tsv").read_text(encoding="utf-8")
    assert listed.count("nonexistent.invalid/top250") == 10


@pytest.mark.parametrize(
    ("feed", "reason"),
    [("/proc/upcoming.json", None), ("/dev/full:json", "No space left on device")],
    ids=["cannot-open", "cannot-write"],
)
def test_a_feed_that_cannot_be_written_stops_the_crawl_at_once_in_one_line(tmp_path, feed, reason):
    crawl = run_crawl(
        "douban_later",
        tmp_path,
        output=feed,
        settings={
            **SANDBOX,
            "FAILED_URLS_FILE": str(tmp_path / "failed.tsv"),
            "CONCURRENT_REQUESTS": "1",  # one subject page at a time: "at once" shows
        },
        read_items=False,
    )
    assert crawl.returncode == outcomes.FEED_FAILED.exit_status == 7, crawl.log[-3000:]
    errors = [line for line in crawl.log.splitlines() if "] ERROR: " in line]
    path = feed.split(":")[0]
    assert errors[0].split("] ERROR: ")[1].startswith(f"Cannot write the feed {path}: ")
    if reason:
        assert reason in errors[0]
    assert len(errors) == 1
    assert outcome_line(crawl.log).startswith("Outcome: feed_failed (exit status 7)")
    # One failure, one line: the feed's sink, held for good, adds no warning of its own.
    assert "[moviespider.durability] WARNING" not in crawl.log
    assert "Traceback" not in crawl.log
    assert "Closing spider (feed_failed)" in crawl.log
    assert f"feed      {path} (could not be written" in crawl.log
    # At once: the city's 27 subject pages were mostly never fetched.
    assert raw_stats(crawl.log)["item_scraped_count"] <= 2


def test_a_crash_in_the_crawl_machinery_is_crashed(tmp_path):
    crawl = run_crawl(
        "douban_top250",
        tmp_path,
        settings={**SANDBOX, "ITEM_PIPELINES": '{"tests.helpers.crashing.CrashAtOpen": 50}'},
    )
    assert crawl.returncode == outcomes.CRASHED.exit_status == 1, crawl.log[-3000:]
    assert "RuntimeError: a bug in a pipeline" in crawl.log
    assert outcome_line(crawl.log) == "Outcome: crashed (exit status 1)"


def slow_crawl(tmp_path: Path) -> tuple[subprocess.Popen[str], Path]:
    feed = tmp_path / "films.jsonl"
    command = [
        sys.executable, "-m", "scrapy", "crawl", "douban_top250", "-a", "details=1",
        "-O", str(feed),
        "-s", "DOUBAN_SANDBOX=1",
        "-s", "DOUBAN_SANDBOX_ARGS=--catalog 300 --seed 3 --latency 0.5",
        "-s", "CONCURRENT_REQUESTS=2",
    ]  # fmt: skip
    log = (tmp_path / "crawl.log").open("w")
    crawl = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": ""},
        stdout=subprocess.DEVNULL,
        stderr=log,
        text=True,
        start_new_session=True,  # a process group of its own, as a terminal's foreground job
    )
    return crawl, feed


def wait_for(condition, crawl: subprocess.Popen[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert crawl.poll() is None, "the crawl ended first"
        assert time.monotonic() < deadline
        time.sleep(0.1)


def interrupted(tmp_path: Path, interrupt) -> str:
    """Start the slow crawl, ``interrupt(crawl, feed, log)``, and check that the crawl ends
    interrupted (exit 130); return its log."""
    crawl, feed = slow_crawl(tmp_path)
    log = tmp_path / "crawl.log"
    try:
        interrupt(crawl, feed, log)
        crawl.wait(timeout=120)
    finally:
        if crawl.poll() is None:
            crawl.kill()
            crawl.wait()
    text = log.read_text()
    assert crawl.returncode == outcomes.INTERRUPTED.exit_status == 130, text[-3000:]
    assert outcome_line(text).startswith("Outcome: interrupted (exit status 130)")
    return text


@pytest.mark.parametrize(
    "signals",
    [[signal.SIGINT], [signal.SIGINT, signal.SIGINT], [signal.SIGTERM]],
    ids=["ctrl-c", "ctrl-c-twice", "sigterm"],
)
def test_an_interrupted_crawl_is_interrupted(tmp_path, signals):
    def send_signals(crawl, feed, log):
        wait_for(lambda: feed.exists() and feed.stat().st_size > 0, crawl)  # films came out
        for number, signum in enumerate(signals, 1):
            crawl.send_signal(signum)
            wait_for(lambda n=number: log.read_text().count("Received SIG") >= n, crawl, 30)

    interrupted(tmp_path, send_signals)


def test_ctrl_c_as_the_crawl_starts_is_interrupted_too(tmp_path):
    # A terminal's Ctrl-C reaches every process of the foreground group: once, the sandbox
    # child died with the crawl and the crawl said "crashed" (exit 1); or, caught a moment
    # earlier, "the sandbox did not start" (exit 2).
    def ctrl_c_in_the_terminal(crawl, feed, log):
        wait_for(lambda: "Crawling the sandbox at" in log.read_text(), crawl, 60)
        os.killpg(crawl.pid, signal.SIGINT)

    assert "Traceback" not in interrupted(tmp_path, ctrl_c_in_the_terminal)


def test_films_the_database_never_took_make_the_crawl_incomplete(tmp_path):
    url = sa.engine.make_url(f"sqlite:///{tmp_path / 'films.sqlite3'}")
    outage = Outage(url)
    feed = tmp_path / "films.jsonl"
    command = [
        sys.executable, "-m", "scrapy", "crawl", "douban_top250", "-O", str(feed),
        "-s", "DOUBAN_SANDBOX=1",
        "-s", "DOUBAN_SANDBOX_ARGS=--catalog 300 --seed 3 --latency 0.3",
        "-s", "CONCURRENT_REQUESTS=1",
        "-s", "DATABASE_BATCH_SIZE=25",
        "-s", "DATABASE_FLUSH_INTERVAL=0.2",
        "-s", f"DATABASE_UNSAVED_FILE={tmp_path / 'unsaved.jl'}",
    ]  # fmt: skip
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": outage.url.render_as_string(hide_password=False),
    }
    crawl = subprocess.Popen(
        command, cwd=ROOT, env=environment, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL
    )
    down = False
    try:
        wait_for(lambda: feed.exists() and feed.read_bytes().count(b"\n") >= 30, crawl)
        outage.begin()  # and never ends
        down = True
        _, log = crawl.communicate(timeout=180)
    finally:
        if down:
            outage.end()
        if crawl.poll() is None:
            crawl.kill()
            crawl.wait()
    text = log.decode()
    assert crawl.returncode == 6, text[-3000:]
    records = (tmp_path / "unsaved.jl").read_text(encoding="utf-8").splitlines()
    unsaved = [line for line in records if '"crawl": {' not in line]  # films, not the crawl's end
    assert unsaved
    assert outcome_line(text).startswith(
        f"Outcome: incomplete (exit status 6), {len(unsaved)} films reached no feed or database"
    )
    assert f"{len(unsaved)} not stored, in {tmp_path / 'unsaved.jl'}" in text
