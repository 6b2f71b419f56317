"""Rendering pages that need JavaScript in a real browser: scrapy-playwright on Chromium.

Off by default (docs/playwright.md says why and what it costs). ``-s PLAYWRIGHT_ENABLED=1``
makes ``PlaywrightAddon`` install scrapy-playwright's download handler; only the requests a spider
names in ``browser_pages`` go through the browser. Playwright is imported only then.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured
from scrapy.settings import SETTINGS_PRIORITIES

from moviespider.config import PlaywrightConfig, get_float
from moviespider.errors import ConfigError

if TYPE_CHECKING:
    from playwright.async_api import Request as BrowserRequest
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

ADDON_PRIORITY = SETTINGS_PRIORITIES["addon"]
PLAYWRIGHT_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"

# The system's Chromium, looked up on PATH: Debian's is /usr/bin/chromium, Ubuntu's
# chromium-browser.
SYSTEM_CHROMIUM_NAMES = ("chromium", "chromium-browser")

# What the parsers never read: the browser aborts these instead of downloading them.
BLOCKED_RESOURCE_TYPES = frozenset({"image", "media", "font"})

# Close reason of a crawl that met pages only JavaScript can fill, without a browser.

# How `playwright install --dry-run` names the directory a browser is (or would be) in.
INSTALL_LOCATION = re.compile(r"^\s*Install location:\s*(.+?)\s*$", re.MULTILINE)


class PlaywrightAddon:
    """``PLAYWRIGHT_ENABLED = 1``: render the pages a spider names in its browser_pages.

    Installs scrapy-playwright's download handler for http and https, picks the Chromium to
    drive (``chromium_executable``), blocks images, fonts and media, bounds the browser to one
    context with ``PLAYWRIGHT_MAX_PAGES_PER_CONTEXT`` pages, and turns browser timeouts into
    retries. Settings given in settings.py or with -s win over the values set here.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PlaywrightAddon:
        if not PlaywrightConfig.from_settings(crawler.settings).enabled:
            raise NotConfigured
        return cls(crawler)

    def update_settings(self, settings: BaseSettings) -> None:
        handlers = settings.getdict("DOWNLOAD_HANDLERS")
        for scheme in ("http", "https"):
            handlers.setdefault(scheme, PLAYWRIGHT_HANDLER)
        settings.set("DOWNLOAD_HANDLERS", handlers, settings.getpriority("DOWNLOAD_HANDLERS") or 0)

        launch_options = {
            "headless": True,
            "args": chromium_arguments(),
            **settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS"),
        }
        executable = chromium_executable(settings, headless=bool(launch_options["headless"]))
        if executable is not None:
            launch_options["executable_path"] = executable
        # The user's options are merged in: keep their priority so that ours are not dropped.
        priority = max(settings.getpriority("PLAYWRIGHT_LAUNCH_OPTIONS") or 0, ADDON_PRIORITY)
        settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", launch_options, priority)
        logger.info(
            "Pages that need JavaScript are rendered by %s",
            executable or "Playwright's own Chromium",
        )

        timeout_ms = get_float(settings, "DOWNLOAD_TIMEOUT", minimum=0) * 1000
        for name, value in {
            "PLAYWRIGHT_BROWSER_TYPE": "chromium",
            "PLAYWRIGHT_ABORT_REQUEST": f"{__name__}.is_blocked_resource",
            # One context: one cookie jar for the whole crawl, as with Scrapy's downloader. Each
            # open page costs tens of MB (docs/playwright.md), so they are few.
            "PLAYWRIGHT_MAX_CONTEXTS": 1,
            "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 4,
            # Scrapy's DOWNLOAD_TIMEOUT does not reach into the browser: give it the same limit.
            "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": timeout_ms,
        }.items():
            settings.setdefault(name, value, "addon")

        # A browser navigation that times out or fails on the network (net::ERR_…) is retried
        # like the connection errors RETRY_EXCEPTIONS already lists.
        retried = settings.getlist("RETRY_EXCEPTIONS")
        if "playwright.async_api.Error" not in retried:
            retried.append("playwright.async_api.Error")
            settings.set("RETRY_EXCEPTIONS", retried, settings.getpriority("RETRY_EXCEPTIONS") or 0)

        settings.setdefault_in_component_priority_dict(
            "DOWNLOADER_MIDDLEWARES", "moviespider.middlewares.browser.RenderInBrowser", 950
        )


def is_blocked_resource(request: BrowserRequest) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: True for what the browser should not download."""
    return request.resource_type in BLOCKED_RESOURCE_TYPES


def chromium_arguments() -> list[str]:
    arguments = [
        "--disable-gpu",  # headless, nothing to draw
        "--disable-dev-shm-usage",  # containers give /dev/shm 64 MB: Chromium crashes in it
        # Images are also aborted by PLAYWRIGHT_ABORT_REQUEST, but a request routed while its
        # page closes can slip through that: the renderer itself then does not ask for them.
        "--blink-settings=imagesEnabled=false",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Chromium refuses to start as root (containers, CI) with its sandbox on.
        arguments.append("--no-sandbox")
    return arguments


def chromium_executable(settings: BaseSettings, *, headless: bool = True) -> str | None:
    """The Chromium to launch: a path, or None for the one Playwright installed itself.

    An explicit choice wins (``PLAYWRIGHT_LAUNCH_OPTIONS["executable_path"]``, then the
    ``PLAYWRIGHT_EXECUTABLE_PATH`` setting or environment variable); then Playwright's own
    Chromium if ``playwright install`` put it there; then the system's. Raise ConfigError when
    there is none: the crawl would otherwise fail on every page it renders.
    """
    for name, path in (
        (
            "PLAYWRIGHT_LAUNCH_OPTIONS",
            settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS").get("executable_path"),
        ),
        ("PLAYWRIGHT_EXECUTABLE_PATH", settings.get("PLAYWRIGHT_EXECUTABLE_PATH")),
        ("PLAYWRIGHT_EXECUTABLE_PATH", os.environ.get("PLAYWRIGHT_EXECUTABLE_PATH")),
    ):
        if path:
            if not is_executable(path):
                raise ConfigError(f"setting {name}: {path!r} is not an executable file")
            return str(path)
    if playwright_chromium_installed(headless=headless):
        return None
    if system := system_chromium():
        return system
    raise ConfigError(
        "setting PLAYWRIGHT_ENABLED: no Chromium to render pages with: install Debian's "
        "(apt-get install chromium) or Playwright's (python -m playwright install chromium), "
        "or set PLAYWRIGHT_EXECUTABLE_PATH"
    )


def system_chromium() -> str | None:
    for name in SYSTEM_CHROMIUM_NAMES:
        if found := shutil.which(name):
            return found
    return None


def playwright_chromium_installed(*, headless: bool = True) -> bool:
    """Whether ``playwright install`` has put the Chromium Playwright would launch in place.

    Asks Playwright where it would install it (it knows PLAYWRIGHT_BROWSERS_PATH and its own
    layout); headless launches use its "headless shell" build.
    """
    browser = "chromium-headless-shell" if headless else "chromium"
    try:
        answer = subprocess.run(
            [sys.executable, "-m", "playwright", "install", "--dry-run", browser],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    location = INSTALL_LOCATION.search(answer)
    return location is not None and Path(location.group(1)).is_dir()


def is_executable(path: str | os.PathLike[str]) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)
