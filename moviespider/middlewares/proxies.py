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
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from moviespider.backoff import backoff_delay
from moviespider.credentials import mask_proxy_url

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable


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
