"""`scrapy crawl` with the browser on, against a tiny site of our own whose list pages JavaScript
builds from JSON (as client-side-rendered sites do).

The browser tests need a Chromium (Debian's `chromium` or Playwright's own). Without one they
skip locally; in CI (the CI environment variable is set) they fail instead.
"""

import asyncio
import json
import os
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import ClassVar

import pytest
import scrapy
from aiohttp import web
from scrapy.settings import Settings

from moviespider.addons.playwright import chromium_executable
from moviespider.errors import ConfigError
from tests.helpers.crawl import run_crawl

FILMS_PER_LIST = 3
LISTS = 200  # enough pages to see a leak: four at a time, each closed after reading

SHELL = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>list {n}</title></head>
<body><div id="content"><img src="/poster/list-{n}.jpg" alt=""></div>
<script>
window.__MOVIESPIDER_CSR__ = true;
fetch("/j/list/{n}").then(answer => answer.json()).then(films => setTimeout(() => {{
  // Filled well after the load event: the browser must wait for the list, not for "load".
  const list = document.createElement("ol");
  list.className = "grid_view";
  for (const film of films) {{
    const item = document.createElement("li");
    const poster = document.createElement("img");
    poster.src = film.poster;
    item.append(poster, film.title);
    list.append(item);
  }}
  document.getElementById("content").append(list);
}}, 100));
</script></body></html>"""

NEVER_FILLED = """<!DOCTYPE html>
<html><body><div id="content"></div>
<script>window.__MOVIESPIDER_CSR__ = true; /* never fills */</script>
</body></html>"""


def film_title(n: int, i: int) -> str:
    return f"电影 {n}-{i}"


class TinySite:
    """The site, in a thread of its own, counting the requests it answers by kind."""

    def __init__(self):
        self.hits: Counter[str] = Counter()
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()

    async def list_page(self, request: web.Request) -> web.Response:
        self.hits["list"] += 1
        return web.Response(text=SHELL.format(n=request.match_info["n"]), content_type="text/html")

    async def list_json(self, request: web.Request) -> web.Response:
        self.hits["json"] += 1
        n = int(request.match_info["n"])
        films = [
            {"title": film_title(n, i), "poster": f"/poster/{n}-{i}.jpg"}
            for i in range(FILMS_PER_LIST)
        ]
        return web.json_response(films)

    async def poster(self, request: web.Request) -> web.Response:
        self.hits["image"] += 1
        return web.Response(body=b"\xff\xd8\xff\xd9", content_type="image/jpeg")

    async def never_filled(self, request: web.Request) -> web.Response:
        self.hits["never"] += 1
        return web.Response(text=NEVER_FILLED, content_type="text/html")

    async def plain(self, request: web.Request) -> web.Response:
        self.hits["plain"] += 1
        return web.Response(
            text="<html><body><p>served</p></body></html>", content_type="text/html"
        )

    def start(self) -> None:
        threading.Thread(target=self._serve, daemon=True).start()
        self._started.wait(10)

    def _serve(self) -> None:
        app = web.Application()
        app.router.add_get("/list/{n}", self.list_page)
        app.router.add_get("/j/list/{n}", self.list_json)
        app.router.add_get("/poster/{name}", self.poster)
        app.router.add_get("/never", self.never_filled)
        app.router.add_get("/plain", self.plain)
        runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self._started.set()
        self._loop.run_forever()


class TinySiteSpider(scrapy.Spider):
    """The tiny site's lists through the browser, and one plain page through Scrapy's downloader.

    Arguments: base (the site's URL), lists (how many list pages), never ("1": also a page whose
    list never appears).
    """

    name = "tiny_site"
    custom_settings: ClassVar[dict[str, object]] = {"ITEM_PIPELINES": {}}  # they want Movie items
    # Its items have titles only: no year or genres for the coverage monitor to expect.
    coverage_thresholds: ClassVar[dict[str, float | None]] = {"year": None, "genres": None}
    browser_pages: ClassVar[dict[str, str]] = {"parse_list": "ol.grid_view"}

    def __init__(self, base: str = "", lists: str = "1", never: str = "0", **kwargs):
        super().__init__(**kwargs)
        self.base, self.lists, self.never = base, int(lists), never == "1"

    async def start(self):
        yield scrapy.Request(f"{self.base}/plain", callback=self.parse_plain)
        for n in range(self.lists):
            yield scrapy.Request(f"{self.base}/list/{n}", callback=self.parse_list)
        if self.never:
            yield scrapy.Request(f"{self.base}/never", callback=self.parse_list)

    def parse_list(self, response):
        for title in response.css("ol.grid_view > li::text").getall():
            yield {"title": title, "rendered": "playwright" in response.flags}

    def parse_plain(self, response):
        yield {"plain": response.css("p::text").get(), "rendered": "playwright" in response.flags}

    def closed(self, reason):
        stats = {**self.crawler.stats.get_stats(), "finish_reason": reason}
        Path(self.settings["TINY_SITE_STATS"]).write_text(json.dumps(stats, default=str))


def crawl(tmp_path: Path, *, args: dict[str, object], env=None, **settings: object):
    """Run `scrapy crawl tiny_site` with the project's settings; return its result and stats."""
    stats = tmp_path / "stats.json"
    result = run_crawl(
        TinySiteSpider.name,
        tmp_path,
        args={name: str(value) for name, value in args.items()},
        settings={
            "SPIDER_MODULES": __name__,
            "TINY_SITE_STATS": str(stats),
            "DOUBAN_PROFILE": "fast",
            "ROBOTSTXT_OBEY": "0",
            **{name: str(value) for name, value in settings.items()},
        },
        env=env,
    )
    return result, json.loads(stats.read_text()) if stats.exists() else None


def require_chromium() -> str | None:
    """The Chromium the browser tests will drive; skip without one, except in CI."""
    try:
        return chromium_executable(Settings())
    except ConfigError as error:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests: {error}")
        pytest.skip(str(error))


@pytest.fixture(scope="module")
def chromium():
    return require_chromium()


@pytest.fixture(scope="module")
def site():
    site = TinySite()
    site.start()
    return site


@pytest.fixture(scope="module")
def rendered(chromium, site, tmp_path_factory):
    """One crawl of LISTS client-side-rendered list pages with the browser on."""
    hits_before = site.hits.copy()
    started = time.monotonic()
    result, stats = crawl(
        tmp_path_factory.mktemp("rendered"),
        args={"base": site.url, "lists": LISTS},
        PLAYWRIGHT_ENABLED=1,
    )
    assert result.returncode == 0, result.log[-3000:]
    return {
        "items": result.items,
        "stats": stats,
        "hits": site.hits - hits_before,
        "seconds": time.monotonic() - started,
    }


def test_pages_javascript_builds_are_read_after_it_ran(rendered):
    titles = sorted(item["title"] for item in rendered["items"] if "title" in item)
    assert titles == sorted(film_title(n, i) for n in range(LISTS) for i in range(FILMS_PER_LIST))
    assert all(item["rendered"] for item in rendered["items"] if "title" in item)


def test_pages_not_marked_for_the_browser_take_scrapys_downloader(rendered):
    (plain,) = [item for item in rendered["items"] if "plain" in item]
    assert plain == {"plain": "served", "rendered": False}
    assert rendered["hits"]["plain"] == 1


def test_the_browser_downloads_no_images(rendered):
    assert rendered["hits"]["json"] == LISTS  # the pages' scripts ran…
    assert rendered["hits"]["image"] == 0  # …but neither the page's nor the films' posters came
    # The renderer does not even ask (imagesEnabled=false); anything else of those kinds that
    # it asks for is aborted (PLAYWRIGHT_ABORT_REQUEST, tested in test_playwright.py).
    assert "playwright/response_count/resource_type/image" not in rendered["stats"]


def test_every_page_is_closed_and_few_are_open_at_once(rendered):
    stats = rendered["stats"]
    assert stats["playwright/page_count"] == LISTS
    assert stats["playwright/page_count/closed"] == LISTS
    assert stats["playwright/page_count/max_concurrent"] <= 4
    assert stats["playwright/context_count"] == 1


def test_a_page_whose_content_never_appears_is_retried_then_given_up(chromium, site, tmp_path):
    hits_before = site.hits["never"]
    started = time.monotonic()
    result, stats = crawl(
        tmp_path,
        args={"base": site.url, "lists": 1, "never": 1},
        PLAYWRIGHT_ENABLED=1,
        DOWNLOAD_TIMEOUT=2,
        RETRY_TIMES=1,
    )
    assert result.returncode == 6, result.log[-3000:]  # incomplete: a page of four given up
    assert site.hits["never"] - hits_before == 2  # the first try and one retry
    assert stats["retry/max_reached"] == 1
    assert stats["playwright/page_count/closed"] == stats["playwright/page_count"] == 3
    assert stats["finish_reason"] == "finished"
    assert len([item for item in result.items if "title" in item]) == FILMS_PER_LIST
    assert time.monotonic() - started < 60


def test_without_any_chromium_the_crawl_stops_in_one_line(site, tmp_path):
    python_only = {
        "PATH": str(Path(sys.executable).parent),  # no chromium on it
        "PLAYWRIGHT_BROWSERS_PATH": str(tmp_path),  # nothing Playwright installed
        "PLAYWRIGHT_EXECUTABLE_PATH": "",  # and no choice made
    }
    result, stats = crawl(tmp_path, args={"base": site.url}, env=python_only, PLAYWRIGHT_ENABLED=1)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "moviespider: error: setting PLAYWRIGHT_ENABLED: no Chromium to render pages with: "
        "install Debian's (apt-get install chromium) or Playwright's "
        "(python -m playwright install chromium), or set PLAYWRIGHT_EXECUTABLE_PATH"
    )
    assert stats is None  # the spider never opened
