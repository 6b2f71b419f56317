"""moviespider's own signals and the helpers that send them.

``page_failed(url, status, error)``: a page was given up on (docs/resume.md, "Pages given up
on"); send it with :func:`report_page_failed`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.http.request import NO_CALLBACK

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

page_failed = object()

# A response was recognised as a block (BlockMiddleware); arguments ``request``, ``response``
# and ``kind`` (``"http_403"``, ``"challenge"``, ``"login"``, …). Sessions retire the session.
request_blocked = object()

# Items were made durable in a sink (a batch committed, a fallback file written); argument
# ``watermark``: requests stamped at or below it are finished (moviespider.durability).
items_durable = object()


def report_page_failed(
    crawler: Crawler, url: str, *, status: int | None = None, error: str | None = None
) -> None:
    """Send ``page_failed`` for ``url`` with its last HTTP status and/or an error description."""
    if status is None and error is None:
        raise ValueError("page_failed needs a status or an error")
    crawler.signals.send_catch_log(page_failed, url=url, status=status, error=error)


def is_page(request: Request) -> bool:
    """Whether a callback reads this request's response (robots.txt and media are not pages)."""
    return request.callback is not NO_CALLBACK


def requested_url(request: Request) -> str:
    """The URL the spider asked for: the first of a redirect chain, so a re-run asks again."""
    redirects = request.meta.get("redirect_urls")
    return redirects[0] if redirects else request.url
