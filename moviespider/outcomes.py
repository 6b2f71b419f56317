"""How a crawl can end: its close reasons and its outcomes (exit statuses), named once.

The outcome is decided once, by :func:`decide` (called by
:class:`moviespider.extensions.outcome.CrawlOutcome` when the engine stops), written to the
``moviespider/outcome`` and ``moviespider/exit_status`` stats, and is what ``scrapy crawl``
exits with (README, "Exit status").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from moviespider.text import counted


class CloseReason:
    """moviespider's own close reasons (Scrapy's are ``finished``, ``shutdown``, …)."""

    BANNED: Final = "banned"  # Douban refuses the address itself
    FIELD_COVERAGE_LOW: Final = "field_coverage_low"  # the parsers no longer find key fields
    JAVASCRIPT_REQUIRED: Final = "javascript_required"  # the pages need a browser, which is off
    FEED_FAILED: Final = "feed_failed"  # a feed cannot be written: every further film is lost


# Each was logged as an error saying what to do; the crawl ran but did not get what it came for.
FAILED_CLOSE_REASONS: Final = frozenset(
    {
        CloseReason.BANNED,
        CloseReason.FIELD_COVERAGE_LOW,
        CloseReason.JAVASCRIPT_REQUIRED,
        CloseReason.FEED_FAILED,
    }
)


@dataclass(frozen=True)
class Outcome:
    name: str
    exit_status: int
    meaning: str


COMPLETE: Final = Outcome("complete", 0, "the crawl got what it came for")
CRASHED: Final = Outcome(
    "crashed", 1, "an unexpected error in the crawl itself (a traceback in the log): a bug"
)
USAGE: Final = Outcome("usage", 2, "a bad argument or setting, in one line; nothing was crawled")
BLOCKED: Final = Outcome(
    "blocked",
    3,
    "Douban banned the crawl (close reason banned), or most pages given up on were blocks",
)
COVERAGE_LOW: Final = Outcome(
    "coverage_low", 4, "a key field is missing from too many films: Douban changed its markup"
)
JAVASCRIPT_REQUIRED: Final = Outcome(
    "javascript_required", 5, "the pages need a browser: run with -s PLAYWRIGHT_ENABLED=1"
)
INCOMPLETE: Final = Outcome(
    "incomplete",
    6,
    "more than INCOMPLETE_FAILED_SHARE of the pages were given up on, or films reached no "
    "feed or no database (they are in the fallback file)",
)
FEED_FAILED: Final = Outcome(
    "feed_failed", 7, "a feed could not be written: the crawl stopped at its first film"
)
INTERRUPTED: Final = Outcome(
    "interrupted", 130, "stopped by Ctrl-C, SIGTERM or a Scrapyd cancel (resume with JOBDIR)"
)

OUTCOMES: Final = (
    COMPLETE,
    CRASHED,
    USAGE,
    BLOCKED,
    COVERAGE_LOW,
    JAVASCRIPT_REQUIRED,
    INCOMPLETE,
    FEED_FAILED,
    INTERRUPTED,
)
BY_NAME: Final = {outcome.name: outcome for outcome in OUTCOMES}

# Stats that count films that reached no sink (a feed, the database): any positive one makes a
# crawl incomplete. Components add theirs under LOST_PREFIX.
LOST_PREFIX: Final = "moviespider/lost/"
LOST_STATS: Final = ("moviespider/storage/unsaved", "moviespider/durability/not_durable")
# A sink that failed (moviespider.durability) holds back whatever it was given after.
SINK_FAILED_PREFIX: Final = "moviespider/durability/failed/"
FEED_FAILED_PREFIX: Final = "feedexport/failed_count/"

# Scrapy's reasons for a crawl that ended as the user asked.
_COMPLETE_REASONS: Final = frozenset({"finished"})
_SHUTDOWN_REASONS: Final = frozenset({"shutdown"})


def pages_requested(stats: Mapping[str, Any]) -> int:
    """Distinct pages the crawl asked for: every download, less retries of a page and the
    robots.txt files (no page of Douban's)."""
    retries = int(stats.get("retry/count", 0)) + int(stats.get("moviespider/blocked_retried", 0))
    robots = int(stats.get("robotstxt/request_count", 0))
    return int(stats.get("downloader/request_count", 0)) - retries - robots


def lost_films(stats: Mapping[str, Any]) -> int:
    lost = sum(int(stats.get(name) or 0) for name in LOST_STATS)
    lost += sum(1 for name in stats if name.startswith(SINK_FAILED_PREFIX))
    return lost + sum(
        int(value)
        for name, value in stats.items()
        if name.startswith(LOST_PREFIX) and isinstance(value, int)
    )


def failed_share(stats: Mapping[str, Any]) -> float:
    failed = int(stats.get("moviespider/failed_pages", 0))
    if not failed:
        return 0.0
    return failed / max(pages_requested(stats), failed)


def decide(stats: Mapping[str, Any], incomplete_share: float) -> tuple[Outcome, str]:
    """The crawl's outcome from its final stats, and why, in a few words."""
    reason = stats.get("finish_reason")
    if reason is None:
        return CRASHED, "the spider never closed"
    if reason in _SHUTDOWN_REASONS:
        return INTERRUPTED, f"close reason {reason}"
    if reason == CloseReason.FEED_FAILED:
        return FEED_FAILED, "a feed could not be written"
    if reason == CloseReason.BANNED:
        return BLOCKED, "close reason banned"
    if reason == CloseReason.JAVASCRIPT_REQUIRED:
        return JAVASCRIPT_REQUIRED, "close reason javascript_required"
    if reason == CloseReason.FIELD_COVERAGE_LOW or stats.get("moviespider/coverage/low_fields"):
        return COVERAGE_LOW, "low fields: " + ", ".join(
            stats.get("moviespider/coverage/low_fields") or ["?"]
        )
    failed = int(stats.get("moviespider/failed_pages", 0))
    share = failed_share(stats)
    if share > incomplete_share:
        given_up_blocked = int(stats.get("moviespider/blocked_given_up", 0))
        why = f"{counted(failed, 'page')} given up on ({share:.0%} of those requested)"
        if given_up_blocked * 2 > failed:
            return BLOCKED, f"{why}, {given_up_blocked} of them blocked"
        return INCOMPLETE, why
    feed_failures = sum(
        int(value) for name, value in stats.items() if name.startswith(FEED_FAILED_PREFIX)
    )
    if feed_failures:
        return INCOMPLETE, f"{feed_failures} feeds could not be stored"
    if lost := lost_films(stats):
        return INCOMPLETE, f"{lost} films reached no feed or database"
    if reason not in _COMPLETE_REASONS and not str(reason).startswith("closespider_"):
        return INCOMPLETE, f"close reason {reason}"
    return COMPLETE, f"close reason {reason}"
