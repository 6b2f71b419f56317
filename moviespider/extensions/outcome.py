"""The crawl's outcome and a summary a person reads, once, when the engine stops.

The engine stops after every ``spider_closed`` receiver has finished (failed pages, coverage,
feeds, storage), so the stats are final: :func:`moviespider.outcomes.decide` reads them and the
outcome goes into the ``moviespider/outcome`` and ``moviespider/exit_status`` stats, which
``scrapy crawl`` exits with. Spidermon's monitors run next, on the same signal; then, after
their report, one block at INFO (only what receivers still write in the background, an alert
sent or the HTML report written, can come after it)::

    Outcome: complete (exit status 0), close reason finished
        films     250 in 12s (1250/min); 10 pages, 0 given up on, 0 blocked
        coverage  no field below its threshold
        feed      top250.jsonl
        failed    none
        database  250 films in sqlite:///moviespider.sqlite3

Scrapy's raw stats follow at ``CLOSE_STATS_LOG_LEVEL`` (DEBUG by default; Scrapy's own
``STATS_DUMP`` is off here, as it would dump them before the outcome is known).

Settings:
    INCOMPLETE_FAILED_SHARE: the share (0–1) of the pages requested that may be given up on
        before the crawl counts as incomplete (default 0.1).
    CLOSE_STATS_LOG_LEVEL: the level at which the raw stats are logged at close (default DEBUG).
"""

from __future__ import annotations

import logging
import pprint
from typing import TYPE_CHECKING

from scrapy import signals

from moviespider.errors import ConfigError
from moviespider.extensions.progress import format_duration
from moviespider.outcomes import decide, lost_films
from moviespider.text import counted

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

OUTCOME_STAT = "moviespider/outcome"
EXIT_STATUS_STAT = "moviespider/exit_status"


class CrawlOutcome:
    def __init__(self, crawler: Crawler, incomplete_share: float, stats_level: int):
        self.crawler = crawler
        self.stats = crawler.stats
        self.incomplete_share = incomplete_share
        self.stats_level = stats_level
        self.feeds = [str(uri) for uri in crawler.settings.getdict("FEEDS")]
        self.decided: tuple[str, int, str] | None = None  # outcome, exit status, why
        self.summary_connected = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlOutcome:
        settings = crawler.settings
        share = settings.get("INCOMPLETE_FAILED_SHARE", 0.1)
        try:
            share = float(share)
        except (TypeError, ValueError):
            share = -1.0
        if not 0 <= share <= 1:
            raise ConfigError(
                f"setting INCOMPLETE_FAILED_SHARE: expected a share from 0 to 1, got "
                f"{settings.get('INCOMPLETE_FAILED_SHARE')!r}"
            )
        level_name = str(settings.get("CLOSE_STATS_LOG_LEVEL", "DEBUG")).upper()
        level = logging.getLevelNamesMapping().get(level_name)
        if level is None:
            raise ConfigError(
                f"setting CLOSE_STATS_LOG_LEVEL: {level_name!r} is not a log level "
                f"(DEBUG, INFO, WARNING, …)"
            )
        extension = cls(crawler, share, level)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        return extension

    def spider_opened(self) -> None:
        # Connected now, after every extension's own receivers: the summary comes after what
        # they log when the engine stops (Spidermon's report), but for what they await.
        self.crawler.signals.connect(self.log_summary, signal=signals.engine_stopped)
        self.summary_connected = True

    def engine_stopped(self) -> None:
        outcome, why = decide(self.stats.get_stats(), self.incomplete_share)
        self.stats.set_value(OUTCOME_STAT, outcome.name)
        self.stats.set_value(EXIT_STATUS_STAT, outcome.exit_status)
        self.decided = (outcome.name, outcome.exit_status, why)
        if not self.summary_connected:  # the spider never opened: nothing else will log
            self.log_summary()

    def log_summary(self) -> None:
        if self.decided is None:
            return
        name, exit_status, why = self.decided
        self.decided = None  # said once
        log = logger.warning if exit_status else logger.info
        log(
            "Outcome: %s (exit status %d), %s\n%s",
            name,
            exit_status,
            why,
            "\n".join(f"    {line}" for line in self.summary(self.stats.get_stats())),
        )
        if logger.isEnabledFor(self.stats_level):
            logger.log(
                self.stats_level,
                "Dumping Scrapy stats:\n%s",
                pprint.pformat(self.stats.get_stats()),
            )

    def summary(self, stats: dict) -> list[str]:
        items = int(stats.get("item_scraped_count", 0))
        seconds = float(stats.get("elapsed_time_seconds") or 0)
        rate = f"{items / seconds * 60:.0f}/min" if seconds else "-"
        failed = int(stats.get("moviespider/failed_pages", 0))
        pages = int(stats.get("response_received_count", 0))
        lines = [
            f"films     {items} in {duration(seconds)} ({rate}); "
            f"{counted(pages, 'page')}, {failed} given up on, "
            f"{int(stats.get('moviespider/blocked_total', 0))} blocked"
        ]
        low = stats.get("moviespider/coverage/low_fields")
        if low:
            lines.append(f"coverage  low: {', '.join(low)}")
        else:
            lines.append("coverage  " + ("no field below its threshold" if items else "no films"))
        feeds = ", ".join(self.feeds) if self.feeds else "none"
        if stats.get("moviespider/feeds/failed"):
            feeds += " (could not be written: the films counted above are not all in it)"
        lines.append(f"feed      {feeds}")
        failed_file = stats.get("moviespider/failed_pages/file")
        if failed_file:  # written only when a page fails: named only then
            listed = f"{failed} (list: {failed_file})" if failed else "none"
            lines.append(f"failed    {listed}")
        database = stats.get("moviespider/storage/database")
        if database:
            line = f"database  {int(stats.get('moviespider/storage/films', 0))} films in {database}"
            if unsaved := stats.get("moviespider/storage/unsaved"):
                line += (
                    f"; {unsaved} not stored, in {stats.get('moviespider/storage/unsaved_file')}"
                )
            lines.append(line)
        elif lost := lost_films(stats):
            lines.append(f"lost      {lost} films reached no feed or database")
        return lines


def duration(seconds: float) -> str:
    return f"{seconds:.1f}s" if seconds < 60 else format_duration(seconds)
