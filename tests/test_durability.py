"""The durability tracker: the watermark over several sinks, item numbers, stamps."""

import logging

import pytest
from scrapy.utils.test import get_crawler

from moviespider.durability import DurabilityTracker, NumberItems
from moviespider.signals import items_durable


def numbered(tracker, count):
    pipeline = NumberItems(tracker)
    for _ in range(count):
        pipeline.process_item(object())
    return tracker.issued


def test_without_sinks_everything_issued_is_durable():
    tracker = DurabilityTracker()
    assert tracker.watermark == 0
    assert numbered(tracker, 3) == 3
    assert tracker.watermark == 3


def test_the_watermark_is_the_slowest_sink():
    tracker = DurabilityTracker()
    feed, storage = tracker.sink("feed"), tracker.sink("storage")
    numbered(tracker, 2)
    storage.hold(tracker.issued)  # item 2 reached the storage, not committed
    numbered(tracker, 3)
    storage.hold(tracker.issued)  # item 5 too; the oldest held stays 2
    assert feed.durable_up_to() == 5
    assert tracker.watermark == 1  # a request stamped 2 or more waits
    storage.release(5)  # a batch up to item 4 committed; 5 pending
    assert tracker.watermark == 4
    storage.release(None)
    assert tracker.watermark == 5


def test_items_dropped_before_a_sink_hold_nothing_back():
    tracker = DurabilityTracker()
    tracker.sink("storage")
    numbered(tracker, 10)  # all dropped by a pipeline before the storage
    assert tracker.watermark == 10


def test_out_of_order_commits_release_only_up_to_the_oldest_pending():
    tracker = DurabilityTracker()
    storage = tracker.sink("storage")
    numbered(tracker, 1)
    storage.hold(1)
    numbered(tracker, 1)
    # A later batch committed while item 1 failed and went back to pending: it still holds.
    storage.release(1)
    assert tracker.watermark == 0
    storage.release(None)
    assert tracker.watermark == 2


def test_a_failed_sink_holds_the_watermark_and_says_so():
    crawler = get_crawler()
    crawler.stats.open_spider()
    tracker = DurabilityTracker.of(crawler)
    assert DurabilityTracker.of(crawler) is tracker
    feed = tracker.sink("feed films.jsonl")
    numbered(tracker, 4)
    feed.fail("write failed: No space left on device")
    numbered(tracker, 4)
    assert tracker.watermark < 0
    assert crawler.stats.get_value("moviespider/durability/failed/feed films.jsonl") == (
        "write failed: No space left on device"
    )


@pytest.mark.parametrize(("reported", "level"), [(False, logging.WARNING), (True, logging.DEBUG)])
def test_a_failure_its_owner_reported_is_not_said_twice(caplog, reported, level):
    tracker = DurabilityTracker()
    feed = tracker.sink("feed films.jsonl")
    with caplog.at_level(logging.DEBUG, logger="moviespider.durability"):
        feed.fail("short write", reported=reported)
        feed.fail("short write again", reported=reported)  # the first failure is the one
    [record] = caplog.records
    assert record.levelno == level
    assert record.getMessage().startswith("Items may not have reached feed films.jsonl (short ")
    assert tracker.watermark < 0


def test_releasing_sends_items_durable_with_the_watermark():
    crawler = get_crawler()
    tracker = DurabilityTracker.of(crawler)
    storage = tracker.sink("storage")
    received = []
    crawler.signals.connect(lambda watermark: received.append(watermark), items_durable, weak=False)
    numbered(tracker, 3)
    storage.hold(3)
    storage.release(None)
    assert received == [3]
