"""`scrapy frontier`: look after a distributed crawl's frontier in Redis (docs/distributed.md)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from moviespider.errors import ConfigError
from moviespider.spiders.arguments import read_ids_file

if TYPE_CHECKING:
    import argparse

    from moviespider.config import DistributedConfig
    from moviespider.frontier.store import Frontier

USAGE_EXIT_CODE = 2
ACTIONS = ("seed", "status", "requeue-expired", "export-failed", "clear")


class Command(ScrapyCommand):
    requires_project = True
    default_settings: ClassVar[dict[str, object]] = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return f"{{{'|'.join(ACTIONS)}}} [options]"

    def short_desc(self) -> str:
        return "Seed, inspect, requeue, export or clear a distributed crawl's frontier"

    def long_desc(self) -> str:
        return (
            "seed SPIDER [-a NAME=VALUE] | seed --ids-file FILE: queue a spider's start "
            "requests, or subject pages, once however often it runs. status: queued, leased "
            "per worker, expired, seen, done, failed, Redis memory. requeue-expired: put back "
            "the requests of workers that stopped renewing their leases. export-failed: the "
            "pages given up on, as a failed-URLs file. clear: delete the frontier (asks first, "
            "or --yes). The frontier is DISTRIBUTED (a Redis URL) and DISTRIBUTED_CRAWL (its "
            "name; default: the spider's), given with -s as for scrapy crawl."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-a", dest="spargs", action="append", default=[], metavar="NAME=VALUE")
        parser.add_argument("--ids-file", help="seed: a file of subject ids or URLs")
        parser.add_argument("--yes", action="store_true", help="clear: do not ask")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        # settings.py's LOG_LEVEL outranks default_settings: without this, Scrapy's start-up
        # lines come before a one-line error.
        if not opts.loglevel:
            assert self.settings is not None
            self.settings.set("LOG_LEVEL", "WARNING", priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args or args[0] not in ACTIONS:
            raise UsageError(f"expected one of {', '.join(ACTIONS)}")
        action, rest = args[0], args[1:]
        try:
            if action == "seed":
                self.seed(rest, opts)
                return
            frontier = self.frontier(rest[0] if rest else None)
            if action == "status":
                self.status(frontier)
            elif action == "requeue-expired":
                print(f"Requeued {frontier.requeue_expired()} requests of expired leases.")
            elif action == "export-failed":
                for line in frontier.failures():
                    print(line)
            elif action == "clear":
                self.clear(frontier, opts.yes)
        except ConfigError as error:
            print(f"moviespider: error: {error}", file=sys.stderr)
            self.exitcode = USAGE_EXIT_CODE

    def frontier(self, spider: str | None) -> Frontier:
        from moviespider.frontier.store import Frontier, reachable_client

        config = self.config()
        crawl = config.crawl or spider
        if crawl is None:
            raise ConfigError("setting DISTRIBUTED_CRAWL: name the crawl (or give a spider name)")
        return Frontier(reachable_client(config), crawl)

    def config(self) -> DistributedConfig:
        from moviespider.config import DistributedConfig

        assert self.settings is not None
        config = DistributedConfig.from_settings(self.settings)
        if config.url is None:
            raise ConfigError("setting DISTRIBUTED: give the frontier's Redis URL (redis://host/0)")
        return config

    def seed(self, rest: list[str], opts: argparse.Namespace) -> None:
        """Run the spider's start() into the frontier (a crawl that takes no request), or queue
        the subject pages of an ids file through douban_subject's callbacks."""
        assert self.settings is not None and self.crawler_process is not None
        spargs = dict(arg.split("=", 1) for arg in opts.spargs if "=" in arg)
        if opts.ids_file:
            read_ids_file(opts.ids_file)  # a bad file is one line, before anything is queued
            spider, spargs = "douban_subject", {"ids_file": opts.ids_file}
        elif len(rest) == 1:
            spider = rest[0]
        else:
            raise UsageError("seed takes a spider name, or --ids-file FILE")
        from moviespider.frontier.store import reachable_client

        reachable_client(self.config())  # one line now, not the seeding crawl's failure
        self.settings.set("DISTRIBUTED_SEED_ONLY", True, priority="cmdline")
        self.settings.set("DATABASE_URL", "", priority="cmdline")  # no crawl is recorded
        self.settings.set("LOG_LEVEL", "ERROR", priority="cmdline")
        crawler = self.crawler_process.create_crawler(spider)
        self.crawler_process.crawl(crawler, **spargs)
        self.crawler_process.start()
        stats = crawler.stats
        queued = stats.get_value("moviespider/frontier/enqueued", 0)
        filtered = stats.get_value("moviespider/frontier/filtered", 0)
        print(f"Seeded {queued} requests ({filtered} were in the frontier already).")

    def status(self, frontier: Frontier) -> None:
        status = frontier.status()
        print(f"crawl      {frontier.crawl}")
        print(f"queued     {status.queued}")
        leased = ", ".join(f"{worker}: {n}" for worker, n in sorted(status.leased.items()))
        print(f"leased     {sum(status.leased.values())}" + (f" ({leased})" if leased else ""))
        print(f"expired    {status.expired}")
        print(f"seen       {status.seen}")
        print(f"done       {status.done}")
        print(f"requeued   {status.requeued}")
        print(f"failed     {status.failed}")
        print(f"films      {status.films} (counted against max_films; none when it is 0)")
        # Measured on the entries there are: none when nothing is queued or seen.
        per_entry = [
            f"{size:.0f} B {entry}"
            for size, entry in (
                (status.bytes_per_queued, "a queued request"),
                (status.bytes_per_fingerprint, "a fingerprint"),
            )
            if size is not None
        ]
        print(
            f"memory     {status.used_memory / 1e6:.1f} MB in Redis"
            + (f"; {', '.join(per_entry)}" if per_entry else "")
        )

    def clear(self, frontier: Frontier, yes: bool) -> None:
        if not yes:
            if not sys.stdin.isatty():
                raise ConfigError("clear: give --yes to delete the frontier without asking")
            answer = input(f"Delete every request, lease and fingerprint of {frontier.crawl!r}? ")
            if answer.strip().lower() not in ("y", "yes"):
                print("Nothing deleted.")
                return
        print(f"Deleted {frontier.clear()} keys of {frontier.crawl!r}.")
