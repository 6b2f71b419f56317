"""douban_subject hands its requests over only when the downloader has room for them."""

import asyncio
from types import SimpleNamespace

from scrapy import signals
from scrapy.utils.test import get_crawler

from moviespider import settings as project_settings
from moviespider.spiders.douban_subject import DoubanSubjectSpider

IDS = ("1292052", "3541415", "1291546", "1295644")


def test_ids_wait_as_ids_until_the_downloader_has_room_not_as_requests_in_the_scheduler():
    crawler = get_crawler(
        DoubanSubjectSpider,
        settings_dict={"DOUBAN_BASE_URL": project_settings.DOUBAN_BASE_URL},
    )
    spider = DoubanSubjectSpider.from_crawler(crawler, ids=",".join(IDS))
    downloader_full = [False]
    crawler.engine = SimpleNamespace(needs_backout=lambda: downloader_full[0])
    waited = []

    async def wait_for(signal):  # as if the scheduler ran dry once the downloader took one
        waited.append(signal)
        downloader_full[0] = False

    crawler.signals.wait_for = wait_for

    async def take_all() -> list[str]:
        taken = []
        async for request in spider.start():
            taken.append(request.url)
            downloader_full[0] = True  # this one filled the downloader
        return taken

    urls = asyncio.run(take_all())
    assert [url.rstrip("/").rsplit("/", 1)[1] for url in urls] == list(IDS)
    assert waited == [signals.scheduler_empty] * (len(IDS) - 1)
