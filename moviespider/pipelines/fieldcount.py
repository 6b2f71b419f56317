"""Hand every item that leaves the pipelines to the field-coverage extension."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured

from moviespider.extensions.coverage import FieldCoverage

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class CountFields:
    """Item pipeline: hands FieldCoverage each item that leaves the pipelines.

    It must come after every pipeline that may drop an item (settings.py puts it at 1000): an
    item a later pipeline dropped would be counted twice, here and by ``item_dropped``.
    """

    def __init__(self, coverage: FieldCoverage):
        self.coverage = coverage

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CountFields:
        coverage = crawler.get_extension(FieldCoverage)
        if coverage is None:
            raise NotConfigured("the FieldCoverage extension is off")
        coverage.counted_by_pipeline()
        return cls(coverage)

    def process_item(self, item: Any) -> Any:
        self.coverage.count(item)
        return item
