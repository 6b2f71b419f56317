"""Browser-like sessions: a ``bid`` cookie, a user agent and (optionally) a proxy that go together.

Douban recognises a client by its ``bid`` cookie, its user agent and its IP address, and it
blocks that identity, not single URLs. So the crawl presents one or a few consistent *sessions*,
like a person's browser, and when Douban blocks one, the session is retired and a fresh one (new
``bid``, new user agent, another proxy when there are several) takes its place.

Scrapy does the cookie keeping: each session is its own ``meta["cookiejar"]`` for
CookiesMiddleware. Scrapy's HttpProxyMiddleware applies the session's ``meta["proxy"]``.
"""

from __future__ import annotations

import itertools
import logging
import os
import random
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

from scrapy.exceptions import IgnoreRequest

from moviespider.config import SessionConfig
from moviespider.middlewares.proxies import Proxy, ProxyPool
from moviespider.signals import request_blocked

if TYPE_CHECKING:
    from collections.abc import Mapping

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

# request.meta key: the number of the session a request was sent with.
SESSION_META_KEY = "moviespider_session"
# request.meta key: set when meta["proxy"] is the session's, not one the spider chose.
PROXY_META_KEY = "moviespider_session_proxy"

# Current desktop browsers on the systems Douban's visitors use. DOUBAN_USER_AGENTS replaces it.
DEFAULT_USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/142.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/142.0.0.0 Safari/537.36 Edg/142.0.0.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:145.0) Gecko/20100101 Firefox/145.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/142.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/26.1 Safari/605.1.15",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:145.0) Gecko/20100101 Firefox/145.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/142.0.0.0 Safari/537.36",
)


def new_bid() -> str:
    """A random ``bid`` cookie value shaped like Douban's: 11 URL-safe base64 characters."""
    return secrets.token_urlsafe(8)  # 8 random bytes are 11 base64 characters


def parse_cookie_header(text: str) -> dict[str, str]:
    """Cookies copied from a browser, as ``name=value; name2=value2``.

    Raises ValueError naming the position of a malformed pair, never its content: these are
    log-in cookies.
    """
    cookies = {}
    for position, pair in enumerate(text.split(";"), start=1):
        if not pair.strip():
            continue
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name or any(c.isspace() for c in name):
            raise ValueError(f"pair {position} is not name=value")
        cookies[name] = value.strip()
    if not cookies:
        raise ValueError("no name=value pairs")
    return cookies


@dataclass(eq=False)
class Session:
    key: int  # also the CookiesMiddleware cookie jar
    bid: str
    user_agent: str
    proxy: Proxy | None = None

    def __repr__(self) -> str:
        proxy = self.proxy.masked if self.proxy else None
        return f"Session(#{self.key}, proxy={proxy!r})"


class SessionMiddleware:
    """Send every request with one of a few live sessions; replace a session Douban blocked.

    Settings:
        DOUBAN_SESSIONS: how many sessions take turns (default: 1, or one per proxy).
        DOUBAN_USER_AGENTS: the user agents sessions pick from (default: DEFAULT_USER_AGENTS).
        PROXY_LIST, DOUBAN_PROXY_REST, DOUBAN_PROXY_REST_MAX: see moviespider.middlewares.proxies.

    Environment:
        DOUBAN_COOKIES: log-in cookies (``name=value; …`` as a browser's Cookie header) that every
        session sends. They are read from the environment, never from settings, because Scrapy
        logs settings; this middleware never logs them either.

    A request keeps its session while that session lives (a retry after a 5xx goes out with the
    same cookies). A user agent or proxy the spider set on a request itself is left alone.
    """

    def __init__(
        self,
        crawler: Crawler,
        *,
        size: int,
        user_agents: list[str],
        login_cookies: Mapping[str, str],
        proxies: ProxyPool | None,
    ):
        self.crawler = crawler
        self.stats = crawler.stats
        self.size = size
        self.user_agents = user_agents
        self.login_cookies = dict(login_cookies)
        self.proxies = proxies
        # A User-Agent header holding one of these was set by us or by UserAgentMiddleware's
        # default, so a new session may replace it.
        self._replaceable_user_agents = {ua.encode() for ua in user_agents}
        self._replaceable_user_agents.add(crawler.settings.get("USER_AGENT", "").encode())
        self._keys = itertools.count(1)
        self._turn = itertools.cycle(range(size))
        self._rng = random.Random()
        self.live: list[Session] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        config = SessionConfig.from_settings(settings, os.environ)
        proxies = None
        if config.proxies:
            proxies = ProxyPool(
                list(config.proxies), rest_base=config.proxy_rest, rest_max=config.proxy_rest_max
            )
        size = config.sessions or (len(proxies) if proxies else 1)
        user_agents = list(config.user_agents or DEFAULT_USER_AGENTS)
        middleware = cls(
            crawler,
            size=size,
            user_agents=user_agents,
            login_cookies=config.login_cookies,
            proxies=proxies,
        )
        crawler.signals.connect(middleware.request_blocked, signal=request_blocked)
        return middleware

    # --- sessions ---------------------------------------------------------------------------

    def _new_session(self, replacing: Session | None = None) -> Session:
        user_agents = self.user_agents
        if replacing is not None and len(user_agents) > 1:
            user_agents = [ua for ua in user_agents if ua != replacing.user_agent]
        proxy = None
        if self.proxies is not None:
            proxy = self.proxies.choose(in_use=(s.proxy for s in self.live if s.proxy))
        bid = new_bid()
        if not self.live and replacing is None:  # the first session keeps a logged-in bid
            bid = self.login_cookies.get("bid", bid)
        session = Session(next(self._keys), bid, self._rng.choice(user_agents), proxy)
        self.stats.inc_value("moviespider/sessions/created")
        logger.debug("Starting %r", session)
        return session

    def _session_for(self, request: Request) -> Session:
        while len(self.live) < self.size:  # one by one: each new proxy avoids those taken
            self.live.append(self._new_session())
        key = request.meta.get(SESSION_META_KEY)
        for session in self.live:
            if session.key == key:
                return session
        return self.live[next(self._turn)]

    def retire(self, key: int | None, reason: str) -> bool:
        """Replace live session *key* by a fresh one and rest its proxy.

        Returns False when *key* is not live (already retired: a request sent before the
        block came back late), so a burst of responses retires a session once.
        """
        index = next((i for i, session in enumerate(self.live) if session.key == key), None)
        if index is None:
            return False
        session = self.live[index]
        if session.proxy is not None and self.proxies is not None:
            rest = self.proxies.rest(session.proxy)
            self.stats.inc_value("moviespider/proxies/rested")
            logger.info("Resting proxy %s for %.0f s (%s)", session.proxy.masked, rest, reason)
        self.live[index] = self._new_session(replacing=session)
        self.stats.inc_value("moviespider/sessions/retired")
        return True

    # --- signals and middleware hooks ---------------------------------------------------------

    def request_blocked(self, request: Request, response: Response, kind: str) -> None:
        self.retire(request.meta.get(SESSION_META_KEY), f"blocked: {kind}")

    def process_request(self, request: Request) -> None:
        session = self._session_for(request)
        request.meta[SESSION_META_KEY] = session.key
        request.meta["cookiejar"] = session.key
        request.cookies = self._session_cookies(request.cookies, session)
        user_agent = request.headers.get(b"User-Agent")
        if user_agent is None or user_agent in self._replaceable_user_agents:
            request.headers[b"User-Agent"] = session.user_agent
        if session.proxy is not None and (
            "proxy" not in request.meta or request.meta.get(PROXY_META_KEY)
        ):
            request.meta["proxy"] = session.proxy.url  # HttpProxyMiddleware moves credentials
            request.meta[PROXY_META_KEY] = True

    def process_response(self, request: Request, response: Response) -> Response:
        # BlockMiddleware (earlier in the response chain) has turned blocks into retries, so
        # what arrives here was served; a 5xx may be the proxy's own error page, so not those.
        proxy = self._proxy_of(request)
        if proxy is not None and self.proxies is not None and response.status < 500:
            self.proxies.recovered(proxy)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        # Runs before RetryMiddleware's process_exception, so its retry gets a new session.
        if isinstance(exception, IgnoreRequest) or self._proxy_of(request) is None:
            return
        self.retire(request.meta.get(SESSION_META_KEY), f"{type(exception).__name__}")

    def _proxy_of(self, request: Request) -> Proxy | None:
        if not request.meta.get(PROXY_META_KEY):
            return None
        key = request.meta.get(SESSION_META_KEY)
        return next((s.proxy for s in self.live if s.key == key), None)

    def _session_cookies(self, cookies: Any, session: Session) -> Any:
        """A request's *cookies* (dict or list form) plus the session's ``bid`` and log-in.

        The session's ``bid`` always wins (a retry carries the blocked session's); a log-in
        cookie the spider set on the request itself is kept.
        """
        if isinstance(cookies, dict):
            return {**self.login_cookies, **cookies, "bid": session.bid}
        names = {cookie.get("name") for cookie in cookies}
        return [
            *(cookie for cookie in cookies if cookie.get("name") != "bid"),
            *(
                {"name": name, "value": value}
                for name, value in self.login_cookies.items()
                if name not in names and name != "bid"
            ),
            {"name": "bid", "value": session.bid},
        ]
