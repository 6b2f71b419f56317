"""`DISTRIBUTED = redis://…`: share the crawl's frontier with other workers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings


class DistributedAddon:
    """Put the crawl's requests, seen-set and film budget in Redis, taken on leases."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DistributedAddon:
        if not crawler.settings.get("DISTRIBUTED"):
            raise NotConfigured
        return cls()

    def update_settings(self, settings: BaseSettings) -> None:
        # Imported here: redis is needed only by a distributed crawl.
        from moviespider.config import DistributedConfig
        from moviespider.frontier.store import reachable_client

        config = DistributedConfig.from_settings(settings)  # refuses a JOBDIR too
        assert config.url is not None  # from_crawler: the add-on is on only with DISTRIBUTED
        reachable_client(config)
        # "spider" priority: above settings.py's crash-safe scheduler, below -s on the command line.
        settings.set("SCHEDULER", "moviespider.frontier.scheduler.FrontierScheduler", "spider")
        settings.set("CATALOG_FILM_BUDGET", "moviespider.frontier.budget.RedisFilmBudget", "spider")
