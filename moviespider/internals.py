"""The one place moviespider reads Scrapy internals.

Two needs: the engine's requests in progress (below), and the downloader's slots, which a
backoff pause holds and empties of requests queued with a refused session
(:func:`hold_downloads`, :func:`recall_queued`): Scrapy's engine.pause() stops only the
scheduler.

Scrapy sends no signal when the engine is done with a request (callback or errback run, its
items through the pipelines, the requests it led to scheduled). The engine's slot tracks exactly
that, in the set Scrapy's own status report (``scrapy.utils.engine.get_engine_status``) reads.
:func:`engine_requests` is called when a component that needs it starts, so a Scrapy that
changed it fails there with one clear error; ``tests/test_internals.py`` holds the contract
against the installed Scrapy. Tests of components fake :class:`EngineRequests`, never the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Protocol

from scrapy.utils.asyncio import call_later

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler


class InternalsChanged(RuntimeError):
    """The installed Scrapy no longer has an internal attribute moviespider relies on."""


class EngineRequests(Protocol):
    """What the engine has taken and not finished with."""

    def in_progress(self) -> Collection[Request]: ...


class ScrapyEngineRequests:
    """The engine's in-progress requests: ``ExecutionEngine._slot.inprogress``."""

    def __init__(self, crawler: Crawler):
        in_progress = getattr(getattr(crawler.engine, "_slot", None), "inprogress", None)
        if not isinstance(in_progress, set):
            raise InternalsChanged(
                "moviespider cannot see the engine's requests in progress "
                "(ExecutionEngine._slot.inprogress): the installed Scrapy changed it; "
                "use the Scrapy version pinned in requirements.txt"
            )
        self._in_progress: set[Request] = in_progress

    def in_progress(self) -> Collection[Request]:
        return self._in_progress


def engine_requests(crawler: Crawler) -> EngineRequests:
    """The engine's in-progress requests, checked: call once the engine has opened the spider."""
    return ScrapyEngineRequests(crawler)


def hold_downloads(crawler: Crawler, seconds: float) -> int:
    """Keep every downloader slot from starting a queued download for *seconds*; return how
    many slots were held.

    Requests the downloader has already accepted wait in its slots' queues (for DOWNLOAD_DELAY
    or a free connection) and would leave during a backoff pause, however paused the engine is.
    A slot with a pending ``latercall`` processes nothing until it fires
    (``Downloader._process_queue``), so one is set to fire when the pause ends; the queue then
    goes on as Scrapy would have it, delays included.
    """
    downloader = getattr(crawler.engine, "downloader", None)
    slots = getattr(downloader, "slots", None)
    resume = getattr(downloader, "_latercall", None)
    if not isinstance(slots, dict) or resume is None:
        raise InternalsChanged(
            "moviespider cannot hold the downloader's queued requests during a backoff "
            "(Downloader.slots, Slot.latercall, Downloader._latercall): the installed Scrapy "
            "changed them; use the Scrapy version pinned in requirements.txt"
        )
    for slot in slots.values():
        if slot.latercall is not None:
            slot.latercall.cancel()
        slot.latercall = call_later(seconds, resume, slot)
    return len(slots)


def recall_queued(
    crawler: Crawler,
    error: Callable[[Request], Exception],
    which: Callable[[Request], bool] = lambda request: True,
) -> int:
    """Fail, with ``error(request)``, every request for which ``which(request)`` is true waiting
    in a downloader slot's queue (not yet sent); return how many. Each then goes through the
    middlewares' ``process_exception`` like a download error, where it can be sent back to the
    scheduler.

    What the downloader queued before a block carries the session Douban just refused; sent
    after the pause, each would only be refused again.
    """
    slots = getattr(getattr(crawler.engine, "downloader", None), "slots", None)
    if not isinstance(slots, dict):
        raise InternalsChanged(
            "moviespider cannot recall the downloader's queued requests (Downloader.slots, "
            "Slot.queue): the installed Scrapy changed them; use the Scrapy version pinned in "
            "requirements.txt"
        )
    recalled = []
    for slot in slots.values():
        kept = [entry for entry in slot.queue if not which(entry[0])]
        recalled += [entry for entry in slot.queue if which(entry[0])]
        slot.queue.clear()
        slot.queue.extend(kept)
    for request, queued in recalled:  # after: an errback may queue requests again
        queued.errback(error(request))
    return len(recalled)
