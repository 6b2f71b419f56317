"""`scrapy spiders`: every spider with the arguments it takes (`--json`: their JSON Schemas)."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.spiderloader import get_spider_loader
from scrapy_spider_metadata import get_spider_metadata

from moviespider.spiders.arguments import describe

if TYPE_CHECKING:
    import argparse


class Command(ScrapyCommand):
    requires_project = True
    default_settings: ClassVar[dict[str, object]] = {"LOG_ENABLED": False}

    def short_desc(self) -> str:
        return "List the spiders and the arguments each takes"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--json",
            action="store_true",
            help="print each spider's metadata, its arguments as a JSON Schema",
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        loader = get_spider_loader(self.settings)
        spiders = {name: loader.load(name) for name in sorted(loader.list())}
        if opts.json:
            metadata = {
                name: get_spider_metadata(cls, normalize=True) for name, cls in spiders.items()
            }
            json.dump(metadata, sys.stdout, ensure_ascii=False, indent=2)
            print()
            return
        for name, spidercls in spiders.items():
            summary = (spidercls.__doc__ or "").strip().splitlines()[0:1]
            print(f"{name}: {summary[0] if summary else ''}")
            for argument, kind, help_text in describe(spidercls):
                print(f"    -a {argument}=…  ({kind}) {help_text}")
