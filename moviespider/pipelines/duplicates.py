"""One item per film per crawl."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from moviespider.items import item_fields


class DropDuplicates:
    """Drop a film already emitted in this crawl (same subject_id); the first one wins."""

    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler):
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        subject_id = item_fields(item)["subject_id"]
        if subject_id in self.seen:
            self.stats.inc_value("moviespider/duplicates_dropped")
            raise DropItem(f"duplicate film {subject_id}", log_level="DEBUG")
        self.seen.add(subject_id)
        return item
