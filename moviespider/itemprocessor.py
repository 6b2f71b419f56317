"""The item processor (setting ITEM_PROCESSOR): Scrapy's item pipeline manager, with a
shorter path from one pipeline to the next."""

from __future__ import annotations

import inspect
import warnings
from typing import Any

from scrapy.exceptions import ScrapyDeprecationWarning
from scrapy.pipelines import ItemPipelineManager
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

from moviespider.internals import pipeline_methods


class ItemPipelines(ItemPipelineManager):
    """The same pipelines, in the same order, with the same DropItem and error handling.

    Scrapy's manager wraps every pipeline's plain result in a new coroutine to await it, and
    names the pipeline for a warning it seldom gives, for every item at every pipeline; a list
    page's 25 films pass up to eight pipelines. Here a result is awaited only if it is awaitable
    (docs/performance.md has what it saves).
    """

    def __init__(self, *middlewares: Any, **kwargs: Any):
        super().__init__(*middlewares, **kwargs)
        self._chain = pipeline_methods(self)

    async def process_item_async(self, item: Any) -> Any:
        for process_item, needs_spider in self._chain:
            result = process_item(item, self._spider) if needs_spider else process_item(item)
            if isinstance(result, Deferred):
                warnings.warn(
                    f"{process_item.__qualname__} returned a Deferred, this is deprecated: "
                    "return a coroutine",
                    ScrapyDeprecationWarning,
                    stacklevel=2,
                )
                result = await maybe_deferred_to_future(result)
            elif inspect.isawaitable(result):
                result = await result
            item = result
        return item
