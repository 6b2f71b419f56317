"""The seeds' synchronous baseline: one ``requests`` session, one page after another.

Pages are read with BeautifulSoup exactly as in the seed-style asynchronous script; at a few
seconds of latency per page the parsing does not matter, the waiting does.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import requests

from moviespider_bench.peers.common import measured, parse_arguments, top250_urls
from moviespider_bench.peers.seed_bs4 import parse_page


def crawl(urls: Sequence[str], path: str) -> dict[str, int]:
    responses = items = errors = 0
    with requests.Session() as session, open(path, "w", encoding="utf-8") as output:
        for url in urls:
            try:
                response = session.get(url, timeout=60)
                response.raise_for_status()
            except requests.RequestException:
                errors += 1
                continue
            responses += 1
            for film in parse_page(response.text):
                items += 1
                output.write(json.dumps(film, ensure_ascii=False) + "\n")
    return {"responses": responses, "items": items, "errors": errors}


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_arguments(__doc__.splitlines()[0], argv)
    urls = top250_urls(args.base_url, args.pages)
    measured(args.report, lambda: crawl(urls, args.output))


if __name__ == "__main__":
    main()
