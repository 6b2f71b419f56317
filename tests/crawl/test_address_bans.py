"""Douban bans the address: backoff pauses send nothing, a ban for good closes the crawl as
banned, and after a timed ban the same command with a JOBDIR finishes the job.

Real `scrapy crawl` runs against a sandbox started beside them (as Douban would be), whose log
of requests (/__sandbox__/requests, Unix arrival times) is compared with the pause windows the
crawl logs ("Backoff pause over: no request was sent from START to END").
"""

from __future__ import annotations

import json
import re
import subprocess
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from douban_sandbox import SandboxProcess
from douban_sandbox.catalog import build_catalog
from tests.helpers.crawl import project_env, read_feed, scrapy_command

pytestmark = pytest.mark.crawl

TODAY = date(2026, 3, 1)
SIZE, SEED = 60, 5
CATALOG = build_catalog(size=SIZE, seed=SEED, today=TODAY)
PAUSE = re.compile(r"Backoff pause over: no request was sent from ([\d.]+) to ([\d.]+)")
# A request on the wire when a block arrived was sent before the pause began; the sandbox may
# log its arrival a little later on a loaded machine.
IN_FLIGHT = 0.5


def sandbox(*faults: str) -> SandboxProcess:
    args = ["--catalog", str(SIZE), "--seed", str(SEED), "--today", TODAY.isoformat()]
    return SandboxProcess(args=[*args, "--ban-scope", "address", *faults])


def crawl(site: SandboxProcess, feed: Path, *settings: str, timeout: float = 240):
    """`scrapy crawl douban_top250 -a details=1 -o FEED` (appending, so a JOBDIR can resume)."""
    command = scrapy_command("crawl", "douban_top250", "-a", "details=1")
    command += ["-o", str(feed)]
    for setting in (
        f"DOUBAN_BASE_URL={site.url}",
        f"DOUBAN_TOP250_SIZE={SIZE}",
        f"DOUBAN_REFERENCE_DATE={TODAY.isoformat()}",
        "LOG_LEVEL=INFO",
        "CLOSE_STATS_LOG_LEVEL=INFO",  # the raw stats, read below
        *settings,
    ):
        command += ["-s", setting]
    return subprocess.run(
        command, cwd=feed.parent, env=project_env(), capture_output=True, text=True, timeout=timeout
    )


def requests_seen(site: SandboxProcess) -> list[dict]:
    with urllib.request.urlopen(site.url + "/__sandbox__/requests", timeout=30) as response:
        return [entry for entry in json.load(response) if entry["path"] != "/robots.txt"]


def finish_reason(log: str) -> str:
    found = re.search(r"'finish_reason': '(\w+)'", log)
    assert found, log[-3000:]
    return found[1]


def assert_nothing_sent_during_pauses(log: str, requests: list[dict]) -> list[tuple[float, ...]]:
    pauses = [(float(start), float(end)) for start, end in PAUSE.findall(log)]
    for start, end in pauses:
        during = [r for r in requests if start + IN_FLIGHT < r["time"] < end]
        assert during == [], (start, end, during)
    return pauses


def assert_films_from_their_own_pages(items: list[dict]) -> None:
    """Every item has its film's details: none was made from a block or without its page."""
    for item in items:
        truth = CATALOG.film(item["subject_id"]).movie_fields()
        assert (item["title"], item["summary"]) == (truth["title"], truth["summary"])


def test_a_ban_for_good_closes_the_crawl_without_requests_during_pauses(tmp_path):
    # Polite (as against Douban): a delay between requests, so the downloader queues requests
    # that would leave during a pause unless held; pauses of seconds so that one would show.
    max_blocks = 4
    with sandbox("--ban-after", "20") as site:
        done = crawl(
            site,
            tmp_path / "items.jsonl",
            "DOUBAN_PROFILE=polite",
            "DOWNLOAD_DELAY=0.3",
            "AUTOTHROTTLE_ENABLED=0",
            "DOUBAN_BLOCK_BACKOFF=3",
            "DOUBAN_BLOCK_BACKOFF_MAX=4",
            f"DOUBAN_MAX_BLOCKS={max_blocks}",
        )
        requests = requests_seen(site)
    log = done.stderr
    assert finish_reason(log) == "banned", log[-3000:]
    assert done.returncode == 3
    pauses = assert_nothing_sent_during_pauses(log, requests)
    assert len(pauses) == max_blocks - 1  # one after each block but the last
    # Each session tried was refused at once: at most DOUBAN_MAX_BLOCKS of them reached the
    # site, and the refusals are those blocks plus what was on the wire when each came back.
    refused = [r for r in requests if r["status"] == 403]
    assert len({r["bid"] for r in requests}) <= max_blocks
    assert len(refused) <= max_blocks * 2, refused
    assert_films_from_their_own_pages(read_feed(tmp_path / "items.jsonl"))


def test_after_a_timed_ban_the_same_command_finishes_the_job(tmp_path):
    feed, jobdir = tmp_path / "items.jsonl", tmp_path / "job"
    settings = (
        f"JOBDIR={jobdir}",
        "DOUBAN_PROFILE=fast",
        "CONCURRENT_REQUESTS=4",
        "CONCURRENT_REQUESTS_PER_DOMAIN=4",
        "DOUBAN_BLOCK_BACKOFF_MAX=0.5",
    )
    ban_for = 10
    with sandbox("--ban-after", "40", "--ban-for", str(ban_for)) as site:
        first = crawl(site, feed, *settings)
        assert finish_reason(first.stderr) == "banned", first.stderr[-3000:]
        assert first.returncode == 3
        assert 0 < len(read_feed(feed)) < SIZE
        banned_at = min(r["time"] for r in requests_seen(site) if r["status"] == 403)
        time.sleep(max(0.0, banned_at + ban_for + 0.5 - time.time()))
        second = crawl(site, feed, *settings)
        requests = requests_seen(site)
    assert second.returncode == 0, second.stderr[-3000:]
    assert finish_reason(second.stderr) == "finished"
    items = read_feed(feed)
    by_id = {item["subject_id"]: item for item in items}
    assert sorted(by_id) == sorted(CATALOG.by_rank(rank).subject_id for rank in range(1, SIZE + 1))
    assert_films_from_their_own_pages(items)
    assert_nothing_sent_during_pauses(first.stderr, requests)
