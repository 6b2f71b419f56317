"""Report the pages Scrapy gives up on, or refuses as too large, as ``page_failed``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.downloadermiddlewares.httpcompression import (
    HttpCompressionMiddleware as _HttpCompressionMiddleware,
)
from scrapy.exceptions import IgnoreRequest

from moviespider.signals import is_page, report_page_failed, requested_url

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response


class ReportGiveUps:
    """Downloader middleware: report the pages Scrapy gives up on as ``page_failed``.

    Placed just outside RetryMiddleware (lower order), it sees a download error or an error
    status only once RetryMiddleware has stopped retrying. ``IgnoreRequest`` (robots.txt, a
    deliberately dropped request) is not a failure, and neither are Scrapy's own requests that
    no callback reads (robots.txt itself, media downloads): they are not pages.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.allow_all = crawler.settings.getbool("HTTPERROR_ALLOW_ALL")
        self.allowed = set(crawler.settings.getlist("HTTPERROR_ALLOWED_CODES"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReportGiveUps:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if (
            not 200 <= response.status < 300
            and is_page(request)
            and not self.handled(request, response)
        ):
            report_page_failed(self.crawler, requested_url(request), status=response.status)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if not isinstance(exception, IgnoreRequest) and is_page(request):
            error = f"{type(exception).__name__}: {exception}".rstrip(": ")
            report_page_failed(self.crawler, requested_url(request), error=error)

    def handled(self, request: Request, response: Response) -> bool:
        """Whether the spider takes this status (the rules of HttpErrorMiddleware)."""
        # request.meta: in a downloader middleware the response is not tied to its request yet.
        meta: dict[str, Any] = request.meta
        if meta.get("handle_httpstatus_all", False):
            return True
        if "handle_httpstatus_list" in meta:
            return response.status in meta["handle_httpstatus_list"]
        if self.allow_all:
            return True
        allowed = getattr(self.crawler.spider, "handle_httpstatus_list", self.allowed)
        return response.status in allowed


class HttpCompressionMiddleware(_HttpCompressionMiddleware):
    """Scrapy's, reporting a page refused for decompressing past DOWNLOAD_MAXSIZE (a gzip bomb)
    as ``page_failed``.

    Scrapy raises IgnoreRequest for it, which no middleware's process_exception sees and which
    ReportGiveUps would not count as a failure: the page would be lost silently.
    """

    def __init__(self, stats: Any = None, *, crawler: Crawler):
        super().__init__(crawler=crawler)
        self.crawler = crawler

    def process_response(self, request: Request, response: Response) -> Request | Response:
        try:
            return super().process_response(request, response)
        except IgnoreRequest as error:
            self.crawler.stats.inc_value("moviespider/pages_too_large")
            if is_page(request):
                report_page_failed(
                    self.crawler, requested_url(request), status=response.status, error=str(error)
                )
            raise
