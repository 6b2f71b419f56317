"""The one place moviespider reads Scrapy internals.

What it reads, each where Scrapy's public interface has no way, or only a slow one:

- the engine's requests in progress (below);
- the downloader's slots, which a backoff pause holds and empties of requests queued with a
  refused session (:func:`hold_downloads`, :func:`recall_queued`: Scrapy's engine.pause() stops
  only the scheduler);
- which of Scrapy's components do their work in an ``item_scraped`` receiver
  (:func:`take_over_item_scraped`);
- the item pipelines' ``process_item`` methods in order (:func:`pipeline_methods`);
- a request as ``Request.to_dict`` makes it, without its slow search for the callback's name
  (:func:`request_dict`);
- a request's fingerprint at another URL, without building that request (:func:`fingerprint_at`).

Scrapy sends no signal when the engine is done with a request (callback or errback run, its
items through the pipelines, the requests it led to scheduled). The engine's slot tracks exactly
that, in the set Scrapy's own status report (``scrapy.utils.engine.get_engine_status``) reads.
:func:`engine_requests` is called when a component that needs it starts, so a Scrapy that
changed it fails there with one clear error; ``tests/test_internals.py`` holds the contract
against the installed Scrapy. Tests of components fake :class:`EngineRequests`, never the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from scrapy import Request, signals
from scrapy.extensions.corestats import CoreStats
from scrapy.extensions.feedexport import FeedExporter
from scrapy.utils.asyncio import call_later
from scrapy.utils.signal import getAllReceivers, liveReceivers

if TYPE_CHECKING:
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


# Scrapy components that do per-item work in an ``item_scraped`` receiver named ``item_scraped``:
# the feed exporters write the item, CoreStats counts ``item_scraped_count``.
ITEM_SCRAPED_TAKEOVER: tuple[type, ...] = (FeedExporter, CoreStats)


def _connected(crawler: Crawler, receiver: Callable[..., Any]) -> bool:
    # Bound methods are equal when they bind the same function to the same instance.
    live = liveReceivers(getAllReceivers(crawler.signals.sender, signals.item_scraped))
    return any(candidate == receiver for candidate in live)


def take_over_item_scraped(crawler: Crawler) -> Callable[[Any], None]:
    """Disconnect the feed exporters' and CoreStats' ``item_scraped`` receivers; return a
    function that does their work for one item.

    Scrapy's ``item_scraped`` dispatch wraps every receiver in a coroutine and gathers them, for
    every item; the last item pipeline calling the two directly does the same work for a
    fraction of that (docs/performance.md). Other ``item_scraped`` receivers (Spidermon, the
    JOBDIR scheduler, …) stay connected. Call it once the spider is open, from the last item
    pipeline only: an item a later pipeline dropped would be exported all the same.
    """
    receivers = []
    for component in ITEM_SCRAPED_TAKEOVER:
        instance = crawler.get_extension(component)
        if instance is None:  # switched off in EXTENSIONS: nothing to do in its stead
            continue
        receiver = getattr(instance, "item_scraped", None)
        if receiver is None or not _connected(crawler, receiver):
            raise InternalsChanged(
                f"moviespider cannot hand items to {component.__name__} itself "
                f"({component.__name__}.item_scraped is not an item_scraped receiver): the "
                "installed Scrapy changed it; use the Scrapy version pinned in requirements.txt"
            )
        crawler.signals.disconnect(receiver, signal=signals.item_scraped)
        receivers.append(receiver)
    spider = crawler.spider

    def scraped(item: Any) -> None:
        for receiver in receivers:
            receiver(item, spider)

    return scraped


def pipeline_methods(manager: Any) -> list[tuple[Callable[..., Any], bool]]:
    """Each item pipeline's ``process_item`` in order, with True where it still takes the
    spider (a deprecated form Scrapy serves): ``MiddlewareManager.methods["process_item"]`` and
    ``._mw_methods_requiring_spider``. Call it once the manager is built."""
    methods = getattr(manager, "methods", None)
    requiring = getattr(manager, "_mw_methods_requiring_spider", None)
    if not isinstance(methods, Mapping) or not isinstance(requiring, set):
        raise InternalsChanged(
            "moviespider cannot read the item pipelines' process_item methods "
            "(MiddlewareManager.methods, ._mw_methods_requiring_spider): the installed Scrapy "
            "changed them; use the Scrapy version pinned in requirements.txt"
        )
    return [(method, method in requiring) for method in methods.get("process_item", ())]


def request_dict(request: Request, spider: Any) -> dict[str, Any]:
    """``request.to_dict(spider=spider)``, for the JOBDIR journal and the distributed frontier,
    which store every request. The same dict, but that a callback with aliases is named by its
    own name, where Scrapy takes the alphabetically first; both load back the same method.

    Scrapy names a callback by listing every member of the spider (``inspect.getmembers``,
    which reads each property too), twice a request: a tenth of a catalog worker's CPU. A
    spider's bound method is found here by its own name; anything else takes Scrapy's path.
    ``tests/test_internals.py`` compares the two on the installed Scrapy.
    """
    callback, errback = request.callback, request.errback
    names = [_method_name(spider, f) if callable(f) else f for f in (callback, errback)]
    if any(name is _UNNAMED for name in names):
        return request.to_dict(spider=spider)
    record: dict[str, Any] = {
        "url": request.url,
        "callback": names[0],
        "errback": names[1],
        "headers": dict(request.headers),
    }
    for attribute in request.attributes:
        record.setdefault(attribute, getattr(request, attribute))
    if type(request) is not Request:
        record["_class"] = f"{type(request).__module__}.{type(request).__name__}"
    return record


_UNNAMED = object()


def _method_name(spider: Any, function: Any) -> Any:
    """*function*'s name if it is *spider*'s own method under that name, else _UNNAMED."""
    name = getattr(function, "__name__", None)
    if not name or getattr(function, "__self__", None) is not spider or name in vars(spider):
        return _UNNAMED
    if getattr(function, "__func__", None) is not getattr(type(spider), name, None):
        return _UNNAMED
    return name


class _AtUrl:
    """What Scrapy's request fingerprint reads of a request, with another URL."""

    __slots__ = ("__weakref__", "body", "headers", "meta", "method", "url")

    def __init__(self, request: Request, url: str):
        self.method, self.body = request.method, request.body
        self.headers, self.meta = request.headers, request.meta
        self.url = url


def fingerprint_at(fingerprinter: Any, request: Request, url: str) -> bytes:
    """*fingerprinter*'s fingerprint of *request* as if its URL were *url* (already escaped, as
    ``request.url`` is): ``request.replace(url=url)`` builds a whole Request for it, the larger
    part of the cost. ``tests/test_internals.py`` compares the two on the installed Scrapy."""
    return fingerprinter.fingerprint(_AtUrl(request, url))
