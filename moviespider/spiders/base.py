"""What every Douban spider shares: the site's URLs, argument checks, and how items are made."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, ClassVar

import scrapy
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import CloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from moviespider.errors import ConfigError
from moviespider.items import MOVIE_FIELDS, Movie
from moviespider.outcomes import CloseReason
from moviespider.parsing import PageCutShort, PageError, is_javascript_shell, parse_subject_page
from moviespider.signals import report_page_failed, requested_url
from moviespider.site import DoubanSite, canonical_subject_url

SUBJECT_ID = re.compile(r"\d+")
CITY_SLUG = re.compile(r"[a-z][a-z0-9-]*")
FIELD_NAMES = frozenset(MOVIE_FIELDS)  # looked up for every parsed field


class DoubanSpider(scrapy.Spider):
    """Base class: builds every URL from ``DOUBAN_BASE_URL`` and makes Movie items.

    A subclass documents its arguments in its docstring and validates them in ``parse_arguments``,
    which ``scrapy crawl`` also calls before the crawl starts (see moviespider.commands.crawl), so
    a bad argument costs one line on stderr and no request.
    """

    source: ClassVar[str]
    # With PLAYWRIGHT_ENABLED = 1, responses for these callbacks are rendered in the browser,
    # which waits for the element (CSS) the callback's parser needs; other requests (robots.txt)
    # keep Scrapy's downloader. See moviespider.addons.playwright.
    browser_pages: ClassVar[Mapping[str, str]] = {"parse_details": "#info"}

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name, value in self.parse_arguments(**kwargs).items():
            setattr(self, name, value)

    @classmethod
    def parse_arguments(cls, **kwargs: str) -> dict[str, Any]:
        """Validated spider arguments, as attributes to set; raise ConfigError on a bad one.

        Arguments a spider does not know are left alone: Scrapyd passes its own (``_job``).
        """
        return {}

    @classmethod
    def check_arguments(cls, **kwargs: str) -> None:
        cls.parse_arguments(**kwargs)

    @cached_property
    def site(self) -> DoubanSite:
        # Read when the crawl starts, not in from_crawler: add-ons (the sandbox) set
        # DOUBAN_BASE_URL after the spider is made. MoviespiderAddon has validated it.
        return DoubanSite(self.crawler.settings["DOUBAN_BASE_URL"])

    def details_request(self, listed: dict[str, Any]) -> scrapy.Request:
        """Request a listed film's subject page; the film is yielded even if that page fails."""
        return scrapy.Request(
            self.site.subject_url(listed["subject_id"]),
            callback=self.parse_details,
            errback=self.details_failed,
            cb_kwargs={"listed": listed},
        )

    async def parse_details(self, response: Response, listed: dict[str, Any]):
        """A film's subject page (the sandbox's top-ranked film for `scrapy check`).

        @site /subject/1692248/
        @cb_kwargs {"listed": {"subject_id": "1692248"}}
        @returns items 1 1
        @scrapes subject_id url title year kind genres countries summary
        """
        try:
            details = parse_subject_page(response.body)
        except PageError as error:
            fallback = self.page_unusable(response, error) or self.without_details(listed)
            if fallback is not None:
                yield fallback
            return
        yield self.make_movie(listed, details, subject_id=listed["subject_id"])

    async def details_failed(self, failure: Failure):
        if (movie := self.without_details(failure.request.cb_kwargs["listed"])) is not None:
            yield movie

    def without_details(self, listed: dict[str, Any]) -> Movie | None:
        """The film as its list showed it, when its subject page cannot be had (counted)."""
        self.crawler.stats.inc_value("moviespider/details_missing")
        return self.make_movie(listed)

    def page_unusable(self, response: Response, error: PageError) -> scrapy.Request | None:
        """A page arrived but is not the page we asked for (a parser raised PageError).

        A page cut short is asked for again, within RETRY_TIMES, as Scrapy retries a failed
        download: the retry request is returned for the callback to yield. Any other unusable
        page, or one cut short too often, is listed with the pages given up on
        (moviespider.signals.page_failed) and None is returned.
        """
        if isinstance(error, PageCutShort):
            retry = get_retry_request(response.request, spider=self, reason="page cut short")
            if retry is not None:
                return retry
        self.stop_on_javascript_shell(response)
        self.crawler.stats.inc_value("moviespider/pages_unusable")
        self.logger.error("Unusable page %s: %s", response.url, error)
        report_page_failed(
            self.crawler,
            requested_url(response.request) if response.request else response.url,
            status=response.status,
            error=f"unusable page: {error}",
        )

    def stop_on_javascript_shell(self, response: Response) -> None:
        """Close the crawl with one hint when a page is a shell for JavaScript to fill and no
        browser rendered it: neither will the rest of the site be readable."""
        if "playwright" in response.flags or not is_javascript_shell(response.body):
            return
        stats = self.crawler.stats
        if not stats.get_value("moviespider/javascript_shells"):
            self.logger.error(
                "%s is built by JavaScript in the browser; rerun with -s PLAYWRIGHT_ENABLED=1 to "
                "render such pages (docs/playwright.md)",
                response.url,
            )
        stats.inc_value("moviespider/javascript_shells")
        raise CloseSpider(CloseReason.JAVASCRIPT_REQUIRED)

    def make_movie(self, *sources: Mapping[str, Any], **fields: Any) -> Movie:
        """A Movie from parsed field mappings: later sources fill or replace earlier ones.

        A value a later source does not have (None or []) never erases one an earlier source
        had: a subject page without a rating keeps the list page's rating.
        """
        merged: dict[str, Any] = {}
        for source in (*sources, fields):
            for name, value in source.items():
                if value is None or value == [] or name not in FIELD_NAMES:
                    continue
                merged[name] = value
        subject_id = merged["subject_id"]
        merged["url"] = canonical_subject_url(subject_id)
        merged["source"] = self.source
        merged["crawled_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        return Movie(**merged)


class CityListSpider(DoubanSpider):
    """A spider that reads one city's film list, then every listed film's subject page."""

    browser_pages: ClassVar[Mapping[str, str]] = {
        **DoubanSpider.browser_pages,
        "parse_list": "#showing-soon, #nowplaying",  # the upcoming list, the now-showing list
    }

    @classmethod
    def parse_arguments(cls, city: str = "beijing", **kwargs: str) -> dict[str, Any]:
        if not CITY_SLUG.fullmatch(city):
            raise ConfigError(
                f"argument city: {city!r} is not a Douban city slug (lowercase, like 'shanghai')"
            )
        return {"city": city}

    def list_url(self) -> str:
        raise NotImplementedError

    def parse_list_page(self, html: bytes) -> list[dict[str, Any]]:
        raise NotImplementedError

    async def start(self):
        yield scrapy.Request(self.list_url(), callback=self.parse_list)

    async def parse_list(self, response: Response):
        """The city's list: one subject-page request per film.

        @site list_url
        @returns items 0 0
        @returns requests 1
        """
        try:
            films = self.parse_list_page(response.body)
        except PageError as error:
            if retry := self.page_unusable(response, error):
                yield retry
            return
        self.expected_items = len(films)  # the progress bar's total
        for listed in films:
            yield self.details_request({**listed, "city": self.city})


def check_subject_id(value: str, argument: str) -> str:
    value = value.strip()
    if not SUBJECT_ID.fullmatch(value):
        raise ConfigError(
            f"argument {argument}: {value!r} is not a Douban subject id (digits only)"
        )
    return value


def check_flag(value: str, argument: str) -> bool:
    if value not in ("0", "1"):
        raise ConfigError(f"argument {argument}: expected 0 or 1, got {value!r}")
    return value == "1"


def unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
