"""Setting readers: every component reads its settings through these.

Scrapy's ``settings.getint("X")`` answers a typo such as ``-s DOUBAN_MAX_BLOCKS=ten`` with a
traceback from deep inside the crawler. These readers raise :class:`~moviespider.errors.ConfigError`
naming the setting instead, so the crawl stops before its first request with one line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from moviespider.errors import ConfigError

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


def get_int(settings: BaseSettings, name: str, *, minimum: int | None = None) -> int:
    """Read setting *name* as a whole number of at least *minimum*."""
    value = settings.get(name)
    if isinstance(value, bool):
        raise ConfigError(f"setting {name}: expected a whole number, got {value!r}")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"setting {name}: expected a whole number, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise ConfigError(f"setting {name}: must be at least {minimum}, got {number}")
    return number


def get_float(settings: BaseSettings, name: str, *, minimum: float | None = None) -> float:
    """Read setting *name* as a number (seconds, usually) of at least *minimum*."""
    value = settings.get(name)
    if isinstance(value, bool):
        raise ConfigError(f"setting {name}: expected a number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"setting {name}: expected a number, got {value!r}") from None
    if number != number or number in (float("inf"), float("-inf")):  # NaN or infinite
        raise ConfigError(f"setting {name}: expected a finite number, got {value!r}")
    if minimum is not None and number < minimum:
        raise ConfigError(f"setting {name}: must be at least {minimum:g}, got {number:g}")
    return number


def check_politeness_settings(settings: BaseSettings) -> None:
    """Reject concurrency and delay values Scrapy would accept and then hang or misbehave on.

    A zero or negative ``CONCURRENT_REQUESTS`` leaves the downloader permanently "full": the
    crawl never sends a request and never ends.
    """
    get_int(settings, "CONCURRENT_REQUESTS", minimum=1)
    get_int(settings, "CONCURRENT_REQUESTS_PER_DOMAIN", minimum=1)
    get_float(settings, "DOWNLOAD_DELAY", minimum=0)
    get_float(settings, "DOWNLOAD_TIMEOUT", minimum=0)
