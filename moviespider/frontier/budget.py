"""douban_catalog's film budget shared by every worker of a distributed crawl."""

from __future__ import annotations

from typing import TYPE_CHECKING

from moviespider.config import DistributedConfig
from moviespider.frontier.store import REDIS_DOWN, Frontier, redis_client

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class RedisFilmBudget:
    """At most ``max_films`` films across workers (a Redis set); with no budget (0) every film
    is taken without asking Redis: the shared duplicate filter keeps each film once, and a
    round trip for each recommended film was a sixth of a worker's CPU."""

    def __init__(self, frontier: Frontier, max_films: int):
        self.frontier = frontier
        self.max_films = max_films
        self.taken_while_down: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, max_films: int) -> RedisFilmBudget:
        config = DistributedConfig.from_settings(crawler.settings)
        assert config.url is not None  # the add-on sets this budget only then
        assert crawler.spider is not None
        crawl = config.crawl or crawler.spider.name
        return cls(Frontier(redis_client(config.url), crawl), max_films)

    def take(self, subject_id: str) -> bool:
        if not self.max_films:
            return True
        try:
            if self.taken_while_down:
                for taken in list(self.taken_while_down):
                    self.frontier.take_film(taken, 0)
                    self.taken_while_down.discard(taken)
            return self.frontier.take_film(subject_id, self.max_films)
        except REDIS_DOWN:
            # The film is taken, so nothing is lost; the shared seen-set still keeps it once.
            # What an outage costs: max_films may be passed by the films found meanwhile.
            self.taken_while_down.add(subject_id)
            return True
