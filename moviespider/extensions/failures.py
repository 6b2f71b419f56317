"""FailedPages: every page given up on, in a file a later crawl can take (docs/resume.md).

It records each ``page_failed`` signal and each callback that raised, takes a page off the list
when it later arrives, and appends to ``FAILED_URLS_FILE`` at once so a killed crawl leaves it.
The file exists only once a page is given up on; each crawl removes an earlier crawl's list at
the same path (a resumed job keeps it). docs/resume.md has the format and the defaults.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from scrapy import signals
from scrapy.utils.job import job_dir

from moviespider.config import FailedPagesConfig
from moviespider.feeds import beside_first_feed
from moviespider.files import private_opener
from moviespider.jobdir.journal import job_started
from moviespider.signals import page_failed, requested_url
from moviespider.text import counted

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

DEFAULT_FILE = "failed_urls.tsv"
HEADER = "# pages given up on: url\tlast HTTP status\terror\ttime (UTC)\n"
SUMMARY_LINES = 20  # the log lists this many; the file has them all
MAX_ERROR_LENGTH = 200


@dataclass
class FailedPage:
    url: str
    status: int | None
    error: str | None
    time: str

    def to_line(self) -> str:
        status = "-" if self.status is None else str(self.status)
        return f"{self.url}\t{status}\t{self.error or '-'}\t{self.time}\n"

    @classmethod
    def from_line(cls, line: str) -> FailedPage | None:
        columns = line.rstrip("\n").split("\t")
        if len(columns) != 4 or line.startswith("#"):
            return None
        url, status, error, time = columns
        return cls(
            url,
            int(status) if status.isdigit() else None,
            None if error == "-" else error,
            time,
        )

    def describe(self) -> str:
        parts = [f"HTTP {self.status}"] if self.status is not None else []
        if self.error:
            parts.append(self.error)
        return ", ".join(parts)


class FailedPages:
    """List every page given up on, in the log at close and in ``FAILED_URLS_FILE``."""

    def __init__(self, crawler: Crawler, path: Path, keep_earlier: bool):
        self.stats = crawler.stats
        self.path = path
        self.keep_earlier = keep_earlier  # a resumed JOBDIR job: earlier runs' pages stay listed
        self.pages: dict[str, FailedPage] = {}
        self.file: TextIO | None = None
        self.signals = crawler.signals
        self.watching_responses = False
        self.opened = self.closed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FailedPages:
        settings = crawler.settings
        path = Path(FailedPagesConfig.from_settings(settings).file or default_path(settings))
        jobdir = job_dir(settings)
        resuming = jobdir is not None and job_started(Path(jobdir))
        extension = cls(crawler, path, keep_earlier=resuming)
        crawler.signals.connect(extension.open, signal=signals.spider_opened)
        crawler.signals.connect(extension.close, signal=signals.spider_closed)
        crawler.signals.connect(extension.page_failed, signal=page_failed)
        crawler.signals.connect(extension.spider_error, signal=signals.spider_error)
        return extension

    def watch_responses(self) -> None:
        """Listen for pages that succeed after all, from the first page listed on: a signal
        receiver costs every response of the crawl, and most crawls list nothing."""
        if not self.watching_responses:
            self.signals.connect(self.response_received, signal=signals.response_received)
            self.watching_responses = True

    def open(self) -> None:
        self.opened = True
        if self.keep_earlier and self.path.exists():
            with self.path.open(encoding="utf-8") as earlier:
                for line in earlier:
                    if page := FailedPage.from_line(line):
                        self.pages[page.url] = page
        elif self.path.exists():
            # An earlier crawl's list: left in place it would pass for this crawl's.
            self.path.unlink()
        if self.pages:
            self.watch_responses()

    def _open_file(self) -> TextIO:
        """The file, created at the first page given up on: a crawl that gives up on nothing
        leaves none."""
        if self.file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Line-buffered: each failure reaches the file as it happens, so a crawl that is
            # killed still leaves its list behind.
            self.file = open(  # noqa: SIM115 (Path.open takes no opener)
                self.path, "a", encoding="utf-8", buffering=1, opener=private_opener
            )
            if self.file.tell() == 0:
                self.file.write(HEADER)
            logger.info("Pages given up on are listed in %s", self.path.resolve())
        return self.file

    def page_failed(self, url: str, status: int | None = None, error: str | None = None) -> None:
        previous = self.pages.get(url)
        if error is not None:
            error = " ".join(error.split())[:MAX_ERROR_LENGTH]
        if previous is not None:  # two reports of one give-up: keep what each one knew
            status = status if status is not None else previous.status
            error = error or previous.error
        page = FailedPage(url, status, error, datetime.now(UTC).isoformat(timespec="seconds"))
        self.pages[url] = page
        self.watch_responses()
        self.stats.inc_value("moviespider/failed_pages/reported")
        if self.opened and not self.closed:
            self._open_file().write(page.to_line())

    def spider_error(self, failure: Failure, response: Response | Failure) -> None:
        """A callback (or an errback: then ``response`` is the download's Failure) raised."""
        request = getattr(response, "request", None)
        if request is None:
            return
        error = failure.value
        self.page_failed(
            requested_url(request),
            status=getattr(response, "status", None),
            error=f"callback raised {type(error).__name__}: {error}",
        )

    def response_received(self, response: Response, request: Request) -> None:
        if self.pages and 200 <= response.status < 300:
            self.pages.pop(requested_url(request), None)

    def close(self, spider: Spider, reason: str) -> None:
        if not self.opened or self.closed:
            return  # the crawl never started: an earlier run's list stays as it was
        self.closed = True
        if self.file is not None:
            self.file.close()
            self.file = None
        if self.pages:
            self.rewrite()
        elif self.path.exists():  # every page listed came after all
            self.path.unlink()
        self.stats.set_value("moviespider/failed_pages", len(self.pages))
        self.stats.set_value("moviespider/failed_pages/file", str(self.path))
        if not self.pages:
            return
        listed = [f"    {page.url}  {page.describe()}" for page in self.pages.values()]
        more = len(listed) - SUMMARY_LINES
        if more > 0:
            listed = [*listed[:SUMMARY_LINES], f"    … and {more} more"]
        logger.warning(
            "%s given up on (listed in %s):\n%s",
            counted(len(self.pages), "page"),
            self.path.resolve(),
            "\n".join(listed),
            extra={"spider": spider},
        )

    def rewrite(self) -> None:
        """One line per URL (the appends may hold several, or pages that came later)."""
        partial = self.path.with_name(self.path.name + ".partial")
        with open(partial, "w", encoding="utf-8", opener=private_opener) as file:
            file.write(HEADER)
            file.writelines(page.to_line() for page in self.pages.values())
        os.replace(partial, self.path)


def default_path(settings: BaseSettings) -> Path:
    """Beside the first local feed (``films.jl`` → ``films.failed.tsv``), else the default."""
    return beside_first_feed(settings, ".failed.tsv") or Path(DEFAULT_FILE)
