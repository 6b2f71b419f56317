"""Recognise Douban's blocks, back off, retry with a fresh session, and stop when banned.

The kinds of block, the backoff, ``DOUBAN_MAX_BLOCKS`` (fresh sessions blocked in a row) and the
``request_blocked``/``page_failed`` signals are described in docs/blocking.md.
"""

from __future__ import annotations

import logging
import random
import re
import time
from typing import TYPE_CHECKING, Self
from urllib.parse import urljoin, urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.http import TextResponse
from scrapy.utils.asyncio import sleep
from scrapy.utils.defer import deferred_from_coro
from w3lib.url import safe_url_string

from moviespider.backoff import backoff_delay
from moviespider.config import BlockConfig, PolitenessConfig, get_int
from moviespider.internals import hold_downloads, recall_queued
from moviespider.outcomes import CloseReason
from moviespider.signals import is_page, report_page_failed, request_blocked, requested_url

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)

# request.meta keys
BLOCKS_META_KEY = "moviespider_blocks"  # fresh blocks of this request so far
SHARED_BLOCKS_META_KEY = "moviespider_shared_blocks"  # blocks of a session already retired
GENERATION_META_KEY = "moviespider_block_generation"  # the generation it was sent in
# Read by moviespider.extensions.progress.
BLOCKED_TOTAL_STAT = "moviespider/blocked_total"

BLOCKING_STATUSES = {403: "http_403", 418: "http_418", 429: "http_429"}
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

# Compiled once; matched against raw bytes (Douban serves UTF-8) to avoid decoding every page.
_BAN_PAGE_TITLE = re.compile(r"<title>\s*禁止访问\s*</title>".encode())
_BAN_PAGE_TEXT = "检测到有异常请求".encode()
_LOGIN_PATHS = ("/accounts/login", "/passport/login")
_CHALLENGE_PATHS = ("/sec/", "/misc/sorry")  # sandbox challenges; Douban's older "sorry" page


def classify_url(url: str) -> str | None:
    """The kind of block a redirect to *url* means: ``"challenge"``, ``"login"`` or None.

    Matched on the URL's shape, not only Douban's hosts, so that a mirror or the sandbox
    (``<base>/sec/c?r=…``, ``<base>/accounts/login?…``) is recognised too.
    """
    parts = urlsplit(url)
    first_label = (parts.hostname or "").split(".", 1)[0]
    path = parts.path
    if first_label == "sec" or path == "/sec" or path.startswith(_CHALLENGE_PATHS):
        return "challenge"
    if first_label == "accounts" or path.startswith(_LOGIN_PATHS):
        return "login"
    return None


def classify_response(request: Request, response: Response) -> str | None:
    """The kind of block *response* is, or None for content (including ordinary redirects).

    Kinds: ``http_403``, ``http_418``, ``http_429``, ``challenge``, ``login``, ``ban_page``.
    """
    if response.status in REDIRECT_STATUSES:
        location = response.headers.get(b"Location")
        if location is None:
            return None
        return classify_url(urljoin(response.url, safe_url_string(location)))
    kind = BLOCKING_STATUSES.get(response.status)
    if kind is not None:
        return kind
    if request.meta.get("redirect_urls"):  # a redirect was followed before we saw it
        kind = classify_url(response.url)
        if kind is not None:
            return kind
    if isinstance(response, TextResponse):
        body = response.body
        if _BAN_PAGE_TEXT in body or _BAN_PAGE_TITLE.search(body):
            return "ban_page"
    return None


class RequestBlocked(IgnoreRequest):
    """A request dropped because Douban kept blocking it; what a request's errback receives."""

    def __init__(self, request: Request, response: Response, kind: str, blocks: int):
        super().__init__(f"blocked {blocks} times (last: {kind}, HTTP {response.status})")
        self.request = request
        self.response = response
        self.kind = kind
        self.blocks = blocks


class RecalledForNewSession(IgnoreRequest):
    """Raised into a request the downloader had queued, unsent, when a block retired its session:
    :class:`BlockMiddleware` sends it back to the scheduler, to go out after the pause with the
    new session instead of meeting the block again."""


class BlockMiddleware:
    """Turn blocked responses into backoff and a retry with a fresh session.

    Settings:
        DOUBAN_BLOCK_RETRY_TIMES: how often one request is retried after fresh blocks before it
            is given up (and reported through :data:`moviespider.signals.page_failed`).
            Blocks it only shared with a session already retired do not count, up to
            DOUBAN_MAX_BLOCKS more.
        DOUBAN_MAX_BLOCKS: fresh sessions blocked in a row after which the spider closes with
            reason ``banned``.
        DOUBAN_BLOCK_BACKOFF, DOUBAN_BLOCK_BACKOFF_MAX: the first pause after a block, in seconds,
            and the cap the doubling pauses stop at.

    During a backoff pause no request is sent: the engine is paused (the scheduler hands out
    nothing), :meth:`process_request` holds every request that reaches the downloader until the
    pause ends, and the downloader's slots are held so that requests it had already queued (for
    DOWNLOAD_DELAY or a free connection) wait too. Only requests already on the wire when the
    block arrived come back during a pause; they cannot be recalled. All of it waits with
    ``await``: the event loop never blocks. Each pause is logged at INFO when it ends, with its
    start and end in Unix time, so that it can be checked against a server's log.

    Must sit above RedirectMiddleware in the response chain so that a redirect to the
    challenge or log-in page is seen before it is followed, and below HttpCompressionMiddleware
    so that ban pages are read decompressed (settings.py arranges both).
    """

    def __init__(
        self,
        crawler: Crawler,
        *,
        retry_times: int,
        max_blocks: int,
        backoff: float,
        backoff_max: float,
        priority_adjust: int = -1,
    ):
        self.crawler = crawler
        self.stats = crawler.stats
        self.retry_times = retry_times
        self.max_blocks = max_blocks
        self.backoff = backoff
        self.backoff_max = backoff_max
        self.priority_adjust = priority_adjust
        self._rng = random.Random()
        self._generation = 0  # goes up with every fresh block: the sessions in use changed
        self._in_a_row = 0  # fresh blocks since a page was last served
        self._resume_at = 0.0  # monotonic time the current backoff ends
        self._paused_at = 0.0  # Unix time the current backoff began (for the log)
        self._waiting = 0  # blocked requests awaiting the end of the backoff
        self._paused_engine = False
        self._closing: Deferred[None] | None = None
        self.banned = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        PolitenessConfig.from_settings(settings)  # Scrapy reads them; a typo must not hang it
        config = BlockConfig.from_settings(settings)
        return cls(
            crawler,
            retry_times=config.retry_times,
            max_blocks=config.max_blocks,
            backoff=config.backoff,
            backoff_max=config.backoff_max,
            priority_adjust=get_int(crawler.settings, "RETRY_PRIORITY_ADJUST"),
        )

    async def process_request(self, request: Request) -> None:
        if self._resume_at > time.monotonic():  # a backoff pause: nothing leaves until it ends
            self.stats.inc_value("moviespider/backoff_held_requests")
            await self._until_resumed()
        request.meta[GENERATION_META_KEY] = self._generation

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        kind = classify_response(request, response)
        if kind is None:
            self._in_a_row = 0  # Douban still serves pages: whatever it blocked, not the IP
            return response
        fresh = request.meta.get(GENERATION_META_KEY) == self._generation

        self.stats.inc_value(BLOCKED_TOTAL_STAT)
        self.stats.inc_value(f"moviespider/blocked/{kind}")
        self.crawler.signals.send_catch_log(
            request_blocked, request=request, response=response, kind=kind
        )
        if fresh and not self.banned:
            self._generation += 1
            self._in_a_row += 1
            # Pages only: what the engine downloads for itself (robots.txt, posters) just waits.
            recalled = recall_queued(self.crawler, RecalledForNewSession, is_page)
            self.stats.inc_value("moviespider/blocked_recalled", recalled)
            if self._in_a_row >= self.max_blocks:
                self._close_banned(request, response, kind)
            else:
                delay = backoff_delay(self._in_a_row, self.backoff, self.backoff_max, self._rng)
                logger.warning(
                    "Douban blocked %(request)s (%(kind)s, %(in_a_row)d of %(max)d in a row): "
                    "new session, pausing %(delay).1f s",
                    {
                        "request": request,
                        "kind": kind,
                        "in_a_row": self._in_a_row,
                        "max": self.max_blocks,
                        "delay": delay,
                    },
                )
                await self._pause(delay)
        elif not fresh:
            logger.debug("Douban blocked %s (%s) with a session already replaced", request, kind)

        blocks = request.meta.get(BLOCKS_META_KEY, 0)
        shared = request.meta.get(SHARED_BLOCKS_META_KEY, 0)
        if fresh:
            blocks += 1
        else:
            shared += 1
        # Once banned, retries still go back to the scheduler: with JOBDIR they are saved for
        # the next run rather than reported as failed.
        if not self.banned and (
            blocks > self.retry_times
            or shared > self.retry_times + self.max_blocks  # a backstop: each is unlikely
            or request.meta.get("dont_retry", False)
        ):
            self._give_up(request, response, kind, blocks + shared)
        self.stats.inc_value("moviespider/blocked_retried")
        retry = self._retry_request(request)
        if fresh:
            # To the back of the queue (RETRY_PRIORITY_ADJUST, as Scrapy's retries): the first
            # request after the pause is another page, so that a page blocked for itself (a
            # log-in wall) is told from a site that refuses every page (an address ban), where
            # the same page tried first each time would be given up before the crawl is banned.
            retry.priority = request.priority + self.priority_adjust
        retry.meta[BLOCKS_META_KEY] = blocks
        retry.meta[SHARED_BLOCKS_META_KEY] = shared
        return retry

    def process_exception(self, request: Request, exception: Exception) -> Request | None:
        if isinstance(exception, RecalledForNewSession):
            return self._retry_request(request)  # unsent: neither a block nor a retry
        return None

    @staticmethod
    def _retry_request(request: Request) -> Request:
        redirect_urls = request.meta.get("redirect_urls")
        if redirect_urls:  # blocked at the end of a redirect chain: start it again
            retry = request.replace(url=redirect_urls[0], dont_filter=True)
            for key in ("redirect_urls", "redirect_reasons", "redirect_times", "redirect_ttl"):
                retry.meta.pop(key, None)
        else:
            retry = request.replace(dont_filter=True)
        retry.meta["dont_cache"] = True  # HttpCacheMiddleware must not replay the block
        return retry

    def _give_up(self, request: Request, response: Response, kind: str, blocks: int) -> None:
        error = RequestBlocked(request, response, kind, blocks)
        self.stats.inc_value("moviespider/blocked_given_up")
        logger.warning("Gave up on %(request)s: %(error)s", {"request": request, "error": error})
        report_page_failed(
            self.crawler, requested_url(request), status=response.status, error=str(error)
        )
        raise error

    async def _pause(self, delay: float) -> None:
        """Hold every download for *delay* seconds (or until a longer pause already set ends)."""
        engine = self.crawler.engine
        assert engine is not None  # responses only arrive while the engine runs
        now = time.monotonic()
        if self._resume_at <= now:
            self._paused_at = time.time()
        self._resume_at = max(self._resume_at, now + delay)
        hold_downloads(self.crawler, self._resume_at - now)
        if self._waiting == 0 and not engine.paused:  # never undo someone else's pause
            engine.pause()
            self._paused_engine = True
        self._waiting += 1
        self.stats.inc_value("moviespider/backoff_seconds", delay)
        try:
            await self._until_resumed()
        finally:
            self._waiting -= 1
            if self._waiting == 0:
                if self._paused_engine:
                    engine.unpause()
                    self._paused_engine = False
                logger.info(
                    "Backoff pause over: no request was sent from %(start).3f to %(end).3f "
                    "(Unix time)",
                    {"start": self._paused_at, "end": time.time()},
                )

    async def _until_resumed(self) -> None:
        # Wake up now and then to notice a shutdown (Ctrl-C): the engine waits for the requests
        # in progress, the waiting ones included, before it stops.
        engine = self.crawler.engine
        while (
            engine is not None
            and engine.running
            and (left := self._resume_at - time.monotonic()) > 0
        ):
            await sleep(min(left, 1.0))

    def _close_banned(self, request: Request, response: Response, kind: str) -> None:
        self.banned = True
        logger.error(
            "Douban blocked %(count)d fresh sessions in a row (last: %(kind)s, HTTP %(status)d, "
            "for %(url)s): it is refusing this crawl, so the spider closes (reason 'banned'). "
            "Wait an hour or more, then slow down (DOWNLOAD_DELAY, CONCURRENT_REQUESTS), add "
            "proxies (PROXY_LIST) or log-in cookies (DOUBAN_COOKIES); run with -s JOBDIR=DIR "
            "to resume where the crawl stopped.",
            {"count": self._in_a_row, "kind": kind, "status": response.status, "url": request.url},
        )
        assert self.crawler.engine is not None
        self._closing = deferred_from_coro(
            self.crawler.engine.close_spider_async(reason=CloseReason.BANNED)
        )
