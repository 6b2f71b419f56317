"""Follow a redirect to a subject page even to a URL this crawl has requested before."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from w3lib.url import safe_url_string

from moviespider.parsing import subject_id_from_url

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class FollowSubjectRedirects:
    """Downloader middleware: let the redirect RedirectMiddleware makes to a subject page past
    the duplicate filter.

    Douban merges duplicate entries by redirecting the old id to the film kept, and may redirect
    a page to itself (to set a cookie). Scrapy's redirect keeps the first request's
    ``dont_filter``, so a redirect to a subject page already crawled (the film kept, or the page
    itself) was dropped as a duplicate: the film vanished, unlogged. Marked ``dont_filter``, it
    reaches the spider, which stores the film under its own id and records the merge. Loops stay
    bounded by REDIRECT_MAX_TIMES. Sits between BlockMiddleware and RedirectMiddleware.
    """

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status in REDIRECT_STATUSES and not request.dont_filter:
            location = response.headers.get(b"Location")
            if location is not None:
                target = urljoin(request.url, safe_url_string(location))
                # The path only: a challenge or log-in URL names the page in its query.
                if subject_id_from_url(urlsplit(target).path) is not None:
                    request.dont_filter = True  # RedirectMiddleware copies it to the redirect
        return response
