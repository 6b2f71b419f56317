"""How a crawl can end: its close reasons, named once."""

from __future__ import annotations

from typing import Final


class CloseReason:
    """moviespider's own close reasons (Scrapy's are ``finished``, ``shutdown``, …)."""

    BANNED: Final = "banned"  # Douban refuses the address itself
    FIELD_COVERAGE_LOW: Final = "field_coverage_low"  # the parsers no longer find key fields
    JAVASCRIPT_REQUIRED: Final = "javascript_required"  # the pages need a browser, which is off


# Each was logged as an error saying what to do; the crawl ran but did not get what it came for.
FAILED_CLOSE_REASONS: Final = frozenset(
    {CloseReason.BANNED, CloseReason.FIELD_COVERAGE_LOW, CloseReason.JAVASCRIPT_REQUIRED}
)
