"""The contract of the frontier's queue with the installed scrapy-redis: LeasedQueue is its
PriorityQueue (constructor, key, scores) and uses its private ``_encode_request`` and
``_decode_request``; a scrapy-redis that changed them fails here, not in a crawl."""

from scrapy import Request

from moviespider.frontier.scheduler import LeasedQueue
from moviespider.frontier.serializer import SiteRelativeSerializer
from moviespider.spiders.douban_catalog import DoubanCatalogSpider

SITE = "http://127.0.0.1:8050"


def test_a_queued_request_is_taken_whole_with_its_callbacks_and_once(frontier):
    spider = DoubanCatalogSpider()
    queue = LeasedQueue(frontier, spider, SiteRelativeSerializer(SITE))
    request = Request(
        f"{SITE}/subject/1292052/",
        callback=spider.parse_film,
        errback=spider.film_failed,
        cb_kwargs={"subject_id": "1292052", "depth": 1},
        priority=5,
    )
    low = Request(f"{SITE}/subject/1291546/", callback=spider.parse_film, priority=-1)
    assert queue.push_filtered(low, b"fp-low")
    assert queue.push_filtered(request, b"fp")
    assert not queue.push_filtered(request, b"fp")  # seen: not queued twice
    assert len(queue) == 2  # scrapy-redis's own count of its sorted set

    lease, taken = queue.take("worker", 60_000)
    assert lease.startswith("worker:")
    assert taken.url == request.url  # the highest priority first
    assert (taken.callback, taken.errback) == (spider.parse_film, spider.film_failed)
    assert (taken.cb_kwargs, taken.priority) == (request.cb_kwargs, 5)
    assert frontier.status().leased == {"worker": 1}
