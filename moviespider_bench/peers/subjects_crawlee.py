"""Subject pages with Crawlee for Python: an HttpCrawler (Crawlee fetches, nothing parses
twice) handing each body to moviespider's own subject-page parser, in memory storage, the pool
at the requested concurrency, ``export_data`` at the end (see crawlee_parsel.py)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from crawlee import ConcurrencySettings
from crawlee.crawlers import HttpCrawler, HttpCrawlingContext
from crawlee.storage_clients import MemoryStorageClient

from moviespider.parsing.subject import parse_subject_page
from moviespider_bench.peers.common import (
    parse_arguments,
    process_cpu_seconds,
    subject_urls,
    write_report,
)


async def crawl(urls: Sequence[str], concurrency: int, output: str) -> dict[str, int]:
    crawler = HttpCrawler(
        storage_client=MemoryStorageClient(),
        concurrency_settings=ConcurrencySettings(
            desired_concurrency=concurrency, max_concurrency=concurrency
        ),
    )

    @crawler.router.default_handler
    async def parse_page(context: HttpCrawlingContext) -> None:
        body = await context.http_response.read()
        await context.push_data(parse_subject_page(body))

    statistics = await crawler.run(list(urls))
    await crawler.export_data(output, ensure_ascii=False)
    return {"responses": statistics.requests_finished, "errors": statistics.requests_failed}


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_arguments(__doc__.splitlines()[0], argv)
    urls = subject_urls(args.base_url, args.ids_file)
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
