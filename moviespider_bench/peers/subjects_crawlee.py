"""Subject pages with Crawlee for Python: an HttpCrawler (Crawlee fetches, nothing parses
twice) handing each body to moviespider's own subject-page parser, in memory storage, the pool
at the requested concurrency, ``export_data`` at the end (see crawlee_parsel.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from crawlee.crawlers import HttpCrawler, HttpCrawlingContext

from moviespider.parsing.subject import parse_subject_page
from moviespider_bench.peers.common import measured, parse_arguments, subject_urls
from moviespider_bench.peers.crawlee_parsel import new_crawler, run


async def crawl(urls: Sequence[str], concurrency: int, output: str) -> dict[str, int]:
    crawler = new_crawler(HttpCrawler, concurrency)

    @crawler.router.default_handler
    async def parse_page(context: HttpCrawlingContext) -> None:
        body = await context.http_response.read()
        await context.push_data(parse_subject_page(body))

    return await run(crawler, urls, output)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_arguments(__doc__.splitlines()[0], argv)
    urls = subject_urls(args.base_url, args.ids_file)
    measured(args.report, lambda: asyncio.run(crawl(urls, args.concurrency, args.output)))


if __name__ == "__main__":
    main()
