"""Field coverage: the share of items that have each field, checked against thresholds.

A selector that stops matching makes a field None in every item; this is how the user learns
of it (docs/resume.md, "Field coverage"). Items are counted as they leave the pipelines, scraped
(from ``CountFields``, else ``item_scraped``) or dropped.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import CloseSpider

from moviespider.config import CoverageConfig, check_thresholds
from moviespider.items import MOVIE_FIELDS, item_fields
from moviespider.outcomes import CloseReason

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class FieldCoverage:
    """Count, per field, the items that have it; judge the counts against thresholds at the end."""

    def __init__(self, crawler: Crawler, thresholds: dict[str, float], min_items: int):
        self.crawler = crawler
        self.stats = crawler.stats
        self.thresholds = thresholds
        self.min_items = min_items
        self.items = 0
        self.present: Counter[str] = Counter()
        self.pipeline_counts = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FieldCoverage:
        config = CoverageConfig.from_settings(crawler.settings)
        thresholds = dict(config.thresholds)
        spider_thresholds = getattr(crawler.spidercls, "coverage_thresholds", None) or {}
        spider_name = getattr(crawler.spidercls, "name", crawler.spidercls.__name__)
        where = f"spider {spider_name} attribute coverage_thresholds"
        removed = {name for name, share in spider_thresholds.items() if share is None}
        thresholds |= check_thresholds(
            {name: share for name, share in spider_thresholds.items() if share is not None}, where
        )
        for name in removed:
            thresholds.pop(name, None)
        extension = cls(crawler, thresholds, config.min_items)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.count, signal=signals.item_dropped)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def counted_by_pipeline(self) -> None:
        """Called by the ``CountFields`` pipeline when it opens: it hands over scraped items."""
        self.pipeline_counts = True

    def spider_opened(self) -> None:
        if not self.pipeline_counts:
            self.crawler.signals.connect(self.count, signal=signals.item_scraped)

    def count(self, item: Any) -> None:
        self.items += 1
        self.present.update(
            name
            for name, value in item_fields(item).items()
            if value is not None and value != "" and value != []
        )

    def share(self, name: str) -> float:
        return self.present[name] / self.items if self.items else 0.0

    def low_fields(self) -> list[str]:
        """Fields below their threshold; none while there are too few items to judge."""
        if self.items < self.min_items or not self.items:
            return []
        return [name for name, minimum in self.thresholds.items() if self.share(name) < minimum]

    def spider_idle(self) -> None:
        # The crawl is about to end as "finished": say instead that its data is incomplete.
        if self.low_fields():
            raise CloseSpider(CloseReason.FIELD_COVERAGE_LOW)

    def spider_closed(self, spider: Spider) -> None:
        self.stats.set_value("moviespider/coverage/items", self.items)
        if not self.items:
            if self.thresholds:
                logger.warning(
                    "Field coverage: no items, nothing to check", extra={"spider": spider}
                )
            return
        names = list(dict.fromkeys([*MOVIE_FIELDS, *self.present, *self.thresholds]))
        names = [name for name in names if name in self.present or name in self.thresholds]
        for name in names:
            self.stats.set_value(f"moviespider/coverage/{name}", round(100 * self.share(name), 1))
        width = max(map(len, names))
        lines = []
        for name in names:
            line = f"    {name:<{width}} {100 * self.share(name):5.1f}%"
            if name in self.thresholds:
                line += f"  (threshold {100 * self.thresholds[name]:g}%)"
            lines.append(line)
        logger.info(
            "Field coverage over %d items:\n%s",
            self.items,
            "\n".join(lines),
            extra={"spider": spider},
        )
        if self.items < self.min_items:
            if self.thresholds:
                logger.info(
                    "Field coverage not judged: %d items, COVERAGE_MIN_ITEMS is %d",
                    self.items,
                    self.min_items,
                    extra={"spider": spider},
                )
            return
        low = self.low_fields()
        if low:
            self.stats.set_value("moviespider/coverage/low_fields", low)
        for name in low:
            logger.error(
                "Field coverage too low: %s in %.1f%% of %d items (threshold %g%%). Douban may "
                "have changed its markup: check the parser for %s against a fresh page.",
                name,
                100 * self.share(name),
                self.items,
                100 * self.thresholds[name],
                name,
                extra={"spider": spider},
            )
