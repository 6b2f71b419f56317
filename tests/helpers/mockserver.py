"""One local HTTP server for tests that need answers the sandbox cannot give.

Routes map a path (with its query) to a reply; anything else goes to ``behave``, then to a 404.
It runs in a thread of its own, so both an in-process crawler and a `scrapy crawl` subprocess can
use it. ``douban_page_routes`` serves the real saved Douban pages at the paths DoubanSite builds.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from aiohttp import web

from moviespider.site import DoubanSite

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

# (status, headers, body), or an aiohttp response for what a tuple cannot say.
Reply = tuple[int, dict[str, str], bytes] | web.StreamResponse


@dataclass
class Hit:
    path: str
    bid: str | None
    user_agent: str | None
    at: float
    cookies: dict[str, str]
    headers: dict[str, str]


def html_reply(body: str | bytes, status: int = 200) -> Reply:
    data = body.encode() if isinstance(body, str) else body
    return status, {"Content-Type": "text/html; charset=utf-8"}, data


class MockServer:
    """A loopback server: ``routes`` first, then ``behave(hit, hits)``, then a 404."""

    def __init__(
        self,
        routes: Mapping[str, Reply] | None = None,
        behave: Callable[[Hit, list[Hit]], Reply | None] | None = None,
    ):
        self.routes = dict(routes or {})
        self.behave = behave
        self.hits: list[Hit] = []
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def paths(self) -> list[str]:
        return [hit.path for hit in self.hits]

    def hits_of(self, path: str) -> list[Hit]:
        return [hit for hit in self.hits if hit.path == path]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        hit = Hit(
            request.path_qs,
            request.cookies.get("bid"),
            request.headers.get("User-Agent"),
            time.monotonic(),
            dict(request.cookies),
            dict(request.headers),
        )
        self.hits.append(hit)
        reply = self.routes.get(hit.path)
        if reply is None and self.behave is not None:
            reply = self.behave(hit, self.hits)
        if reply is None:
            reply = (404, {"Content-Type": "text/plain"}, b"not served here")
        if isinstance(reply, web.StreamResponse):
            return reply
        status, headers, body = reply
        return web.Response(status=status, headers=headers, body=body)

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    def __enter__(self) -> MockServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def __exit__(self, *exc) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


def douban_page_routes(folder: Path, *, markup_year: str | None = None) -> dict[str, Reply]:
    """The saved pages in ``folder`` (<kind>/<key>_<when>.html) at the paths Douban serves them."""
    site = DoubanSite("http://pages.invalid")
    url_of = {
        "top250": lambda key: site.top250_url(int(key.removeprefix("start"))),
        "later": site.later_url,
        "nowplaying": site.nowplaying_url,
        "subject": site.subject_url,
    }
    routes: dict[str, Reply] = {}
    for kind, url in url_of.items():
        for page in sorted((folder / kind).glob("*.html")):
            if kind == "top250":
                year, key = page.stem.split("_")
                if markup_year and year != markup_year:
                    continue
            else:
                key = page.stem.split("_")[0]
            parts = urlsplit(url(key))
            path = f"{parts.path}?{parts.query}" if parts.query else parts.path
            routes[path] = html_reply(page.read_bytes())
    return routes
