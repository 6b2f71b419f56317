"""The HTML report of real crawls, opened in headless Chromium: no console error, not blank, and
every chart showing the crawl's own figures."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers.crawl import ROOT, run_crawl

pytestmark = pytest.mark.crawl

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOT = ROOT / "docs" / "report.png"


def sandbox(seed: int, extra: str = "") -> dict[str, str]:
    return {
        "DOUBAN_SANDBOX": "1",
        "DOUBAN_SANDBOX_ARGS": f"--catalog 300 --seed {seed} --latency 0.02 {extra}".strip(),
        "TIMELINE_INTERVAL": "0.1",
    }


def open_in_browser(report: Path, screenshot: Path) -> dict:
    """Open *report* in Chromium; return console errors, the charts' figures, a screenshot."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 900})
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            requests: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            page.goto(report.as_uri())
            page.screenshot(path=str(screenshot), full_page=True)
            charts = page.evaluate(
                """() => Object.fromEntries([...document.querySelectorAll('svg.chart')].map(
                    svg => [svg.dataset.chart, {
                        data: {...svg.dataset},
                        bars: [...svg.querySelectorAll('[data-count]')].map(
                            bar => [bar.dataset.label ?? bar.dataset.date,
                                    Number(bar.dataset.count)]),
                        shares: Object.fromEntries([...svg.querySelectorAll('[data-share]')].map(
                            bar => [bar.dataset.label, Number(bar.dataset.share)])),
                        moves: [...svg.querySelectorAll('[data-film]')].map(
                            m => [m.dataset.before ?? null, m.dataset.after ?? null]),
                        visible: svg.getBoundingClientRect().width > 0,
                    }]))"""
            )
            failed_rows = page.locator("tr.failed").count()
            rating_changes = page.evaluate(
                """() => document.querySelector('[data-rating-changes]')
                    ?.dataset.ratingChanges ?? null"""
            )
            summary = page.evaluate(
                """() => Object.fromEntries([...document.querySelectorAll('[data-field]')].map(
                    cell => [cell.dataset.field, cell.textContent]))"""
            )
        finally:
            browser.close()
    return {
        "errors": errors,
        "requests": requests,
        "charts": charts,
        "failed_rows": failed_rows,
        "rating_changes": rating_changes,
        "summary": summary,
    }


def distinct_colours(png: Path) -> int:
    from PIL import Image

    with Image.open(png) as image:
        return len(image.convert("RGB").getcolors(maxcolors=1 << 20) or [])


def has(value: object) -> bool:
    return value is not None and value != "" and value != []


def test_a_top250_crawl_writes_a_report_whose_charts_show_its_own_figures(tmp_path: Path):
    report = tmp_path / "report.html"
    # No retries, and 503s now and then: some list pages are given up on and must be listed.
    result = run_crawl(
        "douban_top250",
        tmp_path,
        settings={
            **sandbox(3, "--fail-rate 0.08"),
            "RETRY_TIMES": "0",
            "REPORT": str(report),
        },
        env={"DATABASE_URL": f"sqlite:///{tmp_path / 'films.sqlite3'}"},
    )
    assert report.exists(), result.log[-3000:]
    films = result.items
    assert films

    seen = open_in_browser(report, tmp_path / "report.png")
    assert seen["errors"] == []
    # Self-contained: the page asked for nothing but itself.
    assert [url for url in seen["requests"] if not url.startswith("file://")] == []
    assert distinct_colours(tmp_path / "report.png") > 50  # not a blank page
    charts = seen["charts"]
    assert all(chart["visible"] for chart in charts.values())

    # Ratings histogram: every film once (the unrated in a bar of their own).
    ratings = charts["ratings"]
    assert sum(count for _, count in ratings["bars"]) == len(films)
    unrated = dict(ratings["bars"]).get("unrated", 0)
    assert unrated == sum(1 for film in films if film["rating"] is None)
    # Decades, genres, countries: the films that have them.
    assert int(charts["years"]["data"]["films"]) == sum(1 for f in films if f["year"])
    genres = Counter(genre for film in films for genre in film["genres"])
    assert dict(charts["genres"]["bars"][:5]) == dict(genres.most_common(5))
    countries = Counter(country for film in films for country in film["countries"])
    assert sum(c for _, c in charts["countries"]["bars"]) == sum(countries.values())
    # Timeline: it ends at the crawl's items.
    assert int(charts["timeline"]["data"]["items"]) == len(films)
    # Field coverage: each bar is the share of the crawl's films that have the field.
    for name, share in charts["coverage"]["shares"].items():
        expected = sum(1 for film in films if has(film.get(name))) / len(films)
        assert share == pytest.approx(expected, abs=1e-3), name
    # Responses by status: the 5xx the sandbox sent are there, at least one per page given up.
    statuses = dict(charts["status"]["bars"])
    failed = [
        line
        for line in (tmp_path / "items.failed.tsv").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert seen["failed_rows"] == len(failed)
    assert sum(count for status, count in statuses.items() if status[0] == "5") >= len(failed)
    for line in failed:
        assert line.split("\t")[1] in statuses
    kinds = dict(charts["kinds"]["bars"])
    assert sum(kinds.values()) == sum(statuses.values())
    assert seen["summary"]["films"] == str(len(films))


def test_two_top250_crawls_show_the_rank_movements_and_scrapy_report_redraws_them(
    tmp_path: Path,
):
    database = {"DATABASE_URL": f"sqlite:///{tmp_path / 'films.sqlite3'}"}
    first = run_crawl("douban_top250", tmp_path, settings=sandbox(3), env=database)
    report = tmp_path / "second.html"
    # The same catalog some time later: films moved up to 3 places, ratings with them.
    second = run_crawl(
        "douban_top250",
        tmp_path,
        settings={**sandbox(3, "--drift 3 --fail-rate 0.03"), "REPORT": str(report)},
        env=database,
        output="second.jsonl",
    )
    assert first.returncode == 0 and second.returncode == 0, second.log[-3000:]
    before = {f["subject_id"]: f["rank"] for f in first.items}
    ratings_before = {f["subject_id"]: f["rating"] for f in first.items}
    after = {f["subject_id"]: f["rank"] for f in second.items}
    moved = sum(1 for key in after if key in before and before[key] != after[key])
    entered = sum(1 for key in after if key not in before)
    left = sum(1 for key in before if key not in after)

    seen = open_in_browser(report, tmp_path / "second.png")
    assert seen["errors"] == []
    bump = seen["charts"]["bump"]["data"]
    assert (int(bump["moved"]), int(bump["entered"]), int(bump["left"])) == (moved, entered, left)
    assert moved > 0
    assert int(seen["rating_changes"]) == sum(
        1
        for film in second.items
        if film["subject_id"] in before and film["rating"] != ratings_before[film["subject_id"]]
    )

    # The same crawl read back from the database later draws the same report.
    redrawn = tmp_path / "redrawn.html"
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "report", "-o", str(redrawn)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **database},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    again = open_in_browser(redrawn, tmp_path / "redrawn.png")
    assert again["errors"] == []
    assert again["charts"]["bump"]["data"] == seen["charts"]["bump"]["data"]
    assert again["charts"]["ratings"]["bars"] == seen["charts"]["ratings"]["bars"]
    assert again["charts"]["timeline"]["data"] == seen["charts"]["timeline"]["data"]

    if os.environ.get("MOVIESPIDER_UPDATE_SCREENSHOTS") == "1":
        shutil.copyfile(tmp_path / "second.png", SCREENSHOT)


def test_an_upcoming_list_report_has_its_release_dates_on_a_calendar(tmp_path: Path):
    report = tmp_path / "later.html"
    result = run_crawl(
        "douban_later",
        tmp_path,
        settings={**sandbox(3), "REPORT": str(report)},
    )
    assert result.items, result.log[-3000:]
    seen = open_in_browser(report, tmp_path / "later.png")
    assert seen["errors"] == []
    days = Counter(film["release_date"] for film in result.items if film["release_date"])
    calendar = dict(seen["charts"]["calendar"]["bars"])
    assert {day: count for day, count in calendar.items() if count} == dict(days)


def test_scrapy_report_names_a_crawl_it_does_not_have_in_one_line(tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "report", "--crawl", "0" * 32, "-o", "x.html"],
        cwd=tmp_path,
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "SCRAPY_SETTINGS_MODULE": "moviespider.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'none.sqlite3'}",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "moviespider: error: no crawl is stored in the database yet"
    ]


def test_blocks_and_backoff_pauses_are_on_the_timeline(tmp_path: Path):
    report = tmp_path / "blocked.html"
    result = run_crawl(
        "douban_top250",
        tmp_path,
        settings={**sandbox(3, "--ban-after 4 --ban-style 403"), "REPORT": str(report)},
    )
    assert result.returncode == 0, result.log[-3000:]
    blocked = int(re.search(r"'moviespider/blocked_total': (\d+)", result.log)[1])
    paused = re.search(r"'moviespider/backoff_seconds': ([\d.]+)", result.log)
    assert blocked >= 2 and paused

    seen = open_in_browser(report, tmp_path / "blocked.png")
    assert seen["errors"] == []
    timeline = seen["charts"]["timeline"]["data"]
    assert int(timeline["blocks"]) == blocked
    assert int(timeline["pauses"]) >= 1
    assert seen["summary"]["blocks"] == str(blocked)
