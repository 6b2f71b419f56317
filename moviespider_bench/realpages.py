"""Real Douban subject pages served at Douban's paths, for the ``real`` scenario.

The pages are the saved ones in ``douban-pages/subject/`` beside the checkout (never copied
into the project). ``/subject/<id>/`` serves page ``id % 4`` with its own subject id rewritten
to ``<id>``, so any number of distinct films can be crawled from four pages of real markup.
The server runs on a thread of the benchmark's own process: its CPU is not a client's.
"""

from __future__ import annotations

import asyncio
import os
import re
import threading
from pathlib import Path

from aiohttp import web

import moviespider

REPO_ROOT = Path(moviespider.__file__).resolve().parent.parent
FIRST_ID = 30_000_000  # ids crawled: FIRST_ID, FIRST_ID + 1, …


def pages_folder() -> Path:
    """Where the saved pages are: DOUBAN_PAGES, else ../shared/douban-pages."""
    found = os.environ.get("DOUBAN_PAGES")
    return (Path(found) if found else REPO_ROOT.parent / "shared" / "douban-pages") / "subject"


def load_pages(folder: Path | None = None) -> list[tuple[bytes, bytes]]:
    """(page, its own subject id) for each saved subject page, in name order."""
    folder = folder or pages_folder()
    pages = []
    for path in sorted(folder.glob("*.html")):
        match = re.match(r"(\d+)_", path.name)
        if match:
            pages.append((path.read_bytes(), match[1].encode()))
    return pages


def subject_ids(count: int) -> list[str]:
    return [str(FIRST_ID + number) for number in range(count)]


class RealPagesServer:
    """``with RealPagesServer() as server: server.url``"""

    def __init__(self, folder: Path | None = None):
        self.pages = load_pages(folder)
        if not self.pages:
            raise FileNotFoundError(f"no saved subject pages in {folder or pages_folder()}")
        self.url: str | None = None
        self.pid = None  # the server is a thread: the benchmark reads no server CPU
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._runner: web.AppRunner | None = None

    async def subject(self, request: web.Request) -> web.Response:
        subject_id = request.match_info["id"]
        page, own_id = self.pages[int(subject_id) % len(self.pages)]
        body = page.replace(own_id, subject_id.encode())
        return web.Response(body=body, content_type="text/html", charset="utf-8")

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_get(r"/subject/{id:\d+}/", self.subject)
        self._runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        port = site._server.sockets[0].getsockname()[1]  # aiohttp names no public port getter
        self.url = f"http://127.0.0.1:{port}"
        self._ready.set()
        self._loop.run_forever()

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("the real pages server did not start")

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def __enter__(self) -> RealPagesServer:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()
