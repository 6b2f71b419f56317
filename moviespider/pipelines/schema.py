"""Spidermon's item validation against the Movie JSON Schema, on a sample of the items."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from spidermon.contrib.scrapy.pipelines import ItemValidationPipeline

from moviespider.config import get_int

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class SampledItemValidation(ItemValidationPipeline):
    """Validate one item in ``SCHEMA_VALIDATION_SAMPLE``: jsonschema costs about as much as the
    rest of the crawl per item (docs/performance.md), and a parser's drift shows in any sample
    (ValidateMovie already checks every item's types)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        pipeline = super().from_crawler(crawler)
        pipeline.every = get_int(crawler.settings, "SCHEMA_VALIDATION_SAMPLE", minimum=1)
        pipeline.seen = 0
        return pipeline

    def process_item(self, item: Any, spider: Any = None) -> Any:
        self.seen += 1
        if (self.seen - 1) % self.every:
            return item
        return super().process_item(item)
