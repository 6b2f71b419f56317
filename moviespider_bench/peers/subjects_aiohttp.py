"""Subject pages, the raw way: aiohttp, a fixed pool of workers, uvloop, and moviespider's own
subject-page parser (one lxml parse, XPath compiled at import), so that what is compared with
moviespider is the crawler around the same parser."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from typing import IO

import aiohttp
import uvloop

from moviespider.parsing.subject import parse_subject_page
from moviespider_bench.peers.common import (
    parse_arguments,
    process_cpu_seconds,
    subject_urls,
    write_report,
)


async def crawl(urls: Sequence[str], concurrency: int, output: IO[str]) -> dict[str, int]:
    queue: asyncio.Queue[str] = asyncio.Queue()
    for url in urls:
        queue.put_nowait(url)
    counts = {"responses": 0, "items": 0, "errors": 0}

    async def worker(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            url = queue.get_nowait()
            try:
                async with session.get(url) as response:
                    response.raise_for_status()
                    body = await response.read()
            except aiohttp.ClientError:
                counts["errors"] += 1
                continue
            counts["responses"] += 1
            film = parse_subject_page(body)
            counts["items"] += 1
            output.write(json.dumps(film, ensure_ascii=False, default=str) + "\n")

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    return counts


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_arguments(__doc__.splitlines()[0], argv)
    urls = subject_urls(args.base_url, args.ids_file)
    started, cpu = time.perf_counter(), process_cpu_seconds()
    with open(args.output, "w", encoding="utf-8") as output:
        counts = uvloop.run(crawl(urls, args.concurrency, output))
    write_report(
        args.report,
        crawl_seconds=time.perf_counter() - started,
        crawl_cpu_seconds=process_cpu_seconds() - cpu,
        **counts,
    )


if __name__ == "__main__":
    main()
