"""Crawlee for Python: a ParselCrawler, as Crawlee's own examples write one.

Storage stays in memory (MemoryStorageClient: nothing persisted under ./storage), the pool
starts at the requested concurrency instead of ramping up from 10, and the films are exported
with ``crawler.export_data`` at the end. Crawlee collects no telemetry; it downloads no browser
for a ParselCrawler.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from crawlee import ConcurrencySettings
from crawlee.crawlers import ParselCrawler, ParselCrawlingContext
from crawlee.storage_clients import MemoryStorageClient

from moviespider_bench.peers.common import (
    film_record,
    parse_arguments,
    process_cpu_seconds,
    top250_urls,
    write_report,
)


async def crawl(urls: Sequence[str], concurrency: int, output: str) -> dict[str, int]:
    crawler = ParselCrawler(
        storage_client=MemoryStorageClient(),
        concurrency_settings=ConcurrencySettings(
            desired_concurrency=concurrency, max_concurrency=concurrency
        ),
    )

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

    statistics = await crawler.run(list(urls))
    await crawler.export_data(output, ensure_ascii=False)
    return {
        "responses": statistics.requests_finished,
        "errors": statistics.requests_failed,
    }


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_arguments(__doc__.splitlines()[0], argv)
    urls = top250_urls(args.base_url, args.pages)
    started, cpu = time.perf_counter(), process_cpu_seconds()
    counts = asyncio.run(crawl(urls, args.concurrency, args.output))
    write_report(
        args.report,
        crawl_seconds=time.perf_counter() - started,
        crawl_cpu_seconds=process_cpu_seconds() - cpu,
        **counts,
    )


if __name__ == "__main__":
    main()
