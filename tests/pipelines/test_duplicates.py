"""DropDuplicates: a film seen once in a crawl is dropped the next time, and counted."""

import pytest
from scrapy.exceptions import DropItem
from scrapy.spiders import Spider
from scrapy.utils.test import get_crawler

from moviespider.pipelines.duplicates import DropDuplicates
from tests.helpers.components import movie


@pytest.fixture
def crawler():
    crawler = get_crawler(Spider)
    crawler.stats.open_spider()
    return crawler


def test_duplicates_are_dropped_once_seen(crawler):
    pipeline = DropDuplicates.from_crawler(crawler)
    first = movie()
    assert pipeline.process_item(first) is first
    pipeline.process_item(movie(subject_id="3541415"))
    with pytest.raises(DropItem):
        pipeline.process_item(movie(rank=1))
    assert crawler.stats.get_value("moviespider/duplicates_dropped") == 1
