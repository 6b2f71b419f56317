"""The moviespider add-on: crawl profiles and the in-crawl sandbox.

``DOUBAN_PROFILE`` switches between settings for the real Douban ("polite": settings.py as it
is) and for a site you own ("fast": the sandbox, a mirror). ``DOUBAN_SANDBOX = 1`` starts the
local Douban look-alike for the length of the crawl and points ``DOUBAN_BASE_URL`` at it.
Values given on the command line (``-s NAME=VALUE``) always win over both.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings

from moviespider.config import SiteConfig
from moviespider.errors import ConfigError

logger = logging.getLogger(__name__)

PROFILES: dict[str, dict[str, object]] = {
    "polite": {},
    # No delay and no AutoThrottle: the server is ours and answers as fast as it can. The
    # concurrency is what the benchmark (docs/performance.md) found best on 2 cores.
    "fast": {
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS": 64,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 64,
        # A block from a site of ours is a test of the machinery, not a reason to wait minutes.
        "DOUBAN_BLOCK_BACKOFF": 0.05,
        "DOUBAN_BLOCK_BACKOFF_MAX": 1,
        "DOUBAN_PROXY_REST": 1,
        "DOUBAN_PROXY_REST_MAX": 10,
    },
}


def is_loopback(url: str | None) -> bool:
    host = urlsplit(url or "").hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class MoviespiderAddon:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.sandbox = None

    @classmethod
    def from_crawler(cls, crawler: Crawler):
        return cls(crawler)

    def update_settings(self, settings: BaseSettings) -> None:
        # Scrapy's cookie middleware asks tldextract whether a cookie's domain is a public suffix;
        # on a cold cache tldextract tries to download the list and, offline, logs tracebacks
        # before using the snapshot it ships, which is enough for one site's cookies. Read when
        # the middleware's module is first imported, after this; a value in the environment wins.
        os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
        config = SiteConfig.from_settings(settings)
        profile = config.profile
        profile_priority = settings.getpriority("DOUBAN_PROFILE") or 0
        if config.sandbox and profile_priority < (settings.getpriority("DOUBAN_SANDBOX") or 0):
            profile = "fast"  # the sandbox is ours: be polite to it only if asked to
        elif profile_priority < (settings.getpriority("DOUBAN_BASE_URL") or 0) and is_loopback(
            settings.get("DOUBAN_BASE_URL")
        ):
            # A site on this machine is a sandbox or a recording, not Douban.
            profile = "fast"
            logger.info(
                "DOUBAN_BASE_URL is on this machine: crawling it with DOUBAN_PROFILE=fast "
                "(-s DOUBAN_PROFILE=polite keeps Douban's delays)"
            )
        # "spider" priority beats settings.py and loses to -s on the command line.
        settings.setdict(PROFILES[profile], priority="spider")
        if config.sandbox:
            self.start_sandbox(settings, config.sandbox_args)

    def start_sandbox(self, settings: BaseSettings, args: tuple[str, ...]) -> None:
        try:  # imported here: only a sandboxed crawl pays for it
            from douban_sandbox.process import SandboxError, SandboxProcess
        except ImportError:
            raise ConfigError(
                "setting DOUBAN_SANDBOX: the sandbox (douban_sandbox) is not installed here; "
                "it ships with the source, not the egg: run the crawl from a moviespider checkout"
            ) from None

        try:
            # SandboxOptionError is a ValueError: a bad option.
            self.sandbox = SandboxProcess(args=list(args))
            self.sandbox.start()
        except ValueError as error:
            raise ConfigError(f"setting DOUBAN_SANDBOX_ARGS: {error}") from None
        except SandboxError as error:
            raise ConfigError(f"setting DOUBAN_SANDBOX: {error}") from None
        settings.set("DOUBAN_BASE_URL", self.sandbox.url, priority="cmdline")
        self.crawler.signals.connect(self.stop_sandbox, signal=signals.engine_stopped)
        logger.info("Crawling the sandbox at %s", self.sandbox.url)

    def stop_sandbox(self) -> None:
        if self.sandbox is not None:
            self.sandbox.stop()
            self.sandbox = None
