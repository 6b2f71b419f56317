"""Proxy lists: reading, validating and masking proxy URLs, and choosing a healthy proxy.

Scrapy's HttpProxyMiddleware already applies the standard ``http_proxy``/``https_proxy``
environment variables and a request's ``meta["proxy"]`` (turning credentials in the URL into a
``Proxy-Authorization`` header). What it lacks is a list to rotate through and a memory of which
proxy Douban has refused: that is this module. The session middleware
(:mod:`moviespider.middlewares.sessions`) gives every session one proxy from a
:class:`ProxyPool` and reports how it fared.

Proxy URLs may carry credentials (``http://user:password@host:port``). They are only ever
written to ``meta["proxy"]``; logs and error messages show :func:`mask_proxy_url` instead.
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from moviespider.backoff import backoff_delay
from moviespider.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from scrapy.settings import BaseSettings

# Scrapy's HTTP download handlers tunnel through http:// and https:// proxies only.
PROXY_SCHEMES = frozenset({"http", "https"})

# Everything between the scheme (if any) and the last "@" before the path: the credentials.
_CREDENTIALS = re.compile(r"^(?P<scheme>[a-z][a-z0-9+.-]*://)?[^/]*@", re.IGNORECASE)
_LIST_SEPARATORS = re.compile(r"[\s,]+")


def mask_proxy_url(url: str) -> str:
    """*url* with any user name and password replaced by ``***``, safe to log."""
    return _CREDENTIALS.sub(lambda match: f"{match['scheme'] or ''}***@", url, count=1)


def parse_proxy_url(text: str) -> str:
    """Validate one proxy URL and return it with a scheme (``host:port`` means ``http://``).

    Raises ValueError with a message that shows the URL masked.
    """
    url = text if "://" in text else f"http://{text}"
    masked = mask_proxy_url(url)
    parts = urlsplit(url)
    if parts.scheme.lower() not in PROXY_SCHEMES:
        raise ValueError(
            f"{masked}: Scrapy can use http:// and https:// proxies only, not {parts.scheme}://"
        )
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"{masked}: the port is not a number from 1 to 65535") from None
    if not parts.hostname or port is None:
        raise ValueError(f"{masked}: a proxy URL needs a host and a port (http://host:port)")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"{masked}: a proxy URL has no path, query or fragment")
    return url


def read_proxy_list(settings: BaseSettings, environ: Mapping[str, str]) -> list[str]:
    """The proxy URLs configured for this crawl, validated; ``[]`` when none are.

    The ``PROXY_LIST`` setting names a file with one URL per line (blank lines and ``#``
    comments are skipped). Without it, the ``PROXY_LIST`` environment variable may hold the
    URLs themselves, separated by spaces, commas or newlines. URLs never go in the setting:
    Scrapy writes overridden settings to the log.
    """
    path = settings.get("PROXY_LIST")
    if path:
        path = str(path)
        if "://" in path:
            raise ConfigError(
                "setting PROXY_LIST: expected the path of a file of proxy URLs; put the URLs "
                "in that file or in the PROXY_LIST environment variable (settings are logged)"
            )
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            shown = mask_proxy_url(path)  # in case a user:password@host slipped in
            raise ConfigError(f"setting PROXY_LIST: cannot read {shown}: {reason}") from None
        entries = [
            (f"{path} line {number}", line.strip())
            for number, line in enumerate(text.splitlines(), start=1)
            if line.strip() and not line.lstrip().startswith("#")
        ]
        origin = f"setting PROXY_LIST ({path})"
    else:
        value = environ.get("PROXY_LIST", "").strip()
        if not value:
            return []
        entries = [
            (f"entry {number}", token)
            for number, token in enumerate(_LIST_SEPARATORS.split(value), start=1)
        ]
        origin = "environment variable PROXY_LIST"
    urls = []
    for where, text in entries:
        try:
            urls.append(parse_proxy_url(text))
        except ValueError as error:
            raise ConfigError(f"{origin}: {where}: {error}") from None
    if not urls:
        raise ConfigError(f"{origin}: no proxy URLs in it")
    return list(dict.fromkeys(urls))  # the first of any duplicates, in order


@dataclass(eq=False)
class Proxy:
    """One proxy and its health. ``url`` may hold credentials: log ``masked``."""

    url: str
    masked: str
    failures: int = 0  # blocks or connection failures since it last served a page
    rested_until: float = 0.0  # a monotonic time; the proxy is not chosen before it

    def __repr__(self) -> str:  # keep credentials out of tracebacks and debug output
        return f"Proxy({self.masked!r}, failures={self.failures})"


class ProxyPool:
    """Proxies to rotate through, preferring healthy ones and resting failed ones.

    A proxy that is blocked or fails is rested for an exponentially growing, capped and
    jittered time; one that serves a page is healthy again. :meth:`choose` picks a rested-out
    proxy with the fewest recent failures that no other session holds, at random among equals.
    When every proxy is resting it returns the one that wakes up first rather than stall.
    """

    def __init__(
        self,
        urls: Iterable[str],
        *,
        rest_base: float,
        rest_max: float,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ):
        self.proxies = [Proxy(url, mask_proxy_url(url)) for url in urls]
        if not self.proxies:
            raise ValueError("a ProxyPool needs at least one proxy")
        self.rest_base = rest_base
        self.rest_max = rest_max
        self._clock = clock
        self._rng = rng or random.Random()

    def __len__(self) -> int:
        return len(self.proxies)

    def choose(self, in_use: Iterable[Proxy] = ()) -> Proxy:
        now = self._clock()
        busy = set(in_use)
        candidates = self.proxies.copy()
        self._rng.shuffle(candidates)  # random among equals: min() keeps the first of a tie
        return min(
            candidates,
            key=lambda proxy: (
                max(proxy.rested_until - now, 0.0),
                proxy in busy,
                proxy.failures,
            ),
        )

    def rest(self, proxy: Proxy) -> float:
        """Take *proxy* out of rotation for a while; return for how many seconds."""
        proxy.failures += 1
        delay = backoff_delay(proxy.failures, self.rest_base, self.rest_max, self._rng)
        proxy.rested_until = self._clock() + delay
        return delay

    def recovered(self, proxy: Proxy) -> None:
        """*proxy* just served a page: it is healthy again."""
        proxy.failures = 0
        proxy.rested_until = 0.0
