"""`scrapy report`: the HTML report of a stored crawl (the last one, or --crawl ID)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from sqlalchemy.exc import SQLAlchemyError

from moviespider.errors import ConfigError
from moviespider.reports.build import load_report
from moviespider.reports.render import render_report, write_file
from moviespider.storage.database import error_reason

if TYPE_CHECKING:
    import argparse

USAGE_EXIT_CODE = 2
CRAWL_ID = re.compile(r"[0-9a-f]{32}")


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[--crawl ID] [-o FILE]"

    def short_desc(self) -> str:
        return "Write the HTML report of the last stored crawl, or of --crawl ID"

    def long_desc(self) -> str:
        return (
            "Reads the database the storage pipeline writes (DATABASE_URL) and writes one "
            "self-contained HTML file (charts inline, opens offline). `scrapy history` lists "
            "the crawls and their ids."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--crawl", metavar="ID", help="the crawl (default: the last one)")
        parser.add_argument(
            "-o",
            "--output",
            metavar="FILE",
            default="report.html",
            help="where to write it (default: report.html)",
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if args:
            raise UsageError(f"unexpected argument {args[0]!r}")
        if opts.crawl is not None and not CRAWL_ID.fullmatch(opts.crawl):
            raise UsageError(f"--crawl: {opts.crawl!r} is not a crawl id (32 hex digits)")
        try:
            data = load_report(self.settings, opts.crawl)
            write_file(Path(opts.output), render_report(data))
        except ConfigError as error:
            print(f"moviespider: error: {error}", file=sys.stderr)
            self.exitcode = USAGE_EXIT_CODE
            return
        except SQLAlchemyError as error:
            print(
                f"moviespider: error: cannot read the database: {error_reason(error)}",
                file=sys.stderr,
            )
            self.exitcode = USAGE_EXIT_CODE
            return
        except OSError as error:
            print(
                f"moviespider: error: cannot write {opts.output}: {error.strerror}", file=sys.stderr
            )
            self.exitcode = USAGE_EXIT_CODE
            return
        print(f"Wrote the report of crawl {data.crawl_id} ({data.spider}) to {opts.output}")
