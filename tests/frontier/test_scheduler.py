"""The frontier scheduler's own shortcuts, on a frontier of the test's own."""

from __future__ import annotations

from scrapy import Request
from scrapy.utils.test import get_crawler

from moviespider.config import DistributedConfig
from moviespider.frontier import scheduler as frontier_scheduler
from moviespider.frontier.scheduler import FrontierScheduler, LeasedQueue
from moviespider.frontier.serializer import SiteRelativeSerializer
from moviespider.spiders.douban_catalog import DoubanCatalogSpider

SITE = "http://127.0.0.1:8050"


class CountingQueue(LeasedQueue):
    pushed = 0

    def push_filtered(self, request, fingerprint):
        self.pushed += 1
        return super().push_filtered(request, fingerprint)


def scheduler_on(frontier) -> tuple[FrontierScheduler, CountingQueue]:
    crawler = get_crawler(DoubanCatalogSpider)
    crawler.stats.open_spider()
    config = DistributedConfig.from_settings(crawler.settings)
    scheduler = FrontierScheduler(crawler, config)
    spider = DoubanCatalogSpider()
    scheduler.queue = CountingQueue(frontier, spider, SiteRelativeSerializer(SITE))
    return scheduler, scheduler.queue


def film(subject_id: str) -> Request:
    return Request(f"{SITE}/subject/{subject_id}/")


def test_a_request_this_worker_saw_before_costs_no_round_trip(frontier):
    scheduler, queue = scheduler_on(frontier)
    assert scheduler.enqueue_request(film("1292052")) is True
    assert scheduler.enqueue_request(film("1292052")) is False
    assert queue.pushed == 1
    assert frontier.queued() == 1


def test_a_request_another_worker_queued_is_asked_once_then_known(frontier):
    other, _ = scheduler_on(frontier)
    other.enqueue_request(film("1292052"))
    scheduler, queue = scheduler_on(frontier)
    assert scheduler.enqueue_request(film("1292052")) is False  # Redis says: seen
    assert scheduler.enqueue_request(film("1292052")) is False
    assert queue.pushed == 1


def test_what_it_knows_stays_bounded(frontier, monkeypatch):
    monkeypatch.setattr(frontier_scheduler, "KNOWN_FINGERPRINTS", 3)
    scheduler, queue = scheduler_on(frontier)
    for subject_id in ("1", "2", "3", "4"):
        scheduler.enqueue_request(film(subject_id))
    assert len(scheduler.known) == 1  # emptied when full, then the fourth
    assert scheduler.enqueue_request(film("1")) is False  # forgotten here, still seen in Redis
    assert queue.pushed == 5
    assert frontier.queued() == 4


def test_a_request_that_is_never_filtered_is_always_queued(frontier):
    scheduler, queue = scheduler_on(frontier)
    retry = film("1292052").replace(dont_filter=True)
    assert scheduler.enqueue_request(retry) and scheduler.enqueue_request(retry)
    assert queue.pushed == 2 and not scheduler.known
