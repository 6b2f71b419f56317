"""`scrapy history`: what the stored crawls saw, without writing SQL."""

from __future__ import annotations

import os
import sys
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from sqlalchemy.exc import SQLAlchemyError

from moviespider.config import database_url
from moviespider.errors import ConfigError
from moviespider.site import SUBJECT_ID
from moviespider.storage.database import create_engine, error_reason, safe_url
from moviespider.storage.history import (
    ListChanges,
    Placing,
    film_history,
    has_history,
    list_changes,
    merged_into,
    recent_crawls,
)
from moviespider.text import counted

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from datetime import datetime

    from sqlalchemy.engine import Connection

USAGE_EXIT_CODE = 2


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[--top250 | --film SUBJECT_ID] [--limit N]"

    def short_desc(self) -> str:
        return "Show what the stored crawls saw: recent crawls, Top250 changes, a film over time"

    def long_desc(self) -> str:
        return (
            "Reads the database the storage pipeline writes (DATABASE_URL). Without options: the "
            "most recent crawls. --top250: the films whose rank or rating changed between the "
            "last two finished Top250 crawls, the new entrants and the films that left. "
            "--film: every observation of one film."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        shown = parser.add_mutually_exclusive_group()
        shown.add_argument(
            "--top250",
            action="store_true",
            help="changes between the last two finished Top250 crawls",
        )
        shown.add_argument(
            "--film", metavar="SUBJECT_ID", help="every observation of one film, oldest first"
        )
        parser.add_argument(
            "--limit",
            type=int,
            default=10,
            metavar="N",
            help="how many recent crawls to list (default: 10)",
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError(f"unexpected argument {args[0]!r}")
        if opts.limit < 1:
            raise UsageError("--limit must be a positive number")
        if opts.film is not None and not SUBJECT_ID.fullmatch(opts.film):
            raise UsageError(f"--film: {opts.film!r} is not a Douban subject id (digits only)")
        show: Callable[[Connection], None] = partial(show_recent_crawls, limit=opts.limit)
        if opts.top250:
            show = show_top250_changes
        elif opts.film is not None:
            show = partial(show_film, subject_id=opts.film)
        try:
            self._read(show)
            sys.stdout.flush()
        except ConfigError as error:
            print(f"moviespider: error: {error}", file=sys.stderr)
            self.exitcode = USAGE_EXIT_CODE
        except BrokenPipeError:
            # The reader went away (`scrapy history | head`): what it wanted it has. Python
            # would report the pipe again when it flushes stdout at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())

    def _read(self, show: Callable[[Connection], None]) -> None:
        assert self.settings is not None
        url = database_url(self.settings)
        if url is None:
            raise ConfigError("setting DATABASE_URL: empty, so no crawl was stored")
        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                if has_history(connection):
                    show(connection)
                else:
                    print(f"No crawl is stored in {safe_url(url)} yet.")
        except SQLAlchemyError as error:
            raise ConfigError(
                f"setting DATABASE_URL: cannot read {safe_url(url)}: {error_reason(error)}"
            ) from None
        finally:
            engine.dispose()


CRAWL_ROW = "{:<16}  {:<20}  {:>5}  {:<15}  {}"
LIST_ROW = "  {:<10}  {:<10}  {}"
SIGHTING_ROW = "  {:<16}  {:<10}  {:>4}  {:>6}  {:>9}"


def show_recent_crawls(connection: Connection, limit: int) -> None:
    print(CRAWL_ROW.format("started (UTC)", "spider", "films", "ended", "crawl"))
    for crawl in recent_crawls(connection, limit):
        print(
            CRAWL_ROW.format(
                _time(crawl.started_at),
                crawl.spider,
                _value(crawl.items),
                crawl.finish_reason or "running or died",
                crawl.id,
            )
        )


def show_top250_changes(connection: Connection) -> None:
    changes = list_changes(connection, "top250")
    if changes is None:
        print(
            "Fewer than two finished Top250 crawls are stored: "
            "run `scrapy crawl douban_top250` to have something to compare."
        )
        return
    print(_heading(changes))
    if not (changes.changed or changes.entered or changes.left):
        print("\nNo film changed rank or rating, entered or left.")
        return
    if changes.changed:
        print(f"\nRank or rating changed ({len(changes.changed)}):")
        print(LIST_ROW.format("rank", "rating", "film"))
        for change in changes.changed:
            print(
                LIST_ROW.format(
                    _change(change.before.rank, change.after.rank),
                    _change(change.before.rating, change.after.rating),
                    _film(change.after),
                )
            )
    for heading, rank, placings in (
        ("New entrants", "rank", changes.entered),
        ("Left the list", "was", changes.left),
    ):
        if placings:
            print(f"\n{heading} ({len(placings)}):")
            print(LIST_ROW.format(rank, "rating", "film"))
            for placing in placings:
                print(LIST_ROW.format(_value(placing.rank), _value(placing.rating), _film(placing)))


def show_film(connection: Connection, subject_id: str) -> None:
    if (film := merged_into(connection, subject_id)) is not None:
        print(f"Film {subject_id} was merged by Douban into film {film}.")
        subject_id = film
    title, sightings = film_history(connection, subject_id)
    if not sightings:
        print(f"Film {subject_id} is not in any stored crawl.")
        return
    print(f"{title or '(no title)'} ({subject_id}), seen by {counted(len(sightings), 'crawl')}:")
    print(SIGHTING_ROW.format("crawl (UTC)", "source", "rank", "rating", "votes"))
    for seen in sightings:
        print(
            SIGHTING_ROW.format(
                _time(seen.crawl.started_at),
                seen.source,
                _value(seen.rank),
                _value(seen.rating),
                _value(seen.votes),
            )
        )


def _heading(changes: ListChanges) -> str:
    return (
        f"Top250 of {_time(changes.latest.started_at)} UTC ({changes.latest.items} films) against "
        f"{_time(changes.previous.started_at)} UTC ({changes.previous.items} films)"
    )


def _time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def _value(value: object) -> str:
    return "-" if value is None else str(value)


def _change(before: object, after: object) -> str:
    return _value(after) if before == after else f"{_value(before)} → {_value(after)}"


def _film(placing: Placing) -> str:
    return f"{placing.title or '(no title)'} ({placing.subject_id})"
