"""Subject pages, the raw way: aiohttp, a fixed pool of workers, uvloop, and moviespider's own
subject-page parser (one lxml parse, XPath compiled at import), so that what is compared with
moviespider is the crawler around the same parser (the loop is aiohttp_lxml.py's)."""

from __future__ import annotations

from collections.abc import Sequence

from moviespider.parsing.subject import parse_subject_page
from moviespider_bench.peers.aiohttp_lxml import run
from moviespider_bench.peers.common import parse_arguments, subject_urls


def parse_page(body: bytes) -> list[dict]:
    return [parse_subject_page(body)]


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_arguments(__doc__.splitlines()[0], argv)
    run(args, subject_urls(args.base_url, args.ids_file), parse_page)


if __name__ == "__main__":
    main()
