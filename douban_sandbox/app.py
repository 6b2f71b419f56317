"""The sandbox's aiohttp application: Douban's paths (docs/sandbox.md), served from the catalog.

Links point back at the host the request was addressed to; rendered pages are cached per URL.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from base64 import urlsafe_b64encode
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from aiohttp import web

from douban_sandbox.catalog import build_catalog
from douban_sandbox.faults import FaultPlan, gzip_bomb, looks_like_browser, with_odd_bytes
from douban_sandbox.images import poster_jpeg
from douban_sandbox.options import SandboxOptions
from douban_sandbox.pages import PageRenderer, read_resource

STATS_PATH = "/__sandbox__/stats"
REQUESTS_PATH = "/__sandbox__/requests"
REQUEST_LOG_SIZE = 100_000  # the latest requests kept for /__sandbox__/requests
PAGE_KINDS = frozenset({"top250", "later", "nowplaying", "subject", "json"})
HTML = "text/html"
BID_COOKIE = "bid"
BID_MAX_AGE = 365 * 24 * 3600

# Route name -> the kind of request stats count it as (the name itself when not listed).
ROUTE_KINDS = {
    "subject_no_slash": "subject",
    "top250_json": "json",
    "later_json": "json",
    "nowplaying_json": "json",
    "subject_json": "json",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SANDBOX_KEY = web.AppKey("sandbox", "Sandbox")


class Stats:
    """What the sandbox served, for tests: ``GET /__sandbox__/stats``."""

    def __init__(self) -> None:
        self.requests = 0
        self.by_kind: Counter[str] = Counter()
        self.by_status: Counter[int] = Counter()
        self.user_agents: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        # (Unix time of arrival, path and query, bid cookie, status): tests compare the arrival
        # times with a crawl's own log, so wall-clock time on both sides.
        self.log: deque[tuple[float, str, str | None, int | None]] = deque(maxlen=REQUEST_LOG_SIZE)

    def as_dict(self, banned_sessions: int) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "by_kind": dict(self.by_kind),
            "by_status": {str(status): count for status, count in sorted(self.by_status.items())},
            "images": self.by_kind["image"],
            "user_agents": dict(self.user_agents),
            "faults": dict(self.faults),
            "banned_sessions": banned_sessions,
            "cpu_seconds": time.process_time(),  # the server's CPU time so far (benchmarks)
        }


class Sandbox:
    """The state the handlers share: catalog, renderer, page cache, faults and stats."""

    def __init__(self, options: SandboxOptions):
        self.options = options
        self.catalog = build_catalog(
            size=options.catalog, seed=options.seed, today=options.today, drift=options.drift
        )
        self.renderer = PageRenderer(self.catalog, options.markup)
        self.csr_script = read_resource("csr.js")
        self.robots_txt = read_resource("robots.txt")
        self.faults = FaultPlan(options)
        self.stats = Stats()
        self.bids_issued = 0
        cache_size = options.cache_pages
        if options.warm:
            cache_size = max(cache_size, len(self.list_pages()) + 1024)
        self.render = lru_cache(maxsize=cache_size)(self._render)

    def list_pages(self) -> list[tuple[str, str]]:
        """(kind, key) of every list page: each Top250 page and each city's two lists."""
        pages = [("top250", str(start)) for start in range(0, len(self.catalog), 25)]
        for city in self.catalog.cities:
            pages += [("later", city), ("nowplaying", city)]
        return pages

    def warm(self, base: str) -> None:
        """Render every list page for ``base`` now, so that requests find them in the cache."""
        variants = ("shell", "json") if self.options.js else ("html",)
        for kind, key in self.list_pages():
            for variant in variants:
                self.render(kind, key, base, variant)

    # --- rendering -------------------------------------------------------------------------------

    def _render(self, kind: str, key: str, base: str, variant: str) -> bytes:
        """The bytes of one page: ``variant`` is "html", "shell" (JS mode) or "json"."""
        renderer = self.renderer
        if kind == "top250":
            page = renderer.top250(int(key), base)
            source = f"/j/top250?start={key}"
        elif kind == "later":
            page = renderer.later(key, base)
            source = f"/j/later/{key}/"
        elif kind == "nowplaying":
            page = renderer.nowplaying(key, base)
            source = f"/j/nowplaying/{key}/"
        else:
            film = self.catalog.film(key)
            assert film is not None
            page = renderer.subject(film, base)
            source = f"/j/subject/{key}/"
        if variant == "json":
            return json.dumps({"html": page.app}, ensure_ascii=False).encode()
        if variant == "shell":
            shell = renderer.templates["csr_shell"].substitute(src=source, script=self.csr_script)
            return renderer.document(page, base, app=shell).encode()
        return renderer.document(page, base).encode()

    def page(self, request: web.Request, kind: str, key: str) -> web.Response:
        base = f"{request.scheme}://{request.host}"
        if request.path.startswith("/j/"):
            body = self.render(kind, key, base, "json")
            return web.Response(body=body, content_type="application/json", charset="utf-8")
        body = self.render(kind, key, base, "shell" if self.options.js else "html")
        return web.Response(body=body, content_type=HTML, charset="utf-8")

    def new_bid(self) -> str:
        self.bids_issued += 1
        text = f"{self.options.seed}/bid/{self.bids_issued}".encode()
        return urlsafe_b64encode(hashlib.blake2b(text, digest_size=9).digest()).decode()[:11]

    def not_found(self, reason: str) -> web.HTTPNotFound:
        text = self.renderer.plain("not_found", reason=reason)
        return web.HTTPNotFound(text=text, content_type=HTML)

    # --- handlers --------------------------------------------------------------------------------

    async def top250(self, request: web.Request) -> web.Response:
        try:
            start = max(0, int(request.query.get("start", "0")))
        except ValueError:
            start = 0  # Douban shows the first page for a start it cannot read
        return self.page(request, "top250", str(start))

    async def later(self, request: web.Request) -> web.Response:
        return self.page(request, "later", self._city(request))

    async def nowplaying(self, request: web.Request) -> web.Response:
        return self.page(request, "nowplaying", self._city(request))

    def _city(self, request: web.Request) -> str:
        city = request.match_info["city"]
        if city not in self.catalog.cities:
            raise self.not_found(f"no cinema list for city {city!r}")
        return city

    async def subject(self, request: web.Request) -> web.Response:
        subject_id = request.match_info["subject_id"]
        target = self.catalog.redirect_of(subject_id)
        if target is not None:  # Douban merged this entry into another
            prefix = "/j" if request.path.startswith("/j/") else ""
            raise web.HTTPFound(f"{prefix}/subject/{target}/")
        film = self.catalog.film(subject_id) or self.catalog.misfiled(subject_id)
        if film is None:
            raise self.not_found(f"no subject {subject_id}")
        if not request.path.endswith("/"):
            raise web.HTTPMovedPermanently(f"/subject/{subject_id}/")
        return self.page(request, "subject", film.subject_id)

    async def index(self, request: web.Request) -> web.Response:
        base = f"{request.scheme}://{request.host}"
        page = self.renderer.index(base, self.options.seed, self.options.js)
        return web.Response(text=self.renderer.document(page, base), content_type=HTML)

    async def robots(self, request: web.Request) -> web.Response:
        return web.Response(text=self.robots_txt, content_type="text/plain")

    async def poster(self, request: web.Request) -> web.Response:
        body = poster_jpeg(int(request.match_info["poster_id"]))
        return web.Response(body=body, content_type="image/jpeg")

    async def challenge(self, request: web.Request) -> web.Response:
        redirect = request.query.get("r", "")
        token = hashlib.blake2b(redirect.encode(), digest_size=6).hexdigest()
        text = self.renderer.plain("sec", token=token, challenge=token[::-1], redirect=redirect)
        return web.Response(text=text, content_type=HTML)

    async def login(self, request: web.Request) -> web.Response:
        text = self.renderer.plain("login", redir=request.query.get("redir", ""))
        return web.Response(text=text, content_type=HTML)

    async def stats_view(self, request: web.Request) -> web.Response:
        return web.json_response(self.stats.as_dict(self.faults.bans))

    async def requests_view(self, request: web.Request) -> web.Response:
        entries = [
            {"time": when, "path": path, "bid": bid, "status": status}
            for when, path, bid, status in self.stats.log
        ]
        return web.json_response(entries)

    async def stats_reset(self, request: web.Request) -> web.Response:
        """Zero the counters (fault state such as bans and attempt counts stays)."""
        self.stats = Stats()
        return web.Response(status=204)

    # --- faults, cookies and counting ------------------------------------------------------------

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path in (STATS_PATH, REQUESTS_PATH):
            return await handler(request)
        arrived = time.time()
        name = request.match_info.route.name or "other"
        kind = ROUTE_KINDS.get(name, name)
        stats = self.stats
        stats.requests += 1
        stats.by_kind[kind] += 1
        user_agent = request.headers.get("User-Agent", "")
        stats.user_agents[user_agent] += 1
        try:
            response = await self._respond(request, handler, kind, user_agent)
        except web.HTTPException as error:
            response = error
        transport = request.transport
        served = transport is not None and not transport.is_closing()
        status = response.status if served else None
        stats.log.append((arrived, request.path_qs, request.cookies.get(BID_COOKIE), status))
        if served:
            stats.by_status[response.status] += 1
            if BID_COOKIE not in request.cookies:
                response.set_cookie(BID_COOKIE, self.new_bid(), max_age=BID_MAX_AGE, path="/")
        if isinstance(response, web.HTTPException):
            raise response
        return response

    async def _respond(
        self, request: web.Request, handler: Handler, kind: str, user_agent: str
    ) -> web.StreamResponse:
        """The response, or the fault played instead of it (see faults.py)."""
        options, faults, counts = self.options, self.faults, self.stats.faults
        if options.require_browser_ua and not looks_like_browser(user_agent):
            counts["browser_ua_required"] += 1
            return web.Response(status=418)
        if kind not in PAGE_KINDS:
            return await handler(request)
        base = f"{request.scheme}://{request.host}"
        session = request.cookies.get(BID_COOKIE) or request.remote or "unknown"
        style = faults.ban_style(session, request.remote or "unknown")
        if style is not None:
            counts[f"ban_{style}"] += 1
            return self._ban(style, f"{base}{request.path_qs}", base)
        url = request.path_qs
        attempt = faults.next_attempt(url)
        if faults.hits("login_wall", options.login_wall_rate, url, attempt):
            counts["login_wall"] += 1
            target = f"{base}/accounts/login?source=movie&redir={quote(base + url, safe='')}"
            return web.Response(status=302, headers={"Location": target})
        if (
            kind == "subject"
            and faults.hits("self_redirect", options.self_redirect_rate, url, attempt)
            and self.catalog.film(request.match_info.get("subject_id", "")) is not None
        ):
            # Douban answers some requests for a film's page with a 302 to the very same URL
            # (setting a cookie). Merged and misfiled ids keep their own behaviour.
            counts["self_redirect"] += 1
            return web.Response(status=302, headers={"Location": f"{base}{url}"})
        if faults.hits("reset", options.reset_rate, url, attempt):
            counts["reset"] += 1
            assert request.transport is not None
            request.transport.abort()
            return web.Response(status=500)  # never sent: aiohttp finds the transport closed
        if faults.hits("bomb", options.bomb_rate, url, attempt):
            counts["bomb"] += 1
            headers = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}
            return web.Response(body=gzip_bomb(), headers=headers)
        if faults.hits("fail", options.fail_rate, url, attempt):
            counts["fail"] += 1
            status = faults.fail_status(url, attempt)
            return web.Response(status=status, text=f"<h1>{status}</h1>", content_type=HTML)
        if faults.hits("slow", options.slow_rate, url, attempt):
            counts["slow"] += 1
            await asyncio.sleep(options.slow_seconds)
        elif options.latency:
            await asyncio.sleep(options.latency)
        response = await handler(request)
        if response.status == 200 and faults.hits(
            "odd_bytes", options.odd_bytes_rate, url, attempt
        ):
            counts["odd_bytes"] += 1
            body = response.body  # type: ignore[attr-defined]  # pages are web.Response
            assert isinstance(body, bytes)
            content_type = response.headers["Content-Type"]
            response = web.Response(
                body=with_odd_bytes(body), headers={"Content-Type": content_type}
            )
        elif response.status == 200 and faults.hits(
            "truncate", options.truncate_rate, url, attempt
        ):
            counts["truncate"] += 1
            body = response.body  # type: ignore[attr-defined]  # pages are web.Response
            assert isinstance(body, bytes)
            content_type = response.headers["Content-Type"]
            response = web.Response(
                body=body[: len(body) // 2], headers={"Content-Type": content_type}
            )
        return response

    def _ban(self, style: str, url: str, base: str) -> web.StreamResponse:
        if style == "302":
            target = f"{base}/sec/c?r={quote(url, safe='')}"
            return web.Response(status=302, headers={"Location": target})
        body = self.renderer.plain("ban")
        return web.Response(status=403 if style == "403" else 200, text=body, content_type=HTML)


def create_app(options: SandboxOptions | None = None) -> web.Application:
    """The sandbox as an aiohttp application (for in-process use; the CLI wraps it)."""
    sandbox = Sandbox(options or SandboxOptions())
    app = web.Application(middlewares=[sandbox.middleware])
    app[SANDBOX_KEY] = sandbox
    add = app.router.add_get
    add("/", sandbox.index, name="index")
    add("/top250", sandbox.top250, name="top250")
    add(r"/cinema/later/{city:[a-z]+}/", sandbox.later, name="later")
    add(r"/cinema/nowplaying/{city:[a-z]+}/", sandbox.nowplaying, name="nowplaying")
    add(r"/subject/{subject_id:\d+}/", sandbox.subject, name="subject")
    add(r"/subject/{subject_id:\d+}", sandbox.subject, name="subject_no_slash")
    add("/j/top250", sandbox.top250, name="top250_json")
    add(r"/j/later/{city:[a-z]+}/", sandbox.later, name="later_json")
    add(r"/j/nowplaying/{city:[a-z]+}/", sandbox.nowplaying, name="nowplaying_json")
    add(r"/j/subject/{subject_id:\d+}/", sandbox.subject, name="subject_json")
    add("/robots.txt", sandbox.robots, name="robots")
    add(r"/view/photo/s_ratio_poster/public/p{poster_id:\d+}.jpg", sandbox.poster, name="image")
    add("/sec/c", sandbox.challenge, name="challenge")
    add("/accounts/login", sandbox.login, name="login")
    add(STATS_PATH, sandbox.stats_view, name="stats")
    add(REQUESTS_PATH, sandbox.requests_view, name="requests")
    app.router.add_delete(STATS_PATH, sandbox.stats_reset, name="stats_reset")
    return app
