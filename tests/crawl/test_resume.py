"""SIGKILL halfway, run the same command again: every film is there, duplicates only in flight.

The real `scrapy crawl` against the sandbox, in a subprocess killed as an OOM killer would. The
sandbox runs beside the crawls (as Douban would), or inside them (`-s DOUBAN_SANDBOX=1`, on a new
port each run); its page latency makes sure the kill lands while requests are in flight.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

from douban_sandbox.catalog import build_catalog
from tests.helpers.crawl import project_env, scrapy_command

CATALOG, SEED = 300, 7
CONCURRENCY = 16
TOP250 = 250


def top250_ids() -> set[str]:
    catalog = build_catalog(CATALOG, SEED)
    return {
        film.subject_id for start in range(0, TOP250, 25) for film in catalog.top250_page(start)
    }


SANDBOX_ARGS = ("--catalog", str(CATALOG), "--seed", str(SEED), "--latency", "0.3")


def crawl_command(feed: Path, jobdir: Path, *settings: str) -> list[str]:
    command = scrapy_command("crawl", "douban_top250", "-a", "details=1")
    command += ["-o", str(feed)]  # append: the resumed run adds to the killed run's lines
    for setting in (
        f"JOBDIR={jobdir}",
        f"DOUBAN_TOP250_SIZE={TOP250}",
        "DOUBAN_PROFILE=fast",
        f"CONCURRENT_REQUESTS={CONCURRENCY}",
        f"CONCURRENT_REQUESTS_PER_DOMAIN={CONCURRENCY}",
        "CLOSE_STATS_LOG_LEVEL=INFO",  # the raw stats, read below
        *settings,
    ):
        command += ["-s", setting]
    return command


def lines(feed: Path) -> list[dict]:
    if not feed.exists():
        return []
    return [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]


def crawl_until_killed(command: list[str], feed: Path, log: Path, items: int) -> int:
    """Start the crawl, SIGKILL it once the feed holds ``items`` films; return how many it had."""
    with log.open("w") as stderr:
        crawl = subprocess.Popen(command, cwd=log.parent, env=project_env(), stderr=stderr)
    try:
        deadline = time.monotonic() + 120
        while len(lines(feed)) < items:
            assert crawl.poll() is None, f"the crawl ended before the kill:\n{log.read_text()}"
            assert time.monotonic() < deadline, "the crawl is too slow to be killed halfway"
            time.sleep(0.05)
        os.kill(crawl.pid, signal.SIGKILL)
    finally:
        crawl.kill()
        crawl.wait()
    assert crawl.returncode == -signal.SIGKILL
    return len(lines(feed))


def crawl_to_the_end(command: list[str], log: Path) -> None:
    with log.open("w") as stderr:
        done = subprocess.run(
            command, cwd=log.parent, env=project_env(), stderr=stderr, timeout=240
        )
    assert done.returncode == 0, log.read_text()


def assert_every_film_once_but_those_in_flight(feed: Path, killed_with: int) -> None:
    films = lines(feed)
    ids = [film["subject_id"] for film in films]
    assert set(ids) == top250_ids()
    assert len(ids) - len(set(ids)) <= CONCURRENCY
    assert len(films) > killed_with  # the killed run's lines are kept, not rewritten
    # Every film got its subject page: none is a list-only stand-in for a lost details request.
    assert all(film["summary"] and film["languages"] for film in films)


def test_a_crawl_killed_halfway_resumes_and_loses_nothing(tmp_path, sandbox):
    feed, jobdir = tmp_path / "films.jsonl", tmp_path / "job"
    site = sandbox(*SANDBOX_ARGS)
    command = crawl_command(feed, jobdir, f"DOUBAN_BASE_URL={site.url}")
    killed_with = crawl_until_killed(command, feed, tmp_path / "first.log", items=TOP250 // 2)
    assert len({film["subject_id"] for film in lines(feed)}) < TOP250
    crawl_to_the_end(command, tmp_path / "second.log")
    site.stop()
    assert_every_film_once_but_those_in_flight(feed, killed_with)
    second_log = (tmp_path / "second.log").read_text()
    assert "Resuming crawl:" in second_log
    assert "'finish_reason': 'finished'" in second_log
    # A third run finds nothing left to do.
    written = len(lines(feed))
    site = sandbox(*SANDBOX_ARGS)
    crawl_to_the_end(
        crawl_command(feed, jobdir, f"DOUBAN_BASE_URL={site.url}"), tmp_path / "third.log"
    )
    assert len(lines(feed)) == written


def test_a_killed_crawl_resumes_on_the_in_crawl_sandbox_a_new_port(tmp_path):
    """`-s DOUBAN_SANDBOX=1` starts a sandbox on a new port each run: the job follows it."""
    feed, jobdir = tmp_path / "films.jsonl", tmp_path / "job"
    sandbox_args = f"--catalog {CATALOG} --seed {SEED} --latency 0.3"
    command = crawl_command(feed, jobdir, "DOUBAN_SANDBOX=1", f"DOUBAN_SANDBOX_ARGS={sandbox_args}")
    killed_with = crawl_until_killed(command, feed, tmp_path / "first.log", items=TOP250 // 2)
    crawl_to_the_end(command, tmp_path / "second.log")
    assert_every_film_once_but_those_in_flight(feed, killed_with)
    (old_url,) = re.findall(r"Crawling the sandbox at (\S+)", (tmp_path / "first.log").read_text())
    (new_url,) = re.findall(r"Crawling the sandbox at (\S+)", (tmp_path / "second.log").read_text())
    assert old_url != new_url
    assert f"moved from {old_url} to {new_url}" in (tmp_path / "second.log").read_text()


def test_the_in_crawl_sandbox_does_not_outlive_a_killed_crawl(tmp_path):
    command = scrapy_command("crawl", "douban_top250", "-s", "DOUBAN_SANDBOX=1")
    command += ["-s", f"DOUBAN_TOP250_SIZE={TOP250}", "-s", "DOUBAN_SANDBOX_ARGS=--latency 1"]
    crawl = subprocess.Popen(command, cwd=tmp_path, env=project_env(), stderr=subprocess.DEVNULL)
    try:
        sandbox_pid = wait_for_child(crawl.pid, "douban_sandbox")
        os.kill(crawl.pid, signal.SIGKILL)
    finally:
        crawl.kill()
        crawl.wait()
    deadline = time.monotonic() + 10
    while is_running(sandbox_pid):
        assert time.monotonic() < deadline, "the sandbox outlived the killed crawl"
        time.sleep(0.05)


def wait_for_child(pid: int, command_part: str) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            if command_part in Path(f"/proc/{child}/cmdline").read_text():
                return int(child)
        time.sleep(0.01)
    raise AssertionError(f"no {command_part} child of {pid}")


def is_running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in status  # a zombie has exited; its new parent reaps it
