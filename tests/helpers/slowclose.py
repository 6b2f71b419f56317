"""A last item pipeline whose close takes a minute, so a test can kill a crawl while it closes.

It touches the file named by the ``TEST_CLOSING_MARKER`` setting when the pipelines start
closing (Scrapy closes them in parallel, before the scheduler).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class SlowClose:
    def __init__(self, marker: Path):
        self.marker = marker

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SlowClose:
        return cls(Path(crawler.settings["TEST_CLOSING_MARKER"]))

    def process_item(self, item: Any) -> Any:
        return item

    async def close_spider(self) -> None:
        self.marker.touch()
        await asyncio.sleep(60)
