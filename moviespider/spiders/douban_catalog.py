from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any, ClassVar, Protocol

import scrapy
from pydantic import Field, field_validator
from scrapy.http import Response
from scrapy.utils.misc import load_object
from scrapy_spider_metadata import Args
from twisted.python.failure import Failure

from moviespider.config import LaterConfig, Top250Config
from moviespider.parsing import (
    PageError,
    parse_later_page,
    parse_nowplaying_page,
    parse_subject_page,
    parse_top250_page,
)
from moviespider.spiders.arguments import SubjectIdsParams
from moviespider.spiders.base import DETAILS_MISSING_STAT, DoubanSpider
from moviespider.spiders.douban_later import reference_date
from moviespider.spiders.douban_top250 import PAGE_SIZE

SEED_LISTS = ("top250", "later", "nowplaying")


class CatalogParams(SubjectIdsParams):
    seeds: str = Field(
        "top250",
        description="comma-separated lists to start from: top250, later, nowplaying (or none)",
    )
    cities: str = Field("beijing", description="comma-separated city slugs for later/nowplaying")
    max_films: int = Field(1000, ge=0, description="stop finding films after this many (0: all)")
    depth: int | None = Field(
        None,
        ge=0,
        description="follow recommendations this many steps from a seed (default: no limit)",
    )

    @field_validator("seeds")
    @classmethod
    def _check_seeds(cls, seeds: str) -> str:
        for seed in filter(None, (s.strip() for s in seeds.split(","))):
            if seed not in (*SEED_LISTS, "none"):
                raise ValueError(f"{seed!r} is not one of {', '.join(SEED_LISTS)}, none")
        return seeds


class FilmBudget(Protocol):
    """Which films a catalog crawl may still request: at most ``max_films`` different ones. A
    film taken before may be requested again: the duplicate filter keeps each request once."""

    def take(self, subject_id: str) -> bool: ...


class LocalFilmBudget:
    """The budget of one process: the ids it has taken, in memory."""

    def __init__(self, max_films: int):
        self.max_films = max_films
        self.taken: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any, max_films: int) -> LocalFilmBudget:
        return cls(max_films)

    def take(self, subject_id: str) -> bool:
        if not self.max_films:
            return True  # no budget: nothing to count (the duplicate filter keeps each film once)
        if subject_id in self.taken:
            return True  # the duplicate filter keeps it once; a retry of its page may need it
        if len(self.taken) >= self.max_films:
            return False
        self.taken.add(subject_id)
        return True


class DoubanCatalogSpider(DoubanSpider, Args[CatalogParams]):
    """The catalog, found through every film's recommendations: one item per film, each once.

    Films are found in the seed lists and ids, then in each subject page's "喜欢这部电影的人也喜欢"
    block; every item comes from the film's own subject page.

    Arguments (CatalogParams): seeds, cities, ids, ids_file, max_films (default 1000; 0 for no
    limit), depth (recommendation steps from a seed; default no limit).

    Settings:
        CATALOG_FILM_BUDGET: the class that decides which films are still taken (one process's
            memory by default; the distributed frontier shares one in Redis).
    """

    name = "douban_catalog"
    source = "catalog"
    browser_pages: ClassVar[dict[str, str]] = {
        "parse_film": "#info",
        "parse_seed_list": "ol.grid_view, #showing-soon, #nowplaying",
    }

    seeds: str
    cities: str
    ids: str | None
    ids_file: str | None
    max_films: int
    depth: int | None

    @classmethod
    def arguments(cls, params: Any) -> dict[str, Any]:
        return {
            **params.model_dump(),
            "seed_lists": [s.strip() for s in params.seeds.split(",") if s.strip() in SEED_LISTS],
            "seed_cities": [c.strip() for c in params.cities.split(",") if c.strip()],
            "seed_ids": params.subject_ids(),
        }

    @cached_property
    def budget(self) -> FilmBudget:
        budget_class = load_object(self.crawler.settings["CATALOG_FILM_BUDGET"])
        return budget_class.from_crawler(self.crawler, self.max_films)

    async def start(self):
        settings = self.crawler.settings
        if self.max_films:
            self.expected_items = self.max_films  # the progress bar's total
        for subject_id in self.seed_ids:
            if request := self.film_request(subject_id, depth=0):
                yield request
        if "top250" in self.seed_lists:
            size = Top250Config.from_settings(settings).size
            for start in range(0, size, PAGE_SIZE):
                yield self.seed_request(self.site.top250_url(start), "top250")
        for city in self.seed_cities:
            if "later" in self.seed_lists:
                yield self.seed_request(self.site.later_url(city), "later")
            if "nowplaying" in self.seed_lists:
                yield self.seed_request(self.site.nowplaying_url(city), "nowplaying")

    def seed_request(self, url: str, kind: str) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_seed_list, cb_kwargs={"kind": kind})

    @cached_property
    def list_parsers(self) -> dict[str, Callable[[bytes], list[dict[str, Any]]]]:
        day = reference_date(LaterConfig.from_settings(self.crawler.settings))
        return {
            "top250": parse_top250_page,
            "later": lambda html: parse_later_page(html, day),
            "nowplaying": parse_nowplaying_page,
        }

    def film_request(self, subject_id: str, depth: int) -> scrapy.Request | None:
        """The subject page of a film found at ``depth``, if the budget still takes it."""
        if not self.budget.take(subject_id):
            return None
        return scrapy.Request(
            self.site.subject_url(subject_id),
            callback=self.parse_film,
            errback=self.film_failed,
            cb_kwargs={"subject_id": subject_id, "depth": depth},
        )

    async def parse_seed_list(self, response: Response, kind: str):
        """A seed list (top250, later, nowplaying): a subject-page request per film it shows.

        @site /top250?start=0&filter=
        @cb_kwargs {"kind": "top250"}
        @returns items 0 0
        @returns requests 25 25
        """
        films = self.read_page(response, self.list_parsers[kind])
        if not isinstance(films, list):
            if films is not None:
                yield films  # a retry
            return
        for film in films:
            if request := self.film_request(film["subject_id"], depth=0):
                yield request

    async def parse_film(self, response: Response, subject_id: str, depth: int):
        """A film's subject page: its item, and a request for each film it recommends.

        @site /subject/1292052/
        @cb_kwargs {"subject_id": "1292052", "depth": 0}
        @returns items 1 1
        @returns requests 10 10
        @scrapes subject_id url title year kind genres countries summary
        """
        try:
            details = parse_subject_page(response.body, recommendations=True)
        except PageError as error:
            if retry := self.page_unusable(response, error):
                yield retry
            else:
                self.crawler.stats.inc_value(DETAILS_MISSING_STAT)
            return
        own, merged = self.identify(subject_id, details, response)
        yield self.make_movie(details, subject_id=own, merged_ids=merged)
        if self.depth is None or depth < self.depth:
            for recommended in details["recommended_ids"]:
                if request := self.film_request(recommended, depth + 1):
                    yield request

    def film_failed(self, failure: Failure) -> None:
        # Nothing is known of the film but its id: the page is listed with those given up on.
        self.crawler.stats.inc_value(DETAILS_MISSING_STAT)
