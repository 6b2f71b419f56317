"""Serve the real saved Douban pages (../shared/douban-pages) at Douban's own paths.

This is how a recording or a mirror stands in for movie.douban.com: the spiders are pointed at it
with DOUBAN_BASE_URL and must give the right items from real markup.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from aiohttp import web

# <kind>/<key>_<when>.html in the shared folder → the path Douban serves it at.
ROUTES = {
    "top250": lambda key: f"/top250?start={int(key.removeprefix('start'))}&filter=",
    "later": lambda key: f"/cinema/later/{key}/",
    "nowplaying": lambda key: f"/cinema/nowplaying/{key}/",
    "subject": lambda key: f"/subject/{key}/",
}


def recorded_paths(folder: Path, *, markup_year: str | None = None) -> dict[str, Path]:
    """Map each Douban path to the saved page that answers it."""
    paths: dict[str, Path] = {}
    for kind, route in ROUTES.items():
        for page in sorted((folder / kind).glob("*.html")):
            if kind == "top250":
                year, key = page.stem.split("_")
                if markup_year and year != markup_year:
                    continue
            else:
                key = page.stem.split("_")[0]
            paths[route(key)] = page
    return paths


class Recording:
    """A loopback HTTP server in a thread, answering 404 for any path it has no page for."""

    def __init__(self, pages: dict[str, Path]):
        self.pages = {path: page.read_bytes() for path, page in pages.items()}
        self.requested: list[str] = []
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    async def _handle(self, request: web.Request) -> web.Response:
        path = request.path_qs
        self.requested.append(path)
        body = self.pages.get(path)
        if body is None:
            return web.Response(status=404, text="not recorded")
        return web.Response(body=body, content_type="text/html", charset="utf-8")

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    def __enter__(self) -> Recording:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def __exit__(self, *exc) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
