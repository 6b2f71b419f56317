"""The seed-style script: aiohttp and asyncio.gather, BeautifulSoup to read each page.

This is how the tutorials that inspired moviespider write an asynchronous crawler: one
coroutine per URL, all gathered at once behind a semaphore, each page read with BeautifulSoup
(on lxml, its fastest tree builder) and ``select``/``select_one`` per field.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence

import aiohttp
from bs4 import BeautifulSoup

from moviespider_bench.peers.common import film_record, measured, parse_arguments, top250_urls


def text_of(node, selector: str) -> str | None:
    found = node.select_one(selector)
    return found.get_text() if found else None


def parse_page(html: str) -> list[dict]:
    soup = BeautifulSoup(html, "lxml")
    films = []
    for li in soup.select("ol.grid_view > li"):
        link = li.select_one("div.hd > a")
        poster = li.select_one("div.pic img")
        facts = li.select_one("div.bd > p")
        films.append(
            film_record(
                rank=text_of(li, "div.pic em"),
                link=link["href"] if link else None,
                titles=[span.get_text() for span in li.select("div.hd span.title")],
                other=text_of(li, "div.hd span.other"),
                facts=list(facts.find_all(string=True, recursive=False)) if facts else [],
                rating=text_of(li, "span.rating_num"),
                votes=text_of(li, "div.star span:last-child"),
                quote=text_of(li, "span.inq"),
                poster=poster["src"] if poster else None,
            )
        )
    return films


async def fetch(session: aiohttp.ClientSession, semaphore: asyncio.Semaphore, url: str):
    async with semaphore, session.get(url) as response:
        response.raise_for_status()
        return parse_page(await response.text())


async def crawl(urls: Sequence[str], concurrency: int) -> list:
    semaphore = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        return await asyncio.gather(
            *(fetch(session, semaphore, url) for url in urls), return_exceptions=True
        )


def crawl_and_write(urls: Sequence[str], concurrency: int, path: str) -> dict[str, int]:
    pages = asyncio.run(crawl(urls, concurrency))
    items = errors = 0
    with open(path, "w", encoding="utf-8") as output:
        for page in pages:
            if isinstance(page, BaseException):
                errors += 1
                continue
            items += len(page)
            for film in page:
                output.write(json.dumps(film, ensure_ascii=False) + "\n")
    return {"responses": len(pages) - errors, "items": items, "errors": errors}


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_arguments(__doc__.splitlines()[0], argv)
    urls = top250_urls(args.base_url, args.pages)
    measured(args.report, lambda: crawl_and_write(urls, args.concurrency, args.output))


if __name__ == "__main__":
    main()
