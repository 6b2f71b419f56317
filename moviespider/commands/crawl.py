"""`scrapy crawl`: a bad argument or setting in one line, and the crawl's outcome as exit status."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.spiderloader import get_spider_loader

from moviespider import outcomes
from moviespider.config import check_command_line_dicts, check_settings
from moviespider.errors import ConfigError
from moviespider.extensions.outcome import EXIT_STATUS_STAT
from moviespider.jobdir.feedstorage import AppendingFileFeedStorage
from moviespider.storage.database import check_database

if TYPE_CHECKING:
    import argparse

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

USAGE_EXIT_CODE = outcomes.USAGE.exit_status


class Command(ScrapyCrawlCommand):
    interrupted = False
    crashed = False
    crawler: Crawler | None = None

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        try:
            check_command_line_dicts(self.settings, opts.set)
        except ConfigError as error:
            self._report(error)
            sys.exit(USAGE_EXIT_CODE)
        super().process_options(args, opts)
        # Check settings and spider arguments before Scrapy sets up logging and the crawler
        # process, so that a bad one gives exactly one line on stderr.
        try:
            check_settings(self.settings)
            AppendingFileFeedStorage.check_feeds(self.settings)
        except ConfigError as error:
            self._report(error)
            sys.exit(USAGE_EXIT_CODE)
        if len(args) == 1:
            loader = get_spider_loader(self.settings)
            try:
                spidercls = loader.load(args[0])
            except KeyError:
                known = ", ".join(sorted(loader.list()))
                self._report(ConfigError(f"no spider {args[0]!r}; the spiders are: {known}"))
                sys.exit(USAGE_EXIT_CODE)
            try:
                if check := getattr(spidercls, "check_arguments", None):
                    check(**opts.spargs)
                # A database that cannot be reached is found now, not after the start-up log.
                check_database(self.settings)
            except ConfigError as error:
                self._report(error)
                sys.exit(USAGE_EXIT_CODE)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            super().run(args, opts)  # Scrapy's own usage errors
            return
        assert self.crawler_process
        try:
            crawler = self.crawler = self._create_crawler(args[0])
            crawl = self.crawler_process.crawl(crawler, **opts.spargs)
        except ConfigError as error:
            self._report(error)
            return
        if isinstance(crawl, asyncio.Future):
            crawl.add_done_callback(self._check_bootstrap)
        else:  # a Deferred, with TWISTED_REACTOR_ENABLED = False off the asyncio path
            crawl.addErrback(self._check_bootstrap_failure)
        self._watch_signals()
        self.crawler_process.start()
        if self.exitcode != 0:  # a bad setting found as the crawl started
            return
        status = stat(crawler, EXIT_STATUS_STAT)
        if self.interrupted:
            # Whether or not the spider got to close (a second Ctrl-C does not wait for it).
            outcome = outcomes.INTERRUPTED
        elif self.crashed or self.crawler_process.bootstrap_failed or status is None:
            outcome = outcomes.CRASHED
        else:
            self.exitcode = int(status)
            return
        self.exitcode = outcome.exit_status
        if status != outcome.exit_status:  # CrawlOutcome did not get to say it
            logger.warning("Outcome: %s (exit status %d)", outcome.name, outcome.exit_status)

    def _watch_signals(self) -> None:
        """Note a SIGINT or SIGTERM, then let Scrapy's handler stop the crawl as usual.

        Scrapy installs its handler in a trigger "after startup" that ``start()`` adds, after
        this one; a trigger added while that phase runs runs at its end, so the handler is
        wrapped before the crawl's first step (a Ctrl-C while the sandbox starts included)."""
        from twisted.internet import reactor

        def wrap() -> None:
            for signum in (signal.SIGINT, signal.SIGTERM):
                scrapys = signal.getsignal(signum)
                if callable(scrapys):
                    signal.signal(signum, self._noting(scrapys))

        reactor.callWhenRunning(lambda: reactor.addSystemEventTrigger("after", "startup", wrap))

    def _noting(self, handler):
        def note(signum, frame):
            # Once the outcome is decided the crawl is over: a late Ctrl-C changes nothing.
            if self.crawler is None or stat(self.crawler, EXIT_STATUS_STAT) is None:
                self.interrupted = True
            handler(signum, frame)

        return note

    def _check_bootstrap(self, task: asyncio.Future) -> None:
        if task.cancelled():
            return
        error = task.exception()  # retrieving it also stops asyncio's "never retrieved" dump
        if isinstance(error, ConfigError):
            self._report(error)
        elif error is not None:
            self.crashed = True
            logger.error("The crawl could not start", exc_info=error)

    def _check_bootstrap_failure(self, failure):
        if failure.check(ConfigError):
            self._report(failure.value)
            return None
        self.crashed = True
        return failure

    def _report(self, error: ConfigError) -> None:
        print(f"moviespider: error: {error}", file=sys.stderr)
        self.exitcode = USAGE_EXIT_CODE


def stat(crawler: Crawler, name: str) -> object:
    try:
        stats = crawler.stats
    except RuntimeError:  # the crawl never started: it has no stats
        return None
    return stats.get_value(name)
