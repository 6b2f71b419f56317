"""The Redis frontier's scripts: one atomic step each, leases that come back, bounded memory."""

from __future__ import annotations

import time

from moviespider.frontier.store import Frontier


def test_a_request_is_queued_once_however_often_it_is_enqueued(frontier: Frontier):
    assert frontier.enqueue(b"request-a", 0, b"fp-a") is True
    assert frontier.enqueue(b"request-a again", 0, b"fp-a") is False
    assert frontier.queued() == 1
    assert frontier.status().seen == 1


def test_an_unfiltered_request_is_queued_without_a_fingerprint(frontier: Frontier):
    assert frontier.enqueue(b"retry", 0, None)
    assert frontier.enqueue(b"retry 2", 0, None)
    assert frontier.queued() == 2
    assert frontier.status().seen == 0


def test_the_highest_priority_is_taken_first_and_leased(frontier: Frontier):
    frontier.enqueue(b"low", 0, b"1")
    frontier.enqueue(b"high", -5, b"2")  # scrapy-redis scores are -priority
    lease, request = frontier.take("worker-a", 60_000)
    assert request == b"high"
    assert lease.startswith("worker-a:")
    status = frontier.status()
    assert status.queued == 1 and status.leased == {"worker-a": 1} and status.expired == 0


def test_an_acknowledged_request_is_done(frontier: Frontier):
    frontier.enqueue(b"a", 0, b"1")
    lease, _ = frontier.take("w", 60_000)
    assert frontier.ack([lease]) == 1
    assert frontier.ack([lease]) == 0  # once
    status = frontier.status()
    assert status.done == 1 and status.leased == {} and frontier.outstanding() == 0


def test_an_expired_lease_is_requeued_with_its_priority(frontier: Frontier):
    frontier.enqueue(b"a", -3, b"1")
    frontier.enqueue(b"b", 0, b"2")
    lease, _ = frontier.take("dead-worker", 50)
    time.sleep(0.2)
    assert frontier.status().expired == 1
    assert frontier.requeue_expired() == 1
    assert frontier.ack([lease]) == 0  # the dead worker's late acknowledgement changes nothing
    assert frontier.take("w", 60_000)[1] == b"a"  # still first
    assert frontier.status().requeued == 1


def test_a_renewed_lease_does_not_expire(frontier: Frontier):
    frontier.enqueue(b"a", 0, b"1")
    lease, _ = frontier.take("w", 300)
    for _ in range(4):
        time.sleep(0.1)
        assert frontier.renew([lease], 300) == 1
    assert frontier.requeue_expired() == 0


def test_the_film_budget_counts_each_film_once_up_to_the_limit(frontier: Frontier):
    # A film taken before may be requested again (a worker may have died before queueing it);
    # the seen-set keeps its request once.
    assert [frontier.take_film(i, 3) for i in ("1", "2", "1", "3", "4", "2")] == [
        True,
        True,
        True,
        True,
        False,
        True,
    ]
    assert frontier.status().films == 3


def test_memory_per_queued_request_and_per_fingerprint(frontier: Frontier):
    from scrapy import Request
    from scrapy.utils.test import get_crawler

    from moviespider.frontier.serializer import SiteRelativeSerializer

    crawler = get_crawler(settings_dict={"DOUBAN_BASE_URL": "http://127.0.0.1:8050"})
    fingerprinter = crawler.request_fingerprinter
    serializer = SiteRelativeSerializer("http://127.0.0.1:8050")
    pipe_size = 20_000
    for n in range(pipe_size):
        request = Request(
            f"http://127.0.0.1:8050/subject/{10_000_000 + n}/",
            cb_kwargs={"subject_id": str(10_000_000 + n), "depth": 3},
        )
        data = serializer.dumps({**request.to_dict(), "callback": "parse_film"})
        frontier.enqueue(data, 0, fingerprinter.fingerprint(request))
    status = frontier.status()
    assert status.bytes_per_queued is not None and status.bytes_per_queued <= 400
    assert status.bytes_per_fingerprint is not None and status.bytes_per_fingerprint <= 120
