"""The seeds' synchronous baseline: one ``requests`` session, one page after another.

Pages are read with BeautifulSoup exactly as in the seed-style asynchronous script; at a few
seconds of latency per page the parsing does not matter, the waiting does.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

import requests

from moviespider_bench.peers.common import (
    parse_arguments,
    process_cpu_seconds,
    top250_urls,
    write_report,
)
from moviespider_bench.peers.seed_bs4 import parse_page


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_arguments(__doc__.splitlines()[0], argv)
    started, cpu = time.perf_counter(), process_cpu_seconds()
    responses = items = errors = 0
    with requests.Session() as session, open(args.output, "w", encoding="utf-8") as output:
        for url in top250_urls(args.base_url, args.pages):
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
    write_report(
        args.report,
        crawl_seconds=time.perf_counter() - started,
        crawl_cpu_seconds=process_cpu_seconds() - cpu,
        responses=responses,
        items=items,
        errors=errors,
    )


if __name__ == "__main__":
    main()
