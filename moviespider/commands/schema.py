"""`scrapy schema`: the Movie item's JSON Schema, the one Spidermon validates items against."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from moviespider.schema import movie_schema

if TYPE_CHECKING:
    import argparse


def schema_text() -> str:
    """The schema as docs/schema.json holds it."""
    return json.dumps(movie_schema(), ensure_ascii=False, indent=2) + "\n"


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def short_desc(self) -> str:
        return "Print the JSON Schema of the Movie item (the feeds' records)"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError(f"unexpected argument {args[0]!r}")
        print(schema_text(), end="")
