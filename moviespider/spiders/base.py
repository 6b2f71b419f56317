"""What every Douban spider shares: the site's URLs, argument checks, and how items are made."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, ClassVar, TypeVar

import scrapy
from pydantic import Field
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from moviespider.items import MOVIE_FIELDS, Movie
from moviespider.outcomes import CloseReason
from moviespider.parsing import (
    PageCutShort,
    PageError,
    is_javascript_shell,
    parse_subject_page,
    subject_id_from_url,
)
from moviespider.signals import report_page_failed, requested_url
from moviespider.site import DoubanSite, canonical_subject_url
from moviespider.spiders.arguments import CitySlug, SpiderParams, params_model, parse_params

Parsed = TypeVar("Parsed")
FIELD_NAMES = frozenset(MOVIE_FIELDS)  # looked up for every parsed field
# Stats counted here and by the spiders.
DETAILS_MISSING_STAT = "moviespider/details_missing"
JAVASCRIPT_SHELLS_STAT = "moviespider/javascript_shells"


class DoubanSpider(scrapy.Spider):
    """Base class: builds every URL from ``DOUBAN_BASE_URL`` and makes Movie items.

    A subclass declares its arguments once, as ``Args[Model]`` (moviespider.spiders.arguments);
    ``scrapy crawl`` validates them before the crawl starts, so a bad one costs one line on
    stderr and no request. ``arguments()`` turns the validated model into the spider's attributes.
    """

    source: ClassVar[str]
    # With PLAYWRIGHT_ENABLED = 1, responses for these callbacks are rendered in the browser,
    # which waits for the element (CSS) the callback's parser needs; other requests (robots.txt)
    # keep Scrapy's downloader. See moviespider.addons.playwright.
    browser_pages: ClassVar[Mapping[str, str]] = {"parse_details": "#info"}

    def __init__(self, *args: Any, **kwargs: Any):
        params = parse_params(type(self), kwargs)
        super().__init__(*args, **params.model_dump())  # Scrapyd's own (_job) are not ours
        self.args = params  # where scrapy-spider-metadata's Args keeps them
        for name, value in self.arguments(params).items():
            setattr(self, name, value)

    @classmethod
    def arguments(cls, params: Any) -> dict[str, Any]:
        """The spider's attributes made from its validated arguments (by default, as given)."""
        return params.model_dump()

    @classmethod
    def args_model(cls) -> type[SpiderParams]:
        """The model of the arguments this spider takes."""
        return params_model(cls)

    @classmethod
    def check_arguments(cls, **kwargs: str) -> None:
        """Raise ConfigError, in one line, on a bad or unknown argument."""
        cls.arguments(parse_params(cls, kwargs))

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

        @site /subject/1292052/
        @cb_kwargs {"listed": {"subject_id": "1292052"}}
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
        own, merged = self.identify(listed["subject_id"], details, response)
        yield self.make_movie(listed, details, subject_id=own, merged_ids=merged)

    def identify(
        self, requested: str, details: dict[str, Any], response: Response
    ) -> tuple[str, list[str]]:
        """The film a subject page shows, by the page's own word (or the URL a redirect ended
        at), and the ids merged into it: Douban merges duplicate entries by redirecting the old
        id to the film kept, and a page served under the wrong id must not be stored under it."""
        own = details["subject_id"] or subject_id_from_url(response.url) or requested
        if own == requested:
            return own, []
        chain = [requested, *map(subject_id_from_url, response.meta.get("redirect_urls", ()))]
        merged = unique(i for i in chain if i and i != own)
        self.crawler.stats.inc_value("moviespider/subjects_merged", len(merged))
        self.logger.info(
            "Subject %s %s film %s: stored under %s, with %s merged into it",
            requested,
            "redirects to" if response.meta.get("redirect_urls") else "serves the page of",
            own,
            own,
            ", ".join(merged),
        )
        return own, merged

    async def details_failed(self, failure: Failure):
        request = failure.request
        if failure.check(IgnoreRequest) and request.meta.get("redirect_urls"):
            # RedirectMiddleware gives up on a redirect loop at DEBUG level and lists nothing.
            self.logger.error("Gave up on %s: %s", requested_url(request), failure.value)
            report_page_failed(self.crawler, requested_url(request), error=str(failure.value))
        if (movie := self.without_details(request.cb_kwargs["listed"])) is not None:
            yield movie

    def without_details(self, listed: dict[str, Any]) -> Movie | None:
        """The film as its list showed it, when its subject page cannot be had (counted)."""
        self.crawler.stats.inc_value(DETAILS_MISSING_STAT)
        return self.make_movie(listed)

    def read_page(
        self, response: Response, parse: Callable[[bytes], Parsed]
    ) -> Parsed | scrapy.Request | None:
        """What *parse* reads from the page; if it cannot, what ``page_unusable`` makes of it: a
        retry request, or None (the page is listed as failed)."""
        try:
            return parse(response.body)
        except PageError as error:
            return self.page_unusable(response, error)

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
        if not stats.get_value(JAVASCRIPT_SHELLS_STAT):
            self.logger.error(
                "%s is built by JavaScript in the browser; rerun with -s PLAYWRIGHT_ENABLED=1 to "
                "render such pages (docs/playwright.md)",
                response.url,
            )
        stats.inc_value(JAVASCRIPT_SHELLS_STAT)
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


class CityParams(SpiderParams):
    city: CitySlug = Field("beijing", description="Douban's city slug, as in the list's URL")


class CityListSpider(DoubanSpider):
    """A spider that reads one city's film list, then every listed film's subject page."""

    city: str

    browser_pages: ClassVar[Mapping[str, str]] = {
        **DoubanSpider.browser_pages,
        "parse_list": "#showing-soon, #nowplaying",  # the upcoming list, the now-showing list
    }

    def list_url(self) -> str:
        raise NotImplementedError

    def parse_list_page(self, html: bytes) -> list[dict[str, Any]]:
        raise NotImplementedError

    async def start(self):
        yield scrapy.Request(self.list_url(), callback=self.parse_list, errback=self.list_failed)

    def list_failed(self, failure: Failure) -> Failure:
        """A city Douban does not know has no list (a 404): say that the city is the likely
        mistake. The failure goes on as without this errback (the page is listed as given up
        on, Scrapy logs what it logs)."""
        if failure.check(HttpError) and failure.value.response.status == 404:
            self.logger.error(
                "Douban has no list for city %r (%s is not found): the city is Douban's slug "
                "for it, as in the list's URL (beijing, shanghai, guangzhou, …)",
                self.city,
                failure.request.url,
            )
        return failure

    async def parse_list(self, response: Response):
        """The city's list: one subject-page request per film.

        @site list_url
        @returns items 0 0
        @returns requests 1
        """
        films = self.read_page(response, self.parse_list_page)
        if not isinstance(films, list):
            if films is not None:
                yield films  # a retry
            return
        self.expected_items = len(films)  # the progress bar's total
        for listed in films:
            yield self.details_request({**listed, "city": self.city})


def unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
