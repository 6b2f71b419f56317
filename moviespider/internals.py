"""The one place moviespider reads Scrapy internals.

Scrapy sends no signal when the engine is done with a request (callback or errback run, its
items through the pipelines, the requests it led to scheduled). The engine's slot tracks exactly
that, in the set Scrapy's own status report (``scrapy.utils.engine.get_engine_status``) reads.
:func:`engine_requests` is called when a component that needs it starts, so a Scrapy that
changed it fails there with one clear error; ``tests/test_internals.py`` holds the contract
against the installed Scrapy. Tests of components fake :class:`EngineRequests`, never the engine.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Protocol

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
