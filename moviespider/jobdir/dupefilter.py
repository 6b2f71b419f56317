"""The seen-set of a job: written through, over site-relative fingerprints."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.dupefilters import RFPDupeFilter
from scrapy.utils.request import RequestFingerprinter

from moviespider.config import get_http_url
from moviespider.files import private_dir, touch_private
from moviespider.internals import fingerprint_at
from moviespider.jobdir.journal import SEEN_FILE
from moviespider.site import CANONICAL_BASE_URL

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler


class FlushingDupeFilter(RFPDupeFilter):
    """RFPDupeFilter whose ``requests.seen`` survives a kill: each new fingerprint is written
    through at once (Scrapy's buffers them until close). The JOBDIR is 0700, the file 0600."""

    def __init__(self, path: str | None = None, *args: Any, **kwargs: Any):
        if path:
            private_dir(Path(path))
            touch_private(Path(path, SEEN_FILE))
        super().__init__(path, *args, **kwargs)

    def request_seen(self, request: Request) -> bool:
        seen = super().request_seen(request)
        if not seen and self.file is not None:
            self.file.flush()
        return seen


class SiteRelativeFingerprinter:
    """Scrapy's request fingerprints, computed as if ``DOUBAN_BASE_URL`` were movie.douban.com.

    The seen-set of a JOBDIR (and the HTTP cache) then hold when the base URL changes between
    runs: a mirror that moved, the in-crawl sandbox on a new port.
    """

    def __init__(self, crawler: Crawler):
        self.fingerprinter = RequestFingerprinter(crawler)
        base_url = get_http_url(crawler.settings, "DOUBAN_BASE_URL").rstrip("/")
        self.base_url = None if base_url == CANONICAL_BASE_URL else base_url

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteRelativeFingerprinter:
        return cls(crawler)

    def fingerprint(self, request: Request) -> bytes:
        if self.base_url is not None and request.url.startswith(f"{self.base_url}/"):
            url = CANONICAL_BASE_URL + request.url[len(self.base_url) :]
            return fingerprint_at(self.fingerprinter, request, url)
        return self.fingerprinter.fingerprint(request)
