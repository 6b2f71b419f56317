"""The contract of moviespider/internals.py with the installed Scrapy."""

from __future__ import annotations

import pytest
from scrapy import signals
from scrapy.utils.signal import getAllReceivers, liveReceivers
from scrapy.utils.test import get_crawler

from moviespider.internals import InternalsChanged, take_over_item_scraped


def item_scraped_receivers(crawler) -> list:
    return list(liveReceivers(getAllReceivers(crawler.signals.sender, signals.item_scraped)))


@pytest.fixture
def crawler(tmp_path):
    crawler = get_crawler(
        settings_dict={"FEEDS": {str(tmp_path / "items.jsonl"): {"format": "jsonlines"}}}
    )
    assert crawler.extensions is not None  # the feed exporter and CoreStats are built
    return crawler


def test_the_feed_exporter_and_core_stats_are_taken_off_item_scraped_and_called_directly(crawler):
    seen = []

    def other_receiver(item):  # e.g. Spidermon's
        seen.append(item)

    crawler.signals.connect(other_receiver, signal=signals.item_scraped)
    before = item_scraped_receivers(crawler)
    assert len(before) == 3

    scraped = take_over_item_scraped(crawler)

    assert item_scraped_receivers(crawler) == [other_receiver]  # others keep listening
    crawler.stats.open_spider()
    scraped({"title": "肖申克的救赎"})
    assert crawler.stats.get_value("item_scraped_count") == 1
    assert seen == []  # the signal was not sent: the item went to the feed and stats only


def test_a_second_takeover_fails_with_one_clear_error(crawler):
    take_over_item_scraped(crawler)
    with pytest.raises(InternalsChanged, match=r"FeedExporter\.item_scraped is not"):
        take_over_item_scraped(crawler)
