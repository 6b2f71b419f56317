"""The distributed mode's settings, read once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from redis import Redis

from moviespider.config import get_float
from moviespider.errors import ConfigError

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


@dataclass(frozen=True)
class FrontierConfig:
    url: str  # DISTRIBUTED: redis://host:port/db
    crawl: str | None  # DISTRIBUTED_CRAWL: the frontier's name (default: the spider's)
    lease: float  # DISTRIBUTED_LEASE: seconds a worker holds a request without renewing
    outage_pause: float  # DISTRIBUTED_OUTAGE_PAUSE: seconds of Redis outage before pausing
    seed_only: bool  # DISTRIBUTED_SEED_ONLY: queue the spider's start requests, crawl nothing

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> FrontierConfig:
        url = (settings.get("DISTRIBUTED") or "").strip()
        if not url.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigError(
                f"setting DISTRIBUTED: expected a Redis URL (redis://host:6379/0), got {url!r}"
            )
        crawl = (settings.get("DISTRIBUTED_CRAWL") or "").strip() or None
        if crawl is not None and not crawl.replace("_", "").replace("-", "").isalnum():
            raise ConfigError(
                f"setting DISTRIBUTED_CRAWL: letters, digits, - and _ only, got {crawl!r}"
            )
        return cls(
            url=url,
            crawl=crawl,
            lease=get_float(settings, "DISTRIBUTED_LEASE", minimum=1),
            outage_pause=get_float(settings, "DISTRIBUTED_OUTAGE_PAUSE", minimum=0),
            seed_only=settings.getbool("DISTRIBUTED_SEED_ONLY"),
        )

    @property
    def safe_url(self) -> str:
        """The URL as it may be shown: a password masked."""
        scheme, _, rest = self.url.partition("://")
        credentials, at, host = rest.rpartition("@")
        if not at or ":" not in credentials:
            return self.url
        return f"{scheme}://{credentials.split(':', 1)[0]}:***@{host}"


def redis_client(url: str) -> Redis:
    """A client that fails fast when Redis is down (the scheduler rides outages itself)."""
    return Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5, health_check_interval=30)
