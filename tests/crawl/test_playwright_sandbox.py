"""The sandbox in JS mode (pages are shells JavaScript fills from JSON): crawled with the browser
it gives the static sandbox's items; crawled without it stops with the hint to turn it on."""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import date

import pytest

from douban_sandbox import SandboxProcess
from douban_sandbox.catalog import build_catalog
from moviespider.outcomes import CloseReason
from tests.crawl.test_playwright import require_chromium
from tests.helpers.crawl import run_crawl

TODAY = date(2026, 3, 1)
SANDBOX_ARGS = ["--catalog", "300", "--seed", "11", "--today", TODAY.isoformat()]
CATALOG = build_catalog(size=300, seed=11, today=TODAY)
CITY = "shanghai"
TOP_FILMS = 50  # two list pages and fifty subject pages: the browser renders ~3 pages/s


@pytest.fixture(scope="module")
def chromium():
    return require_chromium()


@pytest.fixture(scope="module")
def static_sandbox(module_sandbox):
    return module_sandbox(*SANDBOX_ARGS)


@pytest.fixture(scope="module")
def js_sandbox(module_sandbox):
    return module_sandbox(*SANDBOX_ARGS, "--js")


def sandbox_stats(sandbox: SandboxProcess) -> dict:
    with urllib.request.urlopen(f"{sandbox.url}/__sandbox__/stats", timeout=10) as answer:
        return json.load(answer)


def crawl(spider, sandbox, tmp_path, args=None, **settings):
    return run_crawl(
        spider,
        tmp_path,
        args=args,
        settings={
            "DOUBAN_BASE_URL": sandbox.url,
            "DOUBAN_PROFILE": "fast",
            "DOUBAN_REFERENCE_DATE": TODAY.isoformat(),
            "DOUBAN_TOP250_SIZE": str(TOP_FILMS),
            **settings,
        },
    )


def comparable(items: list[dict], sandbox: SandboxProcess) -> dict[str, dict]:
    """Items by subject id, without what differs between two crawls of two sandboxes."""
    found = {}
    for item in items:
        item = {**item, "crawled_at": None}
        item["poster_url"] = item["poster_url"].removeprefix(sandbox.url)
        found[item["subject_id"]] = item
    assert len(found) == len(items), "a film was yielded twice"
    return found


def stat(log: str, name: str) -> int | None:
    found = re.search(rf"'{re.escape(name)}': (\d+)", log)
    return int(found.group(1)) if found else None


@pytest.mark.parametrize(
    ("spider", "args"),
    [("douban_top250", {"details": "1"}), ("douban_later", {"city": CITY})],
)
def test_the_browser_reads_the_js_sandbox_as_the_static_one(
    chromium, static_sandbox, js_sandbox, tmp_path, spider, args
):
    static = crawl(spider, static_sandbox, tmp_path / "static", args)
    before = sandbox_stats(js_sandbox)
    rendered = crawl(spider, js_sandbox, tmp_path / "js", args, PLAYWRIGHT_ENABLED="1")
    after = sandbox_stats(js_sandbox)

    assert static.returncode == rendered.returncode == 0, rendered.log[-3000:]
    assert static.items, static.log[-3000:]
    assert comparable(rendered.items, js_sandbox) == comparable(static.items, static_sandbox)
    pages = stat(rendered.log, "moviespider/browser/requests")  # all but robots.txt
    assert pages == stat(rendered.log, "response_received_count") - 1
    assert stat(rendered.log, "playwright/page_count/closed") == pages
    # The scripts fetched every page's JSON, but no poster was downloaded.
    assert after["by_kind"]["json"] - before["by_kind"].get("json", 0) == pages
    assert after["images"] == before["images"]


@pytest.mark.parametrize(
    ("spider", "args"),
    [("douban_top250", {}), ("douban_later", {"city": CITY}), ("douban_subject", None)],
)
def test_without_the_browser_the_js_sandbox_stops_the_crawl_with_a_hint(
    js_sandbox, tmp_path, spider, args
):
    if args is None:
        args = {"ids": CATALOG.by_rank(1).subject_id}
    result = crawl(spider, js_sandbox, tmp_path, args)
    assert result.items == []
    assert f"Closing spider ({CloseReason.JAVASCRIPT_REQUIRED})" in result.log
    assert "Outcome: javascript_required (exit status 5)" in result.log
    assert result.returncode == 5  # never a "finished" crawl with an empty output
    errors = [line for line in result.log.splitlines() if "] ERROR: " in line]
    assert len(errors) == 1
    assert "rerun with -s PLAYWRIGHT_ENABLED=1" in errors[0]
