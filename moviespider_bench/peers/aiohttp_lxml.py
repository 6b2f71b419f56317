"""The practical limit: aiohttp, a fixed pool of workers and precompiled lxml XPath.

Each page is parsed once; every selector is compiled at import; the event loop is uvloop.
Nothing a crawl framework adds (retries, scheduling, pipelines, feed exports) is here.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Callable, Sequence
from typing import IO

import aiohttp
import lxml.html
import uvloop
from lxml.etree import XPath

from moviespider_bench.peers.common import film_record, measured, parse_arguments, top250_urls

FILMS = XPath("//ol[@class='grid_view']/li")
RANK = XPath("string(.//div[@class='pic']/em)")
LINK = XPath("string(.//div[@class='hd']/a/@href)")
TITLES = XPath(".//div[@class='hd']/a/span[@class='title']/text()")
OTHER = XPath("string(.//div[@class='hd']/a/span[@class='other'])")
FACTS = XPath(".//div[@class='bd']/p[1]/text()")
RATING = XPath("string(.//span[@property='v:average'])")
VOTES = XPath("string(.//div[@class='star']/span[last()])")
QUOTE = XPath("string(.//span[@class='inq'])")
POSTER = XPath("string(.//div[@class='pic']//img/@src)")


def parse_page(body: bytes) -> list[dict]:
    root = lxml.html.document_fromstring(body)
    return [
        film_record(
            rank=RANK(li),
            link=LINK(li),
            titles=TITLES(li),
            other=OTHER(li),
            facts=FACTS(li),
            rating=RATING(li),
            votes=VOTES(li),
            quote=QUOTE(li),
            poster=POSTER(li),
        )
        for li in FILMS(root)
    ]


async def crawl(
    urls: Sequence[str],
    concurrency: int,
    output: IO[str],
    parse: Callable[[bytes], list[dict]],
) -> dict[str, int]:
    """Fetch *urls* with *concurrency* workers; each page's films, as *parse* reads them, are
    written to *output* as JSON lines."""
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
            films = parse(body)
            counts["items"] += len(films)
            output.writelines(
                json.dumps(film, ensure_ascii=False, default=str) + "\n" for film in films
            )

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    return counts


def run(
    args: argparse.Namespace, urls: Sequence[str], parse: Callable[[bytes], list[dict]]
) -> None:
    with open(args.output, "w", encoding="utf-8") as output:
        measured(args.report, lambda: uvloop.run(crawl(urls, args.concurrency, output, parse)))


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_arguments(__doc__.splitlines()[0], argv)
    run(args, top250_urls(args.base_url, args.pages), parse_page)


if __name__ == "__main__":
    main()
