"""A request is finished only when its items are durable in every sink.

Every item entering the item pipelines is numbered (:class:`NumberItems`, the first pipeline:
``tracker.issued`` goes up by one). Each sink (a feed, the database) registers a :class:`Sink`
and tells it the number of the oldest item it holds that is not durable yet (``hold``), and when
that changes (``release``, after a COMMIT, a write to the OS, a fallback file fsync'd). The
**watermark** is the minimum over the sinks: a sink holding nothing counts as durable up to
``tracker.issued``; a failed sink holds everything from its failure on.

A consumer stamps a request with ``tracker.issued`` when the engine is done with it (its items
have then all been numbered and have all reached every sink or been dropped) and treats it as
finished once ``stamp <= tracker.watermark``. The watermark is re-read each time, not cached: an
item still in the pipelines may reach a sink later and lower it, which is right, since the
request of that item is not finished yet. Whenever a sink releases items the tracker sends
:data:`moviespider.signals.items_durable` (argument ``watermark``).

Both frontiers of a crawl use :class:`FinishedRequests` for that: the crash-safe JOBDIR retires a
journal row, the distributed one acknowledges a lease.

API (all of it)::

    tracker = DurabilityTracker.of(crawler)      # one per crawler
    sink = tracker.sink("storage")                # register a sink
    sink.hold(number)       # an item numbered `number` (= tracker.issued on arrival) is pending
    sink.release(oldest)    # oldest still pending, or None: all durable
    sink.fail(reason)       # never durable again in this run (stat moviespider/durability/...);
                            # reported=True: its owner logged it, a DEBUG line here
    tracker.issued, tracker.watermark
    finishing = FinishedRequests(tracker, engine_requests)  # a frontier's requests taken
    finishing.taken(request, token)   # the engine took it (token: a journal row, a lease)
    finishing.done()        # tokens of requests finished and durable, oldest first

See docs/resume.md ("What a kill can cost").
"""

from __future__ import annotations

import logging
from collections import deque
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from weakref import WeakKeyDictionary

from moviespider.signals import items_durable

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

    from moviespider.internals import EngineRequests

Token = TypeVar("Token")

logger = logging.getLogger(__name__)

STATS_PREFIX = "moviespider/durability"
FAILED = -1  # what a failed sink is durable up to: nothing more

_trackers: WeakKeyDictionary[Crawler, DurabilityTracker] = WeakKeyDictionary()


class Sink:
    """One place items must reach durably; see the module docstring."""

    __slots__ = ("failure", "held", "name", "tracker")

    def __init__(self, tracker: DurabilityTracker, name: str):
        self.tracker = tracker
        self.name = name
        self.held: int | None = None  # the number of the oldest item not durable yet
        self.failure: str | None = None

    def hold(self, number: int) -> None:
        """An item numbered *number* arrived and is not durable yet (cheap: call per item)."""
        if self.held is None:
            self.held = number

    def release(self, oldest: int | None) -> None:
        """Items were made durable; *oldest* is the number of the oldest one still pending."""
        self.held = oldest
        self.tracker.changed()

    def fail(self, reason: str, *, reported: bool = False) -> None:
        """The sink lost items: hold the watermark for the rest of the run, and show it: in a
        warning, unless the component that owns the sink has *reported* the failure in its own
        one line (then at DEBUG: one failure, one line)."""
        if self.failure is None:
            self.failure = reason
            logger.log(
                logging.DEBUG if reported else logging.WARNING,
                "Items may not have reached %s (%s): no request finished from now "
                "on counts as done, a resumed job fetches them again",
                self.name,
                reason,
            )
            stats = self.tracker.stats
            if stats is not None:
                stats.set_value(f"{STATS_PREFIX}/failed/{self.name}", reason)

    def durable_up_to(self) -> int:
        if self.failure is not None:
            return FAILED
        if self.held is None:
            return self.tracker.issued
        return self.held - 1


class DurabilityTracker:
    """Item numbers, the sinks and their watermark (module docstring)."""

    def __init__(self, crawler: Crawler | None = None):
        self.crawler = crawler
        self.stats = crawler.stats if crawler is not None else None
        self.issued = 0
        self.sinks: list[Sink] = []

    @classmethod
    def of(cls, crawler: Crawler) -> DurabilityTracker:
        tracker = _trackers.get(crawler)
        if tracker is None:
            tracker = _trackers[crawler] = cls(crawler)
        return tracker

    def issue(self) -> int:
        self.issued += 1
        return self.issued

    def sink(self, name: str) -> Sink:
        sink = Sink(self, name)
        self.sinks.append(sink)
        return sink

    @property
    def watermark(self) -> int:
        return min((sink.durable_up_to() for sink in self.sinks), default=self.issued)

    def changed(self) -> None:
        if self.crawler is not None:
            self.crawler.signals.send_catch_log(items_durable, watermark=self.watermark)


class NumberItems:
    """The first item pipeline: numbers each item as it enters the pipelines."""

    def __init__(self, tracker: DurabilityTracker):
        self.tracker = tracker

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NumberItems:
        return cls(DurabilityTracker.of(crawler))

    def process_item(self, item: Any) -> Any:
        self.tracker.issued += 1
        return item


class FinishedRequests(Generic[Token]):
    """The requests a frontier handed the engine, each with its *token* (a journal row, a
    lease), until it is done: the engine has finished with it and its items are durable."""

    def __init__(self, tracker: DurabilityTracker, engine: EngineRequests):
        self.tracker = tracker
        self.engine = engine
        self.in_flight: dict[Request, Token] = {}
        # Finished, their items not durable everywhere yet: (stamp, token), stamps increasing.
        self.awaiting: deque[tuple[int, Token]] = deque()

    def taken(self, request: Request, token: Token) -> None:
        self.in_flight[request] = token

    def done(self) -> list[Token]:
        """Stamp the requests the engine has finished with; the tokens of those whose items
        are now durable in every sink, in the order they finished."""
        if self.in_flight:
            in_progress = self.engine.in_progress()
            finished = [request for request in self.in_flight if request not in in_progress]
            if finished:
                stamp = self.tracker.issued  # every item of these requests is numbered <= it
                self.awaiting.extend((stamp, self.in_flight.pop(r)) for r in finished)
        watermark = self.tracker.watermark  # re-read: a signal's value may be stale
        tokens = []
        while self.awaiting and self.awaiting[0][0] <= watermark:
            tokens.append(self.awaiting.popleft()[1])
        return tokens

    def held(self) -> list[Token]:
        """The tokens not done yet: in flight or awaiting durability."""
        return [*self.in_flight.values(), *(token for _, token in self.awaiting)]
