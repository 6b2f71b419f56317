"""The contract of moviespider.internals with the installed Scrapy.

A real crawl, in a subprocess of its own (a reactor per process), checks that the engine's
in-progress requests hold the request whose callback runs and whose items go through the
pipelines, and hold nothing once the crawl is idle.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy import signals
from scrapy.exceptions import ScrapyDeprecationWarning
from scrapy.pipelines import ItemPipelineManager
from scrapy.utils.signal import getAllReceivers, liveReceivers
from scrapy.utils.test import get_crawler

from moviespider.internals import (
    InternalsChanged,
    engine_requests,
    pipeline_methods,
    take_over_item_scraped,
)

ROOT = Path(__file__).resolve().parents[1]

CRAWL = """
import json
import scrapy
from scrapy import signals
from scrapy.exceptions import ScrapyDeprecationWarning
from scrapy.pipelines import ItemPipelineManager
from scrapy.crawler import AsyncCrawlerProcess
from moviespider.internals import engine_requests

seen = {}

class Probe(scrapy.Spider):
    name = "probe"

    async def start(self):
        yield scrapy.Request("data:,first", callback=self.first)

    async def first(self, response):
        self.requests = engine_requests(self.crawler)
        self.first_request = response.request
        seen["in_callback"] = response.request in self.requests.in_progress()
        yield {"n": 1}

    def item_scraped(self, item, response):
        seen["while_its_item_is_scraped"] = response.request in self.requests.in_progress()

    def spider_idle(self):
        seen["after_its_items"] = self.first_request in self.requests.in_progress()
        seen["left_when_idle"] = len(self.requests.in_progress())

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(spider.spider_idle, signal=signals.spider_idle)
        return spider

process = AsyncCrawlerProcess({"LOG_LEVEL": "ERROR", "TELNETCONSOLE_ENABLED": False})
process.crawl(Probe)
process.start()
print(json.dumps(seen))
"""


def test_in_progress_holds_the_request_until_its_items_are_through(tmp_path):
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    environment.pop("SCRAPY_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-c", CRAWL],
        cwd=tmp_path,  # no scrapy.cfg: Scrapy's own settings, not the project's
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {
        "in_callback": True,
        "while_its_item_is_scraped": True,
        "after_its_items": False,
        "left_when_idle": 0,
    }


@pytest.mark.parametrize(
    "engine",
    [
        SimpleNamespace(),  # no _slot
        SimpleNamespace(_slot=SimpleNamespace()),  # a slot without inprogress
        SimpleNamespace(_slot=SimpleNamespace(inprogress=[])),  # not the set it was
    ],
)
def test_a_scrapy_that_changed_the_attribute_is_a_clear_error(engine):
    with pytest.raises(InternalsChanged, match=r"ExecutionEngine\._slot\.inprogress.*pinned"):
        engine_requests(SimpleNamespace(engine=engine))


def item_scraped_receivers(crawler) -> list:
    return list(liveReceivers(getAllReceivers(crawler.signals.sender, signals.item_scraped)))


@pytest.fixture
def crawler(tmp_path):
    crawler = get_crawler(
        settings_dict={"FEEDS": {str(tmp_path / "items.jsonl"): {"format": "jsonlines"}}}
    )
    assert crawler.extensions is not None  # the feed exporter and CoreStats are built
    return crawler


def test_the_feed_exporter_and_core_stats_are_taken_off_item_scraped_and_called_directly(crawler):
    seen = []

    def other_receiver(item):  # e.g. Spidermon's
        seen.append(item)

    crawler.signals.connect(other_receiver, signal=signals.item_scraped)
    before = item_scraped_receivers(crawler)
    assert len(before) == 3

    scraped = take_over_item_scraped(crawler)

    assert item_scraped_receivers(crawler) == [other_receiver]  # others keep listening
    crawler.stats.open_spider()
    scraped({"title": "肖申克的救赎"})
    assert crawler.stats.get_value("item_scraped_count") == 1
    assert seen == []  # the signal was not sent: the item went to the feed and stats only


def test_a_second_takeover_fails_with_one_clear_error(crawler):
    take_over_item_scraped(crawler)
    with pytest.raises(InternalsChanged, match=r"FeedExporter\.item_scraped is not"):
        take_over_item_scraped(crawler)


def test_the_pipelines_process_item_methods_are_read_in_order_with_their_spider_argument():
    class Plain:
        def process_item(self, item):
            return item

    class TakesSpider:
        def process_item(self, item, spider):
            return item

    class NoProcessItem:
        def open_spider(self):
            pass

    plain, old, other = Plain(), TakesSpider(), NoProcessItem()
    with pytest.warns(ScrapyDeprecationWarning, match="requires a spider argument"):
        manager = ItemPipelineManager(plain, old, other, crawler=get_crawler())
    assert pipeline_methods(manager) == [(plain.process_item, False), (old.process_item, True)]


def test_a_scrapy_without_the_pipeline_methods_is_a_clear_error():
    with pytest.raises(InternalsChanged, match=r"MiddlewareManager\.methods.*pinned"):
        pipeline_methods(SimpleNamespace(methods={}))
