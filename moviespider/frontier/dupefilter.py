"""The crawl's seen-set in Redis, over the project's site-relative fingerprints."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from scrapy_redis.dupefilter import RFPDupeFilter

if TYPE_CHECKING:
    from redis import Redis
    from scrapy import Request


class FrontierDupeFilter(RFPDupeFilter):
    """scrapy-redis's dupefilter (its key layout) with moviespider's request fingerprints
    (REQUEST_FINGERPRINTER_CLASS), stored as raw bytes. The scheduler records fingerprints in
    the same script that queues the request; this filter reads and writes the same set."""

    def __init__(self, server: Redis, key: str, fingerprint: Callable[[Request], bytes]):
        super().__init__(server, key)
        self.fingerprint = fingerprint

    def request_fingerprint(self, request: Request) -> bytes:  # type: ignore[override]
        return self.fingerprint(request)

    def close(self, reason: str = "") -> None:
        """Keep the seen-set: it belongs to the crawl, not to one worker."""
