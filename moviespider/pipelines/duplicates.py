"""One item per film per crawl, but for one that records a merge."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from moviespider.items import item_fields

# What a film without merged ids records: one shared empty set, not a set of its own each (an
# empty set is 216 bytes, the most of what the crawl kept per film: docs/performance.md).
NO_MERGED_IDS: frozenset[str] = frozenset()


class DropDuplicates:
    """Drop a film already emitted in this crawl (same subject_id); the first one wins.

    A later copy that names ids merged into the film (``merged_ids``) which no earlier copy
    named passes, carrying them: the first copy may already be in the feed, and the merge of an
    old id into a film crawled under its own id must not vanish with the duplicate. Its
    ``merged_ids`` then hold every merged id seen so far for the film.
    """

    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats
        # subject_id of each film seen -> its merged ids
        self.merged: dict[str, set[str] | frozenset[str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler):
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        fields = item_fields(item)
        subject_id = fields["subject_id"]
        merged_ids = fields.get("merged_ids") or []
        recorded = self.merged.get(subject_id)
        if recorded is None:
            self.merged[subject_id] = set(merged_ids) if merged_ids else NO_MERGED_IDS
            return item
        if recorded.issuperset(merged_ids):
            self.stats.inc_value("moviespider/duplicates_dropped")
            raise DropItem(f"duplicate film {subject_id}", log_level="DEBUG")
        recorded = self.merged[subject_id] = recorded | set(merged_ids)
        fields["merged_ids"] = sorted(recorded)
        self.stats.inc_value("moviespider/duplicates_kept_for_merge")
        return item
