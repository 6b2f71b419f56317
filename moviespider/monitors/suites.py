"""The monitors Spidermon runs when a crawl ends (the engine stops, the outcome is decided), and
the suite that alerts when one fails.

Each monitor judges one thing the exit status already decides or the stats already hold; the
monitors add a message a person reads and a channel it reaches them by (moviespider.monitors.
alerts). Field coverage is the project's own check (moviespider.extensions.coverage), reported
here, not computed a second time.
"""

from __future__ import annotations

import math
from typing import ClassVar

from spidermon import Monitor, MonitorSuite, monitors
from spidermon.contrib.scrapy.monitors import ItemValidationMonitor

from moviespider.extensions.coverage import FieldCoverage
from moviespider.extensions.outcome import EXIT_STATUS_STAT, OUTCOME_STAT
from moviespider.jobdir.feedstorage import EARLIER_ITEMS_STAT, REPEATS_STAT
from moviespider.jobdir.scheduler import RESUMED_STAT
from moviespider.monitors.alerts import SendAlert
from moviespider.monitors.settings import MonitorSettings
from moviespider.outcomes import COMPLETE, OUTCOMES, pages_requested
from moviespider.text import counted


class CrawlMonitor(Monitor):
    @property
    def limits(self) -> MonitorSettings:
        return MonitorSettings.from_settings(self.data.crawler.settings)

    def stat(self, name: str) -> int | float:
        return self.data.stats.get(name) or 0


@monitors.name("Items")
class ItemCountMonitor(CrawlMonitor):
    @monitors.name("Items against the spider's expectation")
    def test_enough_items(self):
        items = self.stat("item_scraped_count")
        said = f"{items} items"
        if self.stat(RESUMED_STAT):
            # The job's earlier runs delivered some: they count, as the feed holds them.
            if not (earlier := self.stat(EARLIER_ITEMS_STAT)):
                self.skipTest("a resumed job without a local feed: its earlier items are unknown")
            items = max(items, earlier + items - self.stat(REPEATS_STAT))
            said = f"{items} items over the job's runs"
        expected = getattr(self.data.spider, "expected_items", None)
        if isinstance(expected, int) and expected > 0:
            minimum = math.ceil(expected * self.limits.items_share)
            why = f"the spider expected {expected}, MONITOR_ITEMS_SHARE {self.limits.items_share:g}"
        else:
            minimum = self.limits.min_items
            why = "MONITOR_MIN_ITEMS"
        if items < minimum:
            self.fail(f"{said}, fewer than {minimum} ({why})")


@monitors.name("Outcome")
class OutcomeMonitor(CrawlMonitor):
    """The exit status scrapy crawl gives cron and CI, said in words (moviespider.outcomes)."""

    @monitors.name("The crawl's outcome")
    def test_outcome(self):
        name = self.data.stats.get(OUTCOME_STAT)
        if name is None:
            self.skipTest("no outcome decided (CrawlOutcome is off)")
        if name != COMPLETE.name:
            outcome = next((o for o in OUTCOMES if o.name == name), None)
            meaning = f": {outcome.meaning}" if outcome else ""
            status = self.data.stats.get(EXIT_STATUS_STAT)
            self.fail(f"{name} (exit status {status}){meaning}")


@monitors.name("Finish reason")
class FinishReasonMonitor(CrawlMonitor):
    @monitors.name("The crawl ended as expected")
    def test_finish_reason(self):
        reason = self.data.stats.get("finish_reason")
        if reason not in self.limits.finish_reasons:
            self.fail(
                f"the crawl ended with reason {reason!r}, not "
                + " or ".join(repr(r) for r in self.limits.finish_reasons)
            )


@monitors.name("Field coverage")
class FieldCoverageMonitor(CrawlMonitor):
    @monitors.name("Key fields above their thresholds")
    def test_field_coverage(self):
        coverage = self.data.crawler.get_extension(FieldCoverage)
        if coverage is None:
            self.skipTest("the FieldCoverage extension is off")
        low = coverage.low_fields()
        if low:
            self.fail(
                "; ".join(
                    f"{name} in {100 * coverage.share(name):.1f}% of {coverage.items} items "
                    f"(threshold {100 * coverage.thresholds[name]:g}%)"
                    for name in low
                )
            )


@monitors.name("Errors and failed pages")
class FailureShareMonitor(CrawlMonitor):
    @monitors.name("Share of pages given up on")
    def test_failed_pages(self):
        failed = self.stat("moviespider/failed_pages")
        share = failed / max(pages_requested(self.data.stats), 1)  # as the outcome counts them
        if share > self.limits.max_failed_share:
            self.fail(
                f"{counted(failed, 'page')} given up on, {share:.1%} of requests "
                f"(MONITOR_MAX_FAILED_SHARE {self.limits.max_failed_share:.1%})"
            )

    @monitors.name("Share of errors")
    def test_errors(self):
        errors = self.stat("downloader/exception_count") + self.stat("spider_exceptions/count")
        share = errors / max(self.stat("downloader/request_count"), 1)  # retries too
        if share > self.limits.max_error_share:
            self.fail(
                f"{errors} download errors and callback exceptions, {share:.1%} of requests "
                f"(MONITOR_MAX_ERROR_SHARE {self.limits.max_error_share:.1%})"
            )


@monitors.name("Blocks")
class BlocksMonitor(CrawlMonitor):
    @monitors.name("Share of responses that were blocks")
    def test_blocks(self):
        blocks = self.stat("moviespider/blocked_total")
        share = blocks / max(self.stat("response_received_count"), 1)
        if share > self.limits.max_blocked_share:
            self.fail(
                f"Douban blocked {blocks} responses, {share:.1%} of them "
                f"(MONITOR_MAX_BLOCKED_SHARE {self.limits.max_blocked_share:.1%})"
            )


class CrawlMonitors(MonitorSuite):
    """SPIDERMON_ENGINE_STOP_MONITORS: every monitor above; an alert when any fails."""

    monitors: ClassVar[list] = [
        OutcomeMonitor,
        ItemCountMonitor,
        FinishReasonMonitor,
        FieldCoverageMonitor,
        FailureShareMonitor,
        BlocksMonitor,
        # Spidermon's own: validation errors against the Movie schema (moviespider/schema.py).
        ItemValidationMonitor,
    ]
    monitors_failed_actions: ClassVar[list] = [SendAlert]
