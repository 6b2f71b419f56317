"""What the peers share: their command line, the film record they write and their report."""

from __future__ import annotations

import argparse
import json
import re
import resource
import time
from collections.abc import Callable, Sequence
from typing import Any

PAGE_SIZE = 25
_YEAR = re.compile(r"\d{4}")
_SUBJECT_ID = re.compile(r"/subject/(\d+)")
_INT = re.compile(r"\d+")


def top250_urls(base_url: str, pages: int) -> list[str]:
    base_url = base_url.rstrip("/")
    return [f"{base_url}/top250?start={page * PAGE_SIZE}&filter=" for page in range(pages)]


def parse_arguments(description: str, argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("base_url", help="the sandbox's URL, e.g. http://127.0.0.1:8000")
    parser.add_argument("--pages", type=int, required=True, help="Top250 list pages to fetch")
    parser.add_argument("--concurrency", type=int, default=64, help="requests in flight")
    parser.add_argument("--output", required=True, help="JSON lines file for the films")
    parser.add_argument("--report", required=True, help="JSON file for the run's figures")
    parser.add_argument("--ids-file", help="subject ids, one a line (the subject-page peers)")
    return parser.parse_args(argv)


def subject_urls(base_url: str, ids_file: str) -> list[str]:
    base_url = base_url.rstrip("/")
    with open(ids_file, encoding="utf-8") as ids:
        return [f"{base_url}/subject/{line.strip()}/" for line in ids if line.strip()]


def film_record(
    *,
    rank: str | None,
    link: str | None,
    titles: Sequence[str],
    other: str | None,
    facts: Sequence[str],
    rating: str | None,
    votes: str | None,
    quote: str | None,
    poster: str | None,
) -> dict[str, Any]:
    """One film from the strings a peer selected from its ``li``, with parse_top250_page's keys.

    ``facts`` are the text lines of ``div.bd > p``: "导演: … 主演: …" then "YEAR / COUNTRIES /
    GENRES". Simpler than moviespider's parser (no cut-name or multi-year handling): enough to
    make every peer do the same work per field.
    """
    lines = [line.strip() for line in facts if line.strip()]
    people = lines[0] if lines else ""
    directors, _, actors = people.removeprefix("导演:").partition("主演:")
    details = [part.strip() for part in lines[-1].split("/")] if len(lines) > 1 else []
    year = _YEAR.match(details[0]) if details else None
    title = titles[0].strip() if titles else None
    original = titles[1].replace("/", "").strip() if len(titles) > 1 else None
    subject = _SUBJECT_ID.search(link or "")
    return {
        "subject_id": subject.group(1) if subject else None,
        "title": title,
        "original_title": original or None,
        "aliases": [a.strip() for a in (other or "").split("/") if a.strip()],
        "year": int(year.group()) if year else None,
        "directors": names(directors),
        "actors": names(actors.rstrip(".…")),
        "genres": details[-1].split() if len(details) > 2 else [],
        "countries": details[-2].split() if len(details) > 2 else [],
        "rating": float(rating) if rating and rating.strip() else None,
        "votes": first_int(votes),
        "rank": first_int(rank),
        "quote": quote.strip() if quote and quote.strip() else None,
        "poster_url": poster,
    }


def names(text: str) -> list[str]:
    return [name.strip() for name in text.split("/") if name.strip()]


def first_int(text: str | None) -> int | None:
    match = _INT.search(text) if text else None
    return int(match.group()) if match else None


def process_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def write_report(path: str, **figures: Any) -> None:
    """The run's own figures (crawl_seconds, crawl_cpu_seconds, responses, items, errors)."""
    with open(path, "w", encoding="utf-8") as report:
        json.dump(figures, report)


def measured(report: str, crawl: Callable[[], dict[str, int]]) -> None:
    """Run *crawl*, which returns its counts (responses, items, errors), and write the report
    with them, its crawl time and its CPU."""
    started, cpu = time.perf_counter(), process_cpu_seconds()
    counts = crawl()
    write_report(
        report,
        crawl_seconds=time.perf_counter() - started,
        crawl_cpu_seconds=process_cpu_seconds() - cpu,
        **counts,
    )
