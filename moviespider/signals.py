"""moviespider's own signals.

``page_failed``
    A page was given up on: it will not be fetched again in this crawl and its data is missing.
    Any component may send it; the failed-pages recorder
    (:class:`moviespider.extensions.failures.FailedPages`) lists every such page at close and in
    the ``FAILED_URLS_FILE``, so that a later crawl can take them again. Arguments:

    ``url`` (str)
        The URL the spider asked for (before redirects), so that a re-run asks for it again.
    ``status`` (int | None)
        The last HTTP status received, when there was a response.
    ``error`` (str | None)
        What went wrong, in a few words: ``"TimeoutError: …"``, ``"blocked: 403"``,
        ``"unusable page: no title"``. At least one of ``status`` and ``error`` is given.

    Send it with :func:`report_page_failed`, or directly::

        crawler.signals.send_catch_log(page_failed, url=url, status=403, error="blocked")

    Scrapy's own give-ups (retries exhausted, an HTTP error status, a download error, a callback
    that raised) are reported by moviespider itself; a component only reports what it decides
    to give up on (a request blocked too many times, a page a parser cannot use).
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
