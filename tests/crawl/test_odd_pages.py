"""A gzip bomb is refused at DOWNLOAD_MAXSIZE and its page listed as failed, end to end."""

from __future__ import annotations

import json
import re
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from douban_sandbox import SandboxProcess
from douban_sandbox.catalog import build_catalog
from douban_sandbox.faults import draw
from tests.helpers.crawl import run_crawl

pytestmark = pytest.mark.crawl

SIZE, SEED, RATE = 60, 2, 0.1


def failed_pages(path: Path) -> dict[str, str]:
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]
    return {row[0]: row[2] for row in rows if not row[0].startswith("#")}


def bombed_paths(site: SandboxProcess) -> set[str]:
    """The paths the sandbox answered with its bomb (its own draw, attempt by attempt)."""
    with urllib.request.urlopen(site.url + "/__sandbox__/requests", timeout=30) as response:
        log = json.load(response)
    attempts: Counter[str] = Counter()
    bombed = set()
    for entry in log:
        path = entry["path"]
        if path != "/robots.txt" and draw(SEED, "bomb", path, attempts[path]) < RATE:
            bombed.add(path)
        attempts[path] += 1
    return bombed


def test_a_gzip_bomb_is_refused_and_its_page_listed(tmp_path):
    catalog = build_catalog(SIZE, SEED)
    with SandboxProcess(
        args=["--catalog", str(SIZE), "--seed", str(SEED), "--bomb-rate", str(RATE)]
    ) as site:
        crawl = run_crawl(
            "douban_top250",
            tmp_path,
            args={"details": "1"},
            settings={
                "DOUBAN_BASE_URL": site.url,
                "DOUBAN_TOP250_SIZE": str(SIZE),
                "DOUBAN_PROFILE": "fast",
            },
            output="films.jsonl",
        )
        bombed = bombed_paths(site)
    assert crawl.returncode == 0, crawl.log[-3000:]
    bombed_films = {path.split("/")[2] for path in bombed if path.startswith("/subject/")}
    assert bombed_films and not bombed - {f"/subject/{film}/" for film in bombed_films}
    failed = failed_pages(tmp_path / "films.failed.tsv")
    assert {re.sub(r"^https?://[^/]+", "", url) for url in failed} == bombed
    assert all("exceeded DOWNLOAD_MAXSIZE (33554432 B)" in error for error in failed.values())
    # Every film is in the feed; those whose page was a bomb without their page's fields.
    assert sorted(film["subject_id"] for film in crawl.items) == sorted(
        catalog.by_rank(rank).subject_id for rank in range(1, SIZE + 1)
    )
    without_details = {film["subject_id"] for film in crawl.items if film["summary"] is None}
    assert without_details == bombed_films


def test_pages_with_odd_bytes_and_20_mb_are_read_not_retried(tmp_path):
    # The sandbox's odd pages hold invalid UTF-8 and a NUL, and 20 MB of blank lines after
    # </html>: each is whole, and each film must come from its page at the first try.
    catalog = build_catalog(SIZE, SEED)
    with SandboxProcess(
        args=["--catalog", str(SIZE), "--seed", str(SEED), "--odd-bytes-rate", str(RATE)]
    ) as site:
        crawl = run_crawl(
            "douban_top250",
            tmp_path,
            args={"details": "1"},
            settings={
                "DOUBAN_BASE_URL": site.url,
                "DOUBAN_TOP250_SIZE": str(SIZE),
                "DOUBAN_PROFILE": "fast",
            },
            output="films.jsonl",
        )
        with urllib.request.urlopen(site.url + "/__sandbox__/stats", timeout=30) as response:
            sandbox_stats = json.load(response)
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert sandbox_stats["faults"]["odd_bytes"] >= 3
    assert "cut short" not in crawl.log
    failed = tmp_path / "films.failed.tsv"
    assert not failed.exists() or failed_pages(failed) == {}
    assert sorted(film["subject_id"] for film in crawl.items) == sorted(
        catalog.by_rank(rank).subject_id for rank in range(1, SIZE + 1)
    )
    for film in crawl.items:
        truth = catalog.film(film["subject_id"]).movie_fields()
        assert (film["title"], film["summary"]) == (truth["title"], truth["summary"])
