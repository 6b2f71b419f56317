"""Every test here runs the real `scrapy crawl` (or Scrapyd, or a whole session): the crawl tier."""

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.parent.name == "crawl":
            item.add_marker(pytest.mark.crawl)
