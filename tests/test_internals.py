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
from scrapy import FormRequest, Request, Spider, signals
from scrapy.exceptions import ScrapyDeprecationWarning
from scrapy.pipelines import ItemPipelineManager
from scrapy.utils.request import request_from_dict
from scrapy.utils.signal import getAllReceivers, liveReceivers
from scrapy.utils.test import get_crawler

from moviespider.internals import (
    InternalsChanged,
    engine_requests,
    fingerprint_at,
    pipeline_methods,
    request_dict,
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
    assert pipeline_methods(ItemPipelineManager(crawler=get_crawler())) == []  # none at all


def test_a_scrapy_without_the_pipeline_methods_is_a_clear_error():
    with pytest.raises(InternalsChanged, match=r"MiddlewareManager\.methods.*pinned"):
        pipeline_methods(SimpleNamespace(methods=None))


class Catalog(Spider):
    name = "catalog"

    async def parse_film(self, response, subject_id):
        yield {"subject_id": subject_id}

    async def film_failed(self, failure):
        yield None

    @property
    def expensive(self):  # Scrapy's search reads every property of the spider
        raise AssertionError("read")


class Aliased(Catalog):
    also_parse_film = Catalog.parse_film  # Scrapy names it by the first member it lists


def not_a_method(response):
    return []


def scrapys_to_dict(request, spider):
    # Scrapy's own search would trip over the property: give it a spider class without one.
    Catalog.expensive = None
    try:
        return request.to_dict(spider=spider)
    finally:
        del Catalog.expensive


@pytest.mark.parametrize(
    "make",
    [
        lambda s: Request("http://h/subject/1/", callback=s.parse_film, errback=s.film_failed,
                          cb_kwargs={"subject_id": "1"}, meta={"depth": 2}, priority=3),
        lambda s: Request("http://h/", dont_filter=True, headers={"Referer": "http://h/a"}),
        lambda s: FormRequest("http://h/login", formdata={"a": "b"}, callback=s.parse_film),
        lambda s: Request("http://h/", callback=Catalog().parse_film),  # another spider's
    ],
    ids=["callbacks", "no-callback", "subclass", "another-spider"],
)  # fmt: skip
def test_request_dict_is_scrapys_to_dict(make):
    spider = Catalog()
    request = make(spider)
    assert request_dict(request, spider) == scrapys_to_dict(request, spider)


def test_an_aliased_callback_is_named_by_its_own_name_and_loads_back_the_same():
    spider = Aliased()
    request = Request("http://h/", callback=spider.parse_film)
    assert scrapys_to_dict(request, spider)["callback"] == "also_parse_film"
    record = request_dict(request, spider)
    assert record["callback"] == "parse_film"
    assert request_from_dict(record, spider=spider).callback == request.callback


def test_a_callback_that_is_no_method_is_scrapys_error():
    with pytest.raises(ValueError, match="not an instance method"):
        request_dict(Request("http://h/", callback=not_a_method), Catalog())


@pytest.mark.parametrize(
    "request_",
    [
        Request("http://127.0.0.1:8050/subject/1292052/"),
        Request("http://127.0.0.1:8050/top250?start=25&filter=", headers={"Cookie": "bid=x"}),
        Request("http://127.0.0.1:8050/subject/1/#a", meta={"verbatim_url": True}),
        FormRequest("http://127.0.0.1:8050/login", formdata={"name": "a"}),
    ],
    ids=["subject", "list", "verbatim", "post"],
)
@pytest.mark.parametrize(
    "custom",
    [False, True],
    ids=["default", "headers-and-fragments"],
)
def test_fingerprint_at_is_the_fingerprint_of_the_request_at_that_url(request_, custom):
    from scrapy.utils.request import RequestFingerprinter, fingerprint

    url = "https://movie.douban.com" + request_.url[len("http://127.0.0.1:8050") :]
    if custom:  # Scrapy's fingerprint function with headers, as a custom fingerprinter uses it
        fingerprinter = SimpleNamespace(
            fingerprint=lambda r: fingerprint(r, include_headers=["Cookie"], keep_fragments=True)
        )
    else:
        fingerprinter = RequestFingerprinter(get_crawler())
    expected = fingerprinter.fingerprint(request_.replace(url=url))
    assert fingerprint_at(fingerprinter, request_, url) == expected
