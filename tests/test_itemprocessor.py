"""The item processor: Scrapy's pipelines, in order, with Scrapy's results and errors."""

from __future__ import annotations

import asyncio
import warnings

import pytest
from scrapy import Spider
from scrapy.exceptions import DropItem, ScrapyDeprecationWarning
from scrapy.pipelines import ItemPipelineManager
from scrapy.utils.test import get_crawler
from twisted.internet.defer import succeed

from moviespider.itemprocessor import ItemPipelines


class Named(Spider):
    name = "named"


class Append:
    """Appends its mark to the item's trail: shows which pipelines ran, in which order."""

    def __init__(self, mark: str):
        self.mark = mark

    def process_item(self, item):
        item["trail"].append(self.mark)
        return item


class AppendLater(Append):
    async def process_item(self, item):
        await asyncio.sleep(0)
        item["trail"].append(self.mark)
        return item


class AppendWithSpider(Append):
    def process_item(self, item, spider):
        item["trail"].append(f"{self.mark}:{spider.name}")
        return item


class AppendByDeferred(Append):
    def process_item(self, item):
        item["trail"].append(self.mark)
        return succeed(item)


class Replace:
    def process_item(self, item):
        return {"trail": [*item["trail"], "replaced"]}


class Drop:
    def process_item(self, item):
        raise DropItem("not wanted")


def processors(*pipelines):
    """Scrapy's manager and ours over the same pipelines, the spider open."""
    built = []
    for manager in (ItemPipelineManager, ItemPipelines):
        crawler = get_crawler(Named)
        crawler.spider = Named.from_crawler(crawler)
        with warnings.catch_warnings():  # a pipeline that takes the spider is deprecated
            warnings.simplefilter("ignore", ScrapyDeprecationWarning)
            built.append(manager(*pipelines, crawler=crawler))
    return built


def run(processor, item):
    return asyncio.run(processor.process_item_async(item))


def test_every_kind_of_pipeline_runs_in_order_as_scrapys_manager_runs_it():
    pipelines = [
        Append("a"),
        AppendLater("b"),
        AppendWithSpider("c"),
        Append("d"),
        Replace(),
        Append("e"),
    ]
    scrapys, ours = processors(*pipelines)
    expected = {"trail": ["a", "b", "c:named", "d", "replaced", "e"]}
    assert run(scrapys, {"trail": []}) == expected
    assert run(ours, {"trail": []}) == expected


def test_a_deferred_result_is_awaited_with_scrapys_deprecation_warning():
    (ours,) = processors(Append("a"), AppendByDeferred("b"), Append("c"))[1:]
    with pytest.warns(ScrapyDeprecationWarning, match="returned a Deferred"):
        assert run(ours, {"trail": []}) == {"trail": ["a", "b", "c"]}


def test_a_dropped_item_stops_at_the_pipeline_that_dropped_it():
    after = Append("after")
    (ours,) = processors(Append("a"), Drop(), after)[1:]
    item = {"trail": []}
    with pytest.raises(DropItem, match="not wanted"):
        run(ours, item)
    assert item == {"trail": ["a"]}


def test_the_project_uses_it():
    from scrapy.utils.project import get_project_settings

    assert get_project_settings()["ITEM_PROCESSOR"] == "moviespider.itemprocessor.ItemPipelines"
