"""Crawlee for Python: a ParselCrawler, as Crawlee's own examples write one.

Storage stays in memory (MemoryStorageClient: nothing persisted under ./storage), the pool
starts at the requested concurrency instead of ramping up from 10, and the films are exported
with ``crawler.export_data`` at the end. Crawlee collects no telemetry; it downloads no browser
for a ParselCrawler.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from crawlee import ConcurrencySettings
from crawlee.crawlers import BasicCrawler, ParselCrawler, ParselCrawlingContext
from crawlee.storage_clients import MemoryStorageClient

from moviespider_bench.peers.common import film_record, measured, parse_arguments, top250_urls


def new_crawler(crawler_class: type[BasicCrawler], concurrency: int) -> Any:
    return crawler_class(
        storage_client=MemoryStorageClient(),
        concurrency_settings=ConcurrencySettings(
            desired_concurrency=concurrency, max_concurrency=concurrency
        ),
    )


async def run(crawler: BasicCrawler, urls: Sequence[str], output: str) -> dict[str, int]:
    statistics = await crawler.run(list(urls))
    await crawler.export_data(output, ensure_ascii=False)
    return {"responses": statistics.requests_finished, "errors": statistics.requests_failed}


async def crawl(urls: Sequence[str], concurrency: int, output: str) -> dict[str, int]:
    crawler = new_crawler(ParselCrawler, concurrency)

    @crawler.router.default_handler
    async def parse_page(context: ParselCrawlingContext) -> None:
        films = [
            film_record(
                rank=li.css("div.pic em::text").get(),
                link=li.css("div.hd > a::attr(href)").get(),
                titles=li.css("div.hd span.title::text").getall(),
                other=li.css("div.hd span.other::text").get(),
                facts=li.css("div.bd > p:first-child::text").getall(),
                rating=li.css("span.rating_num::text").get(),
                votes=li.css("div.star span:last-child::text").get(),
                quote=li.css("span.inq::text").get(),
                poster=li.css("div.pic img::attr(src)").get(),
            )
            for li in context.selector.css("ol.grid_view > li")
        ]
        await context.push_data(films)

    return await run(crawler, urls, output)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_arguments(__doc__.splitlines()[0], argv)
    urls = top250_urls(args.base_url, args.pages)
    measured(args.report, lambda: asyncio.run(crawl(urls, args.concurrency, args.output)))


if __name__ == "__main__":
    main()
