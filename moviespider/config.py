"""Setting readers and each component's settings, read once into a frozen config.

Every component builds its config with ``XConfig.from_settings(settings)``; ``scrapy crawl``
builds them all (:func:`check_settings`) before Scrapy sets up logging, so a bad value is one
``ConfigError`` line and exit status 2, never a traceback. The configs live here, not beside their
components, so that the command can check every setting without importing the components (and
SQLAlchemy, Pillow, Playwright with them).

Defaults live only in ``moviespider/settings.py``. A setting missing from the crawler's settings
(a component built with bare Scrapy settings, as some tests do) falls back to that module.
"""

from __future__ import annotations

import json
import math
import os
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from moviespider import settings as project_settings
from moviespider.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from scrapy.settings import BaseSettings
    from sqlalchemy.engine import URL

BOOLEANS = {"1": True, "0": False, "true": True, "false": False, "True": True, "False": False}


def setting_value(settings: BaseSettings, name: str) -> Any:
    """The setting's value; settings.py's when the crawler's settings lack it."""
    if name in settings:
        return settings[name]
    return getattr(project_settings, name, None)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def get_int(
    settings: BaseSettings, name: str, *, minimum: int | None = None, optional: bool = False
) -> int | None:
    """Setting *name* as a whole number of at least *minimum*; None if *optional* and unset."""
    value = setting_value(settings, name)
    if optional and _empty(value):
        return None
    try:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise TypeError
        number = int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"setting {name}: expected a whole number, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise ConfigError(f"setting {name}: must be at least {minimum}, got {number}")
    return number


def get_float(settings: BaseSettings, name: str, *, minimum: float | None = None) -> float:
    """Setting *name* as a finite number (seconds, usually) of at least *minimum*."""
    value = setting_value(settings, name)
    try:
        if isinstance(value, bool):
            raise TypeError
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"setting {name}: expected a number, got {value!r}") from None
    if not math.isfinite(number):
        raise ConfigError(f"setting {name}: expected a finite number, got {value!r}")
    if minimum is not None and number < minimum:
        raise ConfigError(f"setting {name}: must be at least {minimum:g}, got {number:g}")
    return number


def get_bool(settings: BaseSettings, name: str, *, optional: bool = False) -> bool | None:
    """Setting *name* in a form Scrapy's ``getbool`` reads: 1/0, true/false, True/False."""
    value = setting_value(settings, name)
    if optional and _empty(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip() in BOOLEANS:
        return BOOLEANS[value.strip()]
    raise ConfigError(f"setting {name}: expected 1 or 0 (true or false), got {value!r}")


def get_str(settings: BaseSettings, name: str, *, optional: bool = False) -> str | None:
    """Setting *name* as text; None if *optional* and empty, an error if empty otherwise."""
    value = setting_value(settings, name)
    if _empty(value):
        if optional:
            return None
        raise ConfigError(f"setting {name}: must not be empty")
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if not isinstance(value, str):
        raise ConfigError(f"setting {name}: expected text, got {value!r}")
    return value


def get_choice(
    settings: BaseSettings, name: str, choices: Mapping[str, Any] | tuple[str, ...]
) -> str:
    value = setting_value(settings, name)
    if not isinstance(value, str) or value not in choices:
        raise ConfigError(f"setting {name}: expected one of {', '.join(choices)}, got {value!r}")
    return value


def get_dict(settings: BaseSettings, name: str) -> dict[str, Any]:
    """Setting *name* as a dict: a dict, or JSON text of one on the command line."""
    value = setting_value(settings, name)
    if value is None:
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except ValueError:
            raise ConfigError(f"setting {name}: expected a JSON object, got {value!r}") from None
    try:
        return dict(value)
    except (TypeError, ValueError):
        raise ConfigError(f"setting {name}: expected a JSON object, got {value!r}") from None


def get_list(settings: BaseSettings, name: str) -> list[str]:
    """Setting *name* as a list of text: a list, a JSON list or comma-separated text."""
    value = setting_value(settings, name)
    if _empty(value):
        return []
    if isinstance(value, str) and value.lstrip().startswith("["):
        try:
            value = json.loads(value)
        except ValueError:
            raise ConfigError(f"setting {name}: expected a JSON list, got {value!r}") from None
    elif isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"setting {name}: expected a list of text, got {value!r}")
    return list(value)


def get_http_url(settings: BaseSettings, name: str, *, optional: bool = False) -> str | None:
    from urllib.parse import urlsplit

    url = get_str(settings, name, optional=optional)
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"setting {name}: expected an http(s) URL, got {url!r}")
    return url


# --- Scrapy's own settings that README's "Settings to tweak" names -----------------------------


@dataclass(frozen=True)
class PolitenessConfig:
    """Scrapy reads these itself; checked because Scrapy answers a typo with a traceback, and a
    zero ``CONCURRENT_REQUESTS`` with a crawl that never sends a request and never ends."""

    concurrent_requests: int
    concurrent_requests_per_domain: int
    download_delay: float
    download_timeout: float
    autothrottle_enabled: bool
    download_slots: dict[str, dict[str, Any]]

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> PolitenessConfig:
        slots = get_dict(settings, "DOWNLOAD_SLOTS")
        for host, slot in slots.items():
            check_download_slot(host, slot)
        return cls(
            concurrent_requests=get_int(settings, "CONCURRENT_REQUESTS", minimum=1),
            concurrent_requests_per_domain=get_int(
                settings, "CONCURRENT_REQUESTS_PER_DOMAIN", minimum=1
            ),
            download_delay=get_float(settings, "DOWNLOAD_DELAY", minimum=0),
            download_timeout=get_float(settings, "DOWNLOAD_TIMEOUT", minimum=0),
            autothrottle_enabled=get_bool(settings, "AUTOTHROTTLE_ENABLED"),
            download_slots=slots,
        )


def check_download_slot(host: str, slot: Any) -> None:
    """One entry of DOWNLOAD_SLOTS: ``{"concurrency": 1, "delay": 3, "randomize_delay": 0}``."""
    keys = ("concurrency", "delay", "randomize_delay")
    if not isinstance(slot, dict) or not set(slot) <= set(keys):
        raise ConfigError(
            f"setting DOWNLOAD_SLOTS: {host}: expected an object with {', '.join(keys)}, "
            f"got {slot!r}"
        )
    # The readers take any mapping: each key reads as a setting named after its place.
    values = {f"DOWNLOAD_SLOTS: {host}: {key}": value for key, value in slot.items()}
    for name in values:
        if name.endswith("concurrency"):
            get_int(values, name, minimum=1)
        elif name.endswith("randomize_delay"):
            get_bool(values, name)
        else:
            get_float(values, name, minimum=0)


# --- moviespider's components -------------------------------------------------------------------


# DOUBAN_PROFILE: settings for the real Douban ("polite": settings.py as it is) or for a site
# you own ("fast"); the add-on (moviespider.addons.profiles) applies them below -s.
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


@dataclass(frozen=True)
class SiteConfig:
    """moviespider.addons.profiles: the site, the sandbox and the profile."""

    base_url: str
    profile: str
    sandbox: bool
    sandbox_args: tuple[str, ...]

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> SiteConfig:
        raw_args = setting_value(settings, "DOUBAN_SANDBOX_ARGS") or ""
        try:
            sandbox_args = tuple(shlex.split(raw_args))
        except (ValueError, AttributeError) as error:
            raise ConfigError(f"setting DOUBAN_SANDBOX_ARGS: {error}, got {raw_args!r}") from None
        sandbox = get_bool(settings, "DOUBAN_SANDBOX")
        if sandbox:
            check_sandbox_args(sandbox_args)
        return cls(
            base_url=get_http_url(settings, "DOUBAN_BASE_URL"),
            profile=get_choice(settings, "DOUBAN_PROFILE", PROFILES),
            sandbox=sandbox,
            sandbox_args=sandbox_args,
        )


def check_sandbox_args(args: tuple[str, ...]) -> None:
    """The sandbox's own option check, before it is started (when it is there to ask)."""
    try:
        from douban_sandbox.options import check_options
    except ImportError:
        return  # the add-on says in one line that the sandbox is missing
    try:
        check_options(list(args))
    except ValueError as error:  # SandboxOptionError
        raise ConfigError(f"setting DOUBAN_SANDBOX_ARGS: {error}") from None


@dataclass(frozen=True)
class BlockConfig:
    """moviespider.middlewares.blocks.BlockMiddleware."""

    retry_times: int
    max_blocks: int
    backoff: float
    backoff_max: float

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> BlockConfig:
        return cls(
            retry_times=get_int(settings, "DOUBAN_BLOCK_RETRY_TIMES", minimum=0),
            max_blocks=get_int(settings, "DOUBAN_MAX_BLOCKS", minimum=1),
            backoff=get_float(settings, "DOUBAN_BLOCK_BACKOFF", minimum=0),
            backoff_max=get_float(settings, "DOUBAN_BLOCK_BACKOFF_MAX", minimum=0),
        )


@dataclass(frozen=True)
class SessionConfig:
    """moviespider.middlewares.sessions.SessionMiddleware and its proxies."""

    sessions: int | None  # None: one, or one per proxy
    user_agents: tuple[str, ...]  # empty: the built-in list
    proxies: tuple[str, ...]  # validated proxy URLs (PROXY_LIST file or environment variable)
    proxy_rest: float
    proxy_rest_max: float
    # From the DOUBAN_COOKIES environment variable only (settings are logged); never shown.
    login_cookies: Mapping[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def from_settings(
        cls, settings: BaseSettings, environ: Mapping[str, str] = os.environ
    ) -> SessionConfig:
        from moviespider.credentials import parse_cookie_header, read_proxy_list

        login_cookies: dict[str, str] = {}
        if environ.get("DOUBAN_COOKIES", "").strip():
            try:
                login_cookies = parse_cookie_header(environ["DOUBAN_COOKIES"])
            except ValueError as error:
                raise ConfigError(
                    f"environment variable DOUBAN_COOKIES: {error}; expected the Cookie header "
                    "of a logged-in browser: name=value; name2=value2"
                ) from None
        return cls(
            login_cookies=login_cookies,
            sessions=get_int(settings, "DOUBAN_SESSIONS", minimum=1, optional=True),
            user_agents=tuple(get_list(settings, "DOUBAN_USER_AGENTS")),
            proxies=tuple(read_proxy_list(settings, environ)),
            proxy_rest=get_float(settings, "DOUBAN_PROXY_REST", minimum=0),
            proxy_rest_max=get_float(settings, "DOUBAN_PROXY_REST_MAX", minimum=0),
        )


def database_url(settings: BaseSettings) -> URL | None:
    """The database to store films in: the DATABASE_URL environment variable, else the setting.

    ``None`` when it is empty (storage switched off). A password is accepted only from the
    environment: settings live in files, command lines and Scrapyd job arguments, which others
    can read.
    """
    from sqlalchemy.engine import make_url  # SQLAlchemy: only when a URL is read
    from sqlalchemy.exc import ArgumentError

    from_environment = os.environ.get("DATABASE_URL")
    origin = "setting" if from_environment is None else "environment variable"
    raw = setting_value(settings, "DATABASE_URL") if from_environment is None else from_environment
    if raw is not None and not isinstance(raw, str):
        raise ConfigError(f"{origin} DATABASE_URL: expected a database URL, got {raw!r}")
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        url = with_bundled_driver(make_url(raw))
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        # The text itself is not repeated: it may hold a password.
        raise ConfigError(
            f"{origin} DATABASE_URL: not a database URL "
            "(expected e.g. postgresql+psycopg://user@host/db or sqlite:///path.sqlite3)"
        ) from None
    if url.password and from_environment is None:
        raise ConfigError(
            "setting DATABASE_URL: holds a password, which settings must not; "
            "give the URL in the DATABASE_URL environment variable instead"
        )
    return url


# URLs as people write them, without a driver, get the driver moviespider ships with.
BUNDLED_DRIVERS = {
    "mysql": "mysql+pymysql",
    "mariadb": "mariadb+pymysql",
    "postgres": "postgresql+psycopg",
    "postgresql": "postgresql+psycopg",
}


def with_bundled_driver(url: URL) -> URL:
    """The URL with the driver moviespider ships with, when it names none."""
    return url.set(drivername=BUNDLED_DRIVERS.get(url.drivername, url.drivername))


@dataclass(frozen=True)
class StorageConfig:
    """moviespider.pipelines.storage.StoreMovies."""

    url: URL | None  # None: storage is off
    batch_size: int
    flush_interval: float
    unsaved_file: str | None  # None: beside the first local feed (moviespider.feeds)

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> StorageConfig:

        flush_interval = get_float(settings, "DATABASE_FLUSH_INTERVAL", minimum=0)
        if flush_interval == 0:
            raise ConfigError("setting DATABASE_FLUSH_INTERVAL: expected more than 0, got 0")
        unsaved_file = get_str(settings, "DATABASE_UNSAVED_FILE", optional=True)
        try:
            if unsaved_file is not None:
                unsaved_file % {"name": "spider", "crawl_id": "0"}
        except (KeyError, ValueError, TypeError) as error:
            raise ConfigError(
                f"setting DATABASE_UNSAVED_FILE: {error!s}; only %(name)s and %(crawl_id)s "
                f"are filled in, got {unsaved_file!r}"
            ) from None
        return cls(
            url=database_url(settings),
            batch_size=get_int(settings, "DATABASE_BATCH_SIZE", minimum=1),
            flush_interval=flush_interval,
            unsaved_file=unsaved_file,
        )


@dataclass(frozen=True)
class PostersConfig:
    """moviespider.pipelines.posters.DownloadPosters."""

    enabled: bool
    images_store: str | None
    image_base_url: str | None

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> PostersConfig:
        enabled = get_bool(settings, "DOWNLOAD_POSTERS")
        images_store = get_str(settings, "IMAGES_STORE", optional=not enabled)
        return cls(
            enabled=enabled,
            images_store=images_store,
            image_base_url=get_http_url(settings, "DOUBAN_IMAGE_BASE_URL", optional=True),
        )


@dataclass(frozen=True)
class PlaywrightConfig:
    """moviespider.addons.playwright and moviespider.middlewares.browser."""

    enabled: bool

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> PlaywrightConfig:
        return cls(enabled=get_bool(settings, "PLAYWRIGHT_ENABLED"))


@dataclass(frozen=True)
class CoverageConfig:
    """moviespider.extensions.coverage.FieldCoverage (spiders add their own thresholds)."""

    thresholds: Mapping[str, float]
    min_items: int

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> CoverageConfig:
        return cls(
            thresholds=check_thresholds(
                get_dict(settings, "COVERAGE_THRESHOLDS"), "setting COVERAGE_THRESHOLDS"
            ),
            min_items=get_int(settings, "COVERAGE_MIN_ITEMS", minimum=0),
        )


def check_thresholds(thresholds: Mapping[str, Any], where: str) -> dict[str, float]:
    """Field coverage thresholds: Movie field names to shares from 0 to 1."""
    from moviespider.items import MOVIE_FIELDS

    checked = {}
    for name, share in thresholds.items():
        if name not in MOVIE_FIELDS:
            raise ConfigError(f"{where}: {name!r} is not a Movie field")
        try:
            checked[name] = -1.0 if isinstance(share, bool) else float(share)
        except (TypeError, ValueError):
            checked[name] = -1.0
        if not 0 <= checked[name] <= 1:
            raise ConfigError(f"{where}: {name}: expected a share from 0 to 1, got {share!r}")
    return checked


@dataclass(frozen=True)
class ProgressConfig:
    """moviespider.extensions.progress.Progress."""

    bar: bool | None  # None: a bar when stderr is a terminal
    bar_refresh: float
    log_interval: float  # Scrapy's LOGSTATS_INTERVAL; 0: no log line

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> ProgressConfig:
        refresh = get_float(settings, "PROGRESS_BAR_REFRESH", minimum=0)
        if refresh == 0:
            raise ConfigError("setting PROGRESS_BAR_REFRESH: expected more than 0, got 0")
        return cls(
            bar=get_bool(settings, "PROGRESS_BAR", optional=True),
            bar_refresh=refresh,
            log_interval=get_float(settings, "LOGSTATS_INTERVAL", minimum=0),
        )


@dataclass(frozen=True)
class ReportConfig:
    """moviespider.extensions.timeline.CrawlTimeline and the HTML report."""

    report: str | None  # a path (with %(name)s, %(crawl_id)s, %(time)s); None: no report
    timeline_interval: float  # 0: no timeline, no report

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> ReportConfig:
        report = get_str(settings, "REPORT", optional=True)
        if report is not None:
            # Its folder is made when the report is written: the nearest that exists must let it.
            folder = os.path.dirname(os.path.abspath(report))
            while not os.path.exists(folder):
                folder = os.path.dirname(folder)
            if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
                raise ConfigError(f"setting REPORT: cannot write into {folder}")
        return cls(
            report=report,
            timeline_interval=get_float(settings, "TIMELINE_INTERVAL", minimum=0),
        )


def get_share(settings: BaseSettings, name: str) -> float:
    share = get_float(settings, name, minimum=0)
    if share > 1:
        raise ConfigError(f"setting {name}: expected a share from 0 to 1, got {share:g}")
    return share


@dataclass(frozen=True)
class MonitorConfig:
    """moviespider.monitors: the limits the close monitors judge the crawl against."""

    items_share: float
    min_items: int
    finish_reasons: tuple[str, ...]
    max_failed_share: float
    max_error_share: float
    max_blocked_share: float

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> MonitorConfig:
        reasons = tuple(get_list(settings, "MONITOR_FINISH_REASONS"))
        if not reasons:
            raise ConfigError("setting MONITOR_FINISH_REASONS: name at least one reason")
        get_int(settings, "SCHEMA_VALIDATION_SAMPLE", minimum=1)  # SampledItemValidation's
        return cls(
            items_share=get_share(settings, "MONITOR_ITEMS_SHARE"),
            min_items=get_int(settings, "MONITOR_MIN_ITEMS", minimum=0),
            finish_reasons=reasons,
            max_failed_share=get_share(settings, "MONITOR_MAX_FAILED_SHARE"),
            max_error_share=get_share(settings, "MONITOR_MAX_ERROR_SHARE"),
            max_blocked_share=get_share(settings, "MONITOR_MAX_BLOCKED_SHARE"),
        )


@dataclass(frozen=True)
class FailedPagesConfig:
    """moviespider.extensions.failures.FailedPages."""

    file: str | None  # None: beside the first local feed

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> FailedPagesConfig:
        file = get_str(settings, "FAILED_URLS_FILE", optional=True)
        if file is not None and os.path.isdir(file):
            raise ConfigError(f"setting FAILED_URLS_FILE: {file!r} is a directory, not a file")
        return cls(file=file)


@dataclass(frozen=True)
class GCConfig:
    """moviespider.extensions.garbage.GCThreshold."""

    threshold: tuple[int, ...] | None  # None: Python's own

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> GCConfig:
        value = setting_value(settings, "GC_THRESHOLD")
        if value in (None, "", [], ()):
            return cls(threshold=None)
        parts = value.split(",") if isinstance(value, str) else value
        try:
            threshold = tuple(int(part) for part in parts)
        except (TypeError, ValueError):
            threshold = ()
        if not 1 <= len(threshold) <= 3 or any(number < 0 for number in threshold):
            raise ConfigError(
                f"setting GC_THRESHOLD: expected one to three whole numbers ≥ 0 "
                f"(like 7000,10,10), got {value!r}"
            )
        return cls(threshold=threshold)


@dataclass(frozen=True)
class Top250Config:
    """moviespider.spiders.douban_top250."""

    size: int

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Top250Config:
        return cls(size=get_int(settings, "DOUBAN_TOP250_SIZE", minimum=1))


@dataclass(frozen=True)
class LaterConfig:
    """moviespider.spiders.douban_later."""

    reference_date: date | None  # None: today in China

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> LaterConfig:
        value = setting_value(settings, "DOUBAN_REFERENCE_DATE")
        if _empty(value):
            return cls(reference_date=None)
        if isinstance(value, date):
            return cls(reference_date=value)
        try:
            return cls(reference_date=date.fromisoformat(str(value)))
        except ValueError:
            raise ConfigError(
                f"setting DOUBAN_REFERENCE_DATE: expected a date (YYYY-MM-DD), got {value!r}"
            ) from None


@dataclass(frozen=True)
class DistributedConfig:
    """moviespider.addons.distributed and moviespider.frontier (docs/distributed.md)."""

    url: str | None  # DISTRIBUTED: redis://host:port/db; None: not distributed
    crawl: str | None  # DISTRIBUTED_CRAWL: the frontier's name (default: the spider's)
    lease: float  # DISTRIBUTED_LEASE: seconds a request is held without renewing
    outage_pause: float  # DISTRIBUTED_OUTAGE_PAUSE: seconds of Redis outage before pausing
    seed_only: bool  # DISTRIBUTED_SEED_ONLY: queue the start requests, crawl nothing

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> DistributedConfig:
        url = get_str(settings, "DISTRIBUTED", optional=True)
        if url is not None:
            url = url.strip()
            if not url.startswith(("redis://", "rediss://", "unix://")):
                raise ConfigError(
                    f"setting DISTRIBUTED: expected a Redis URL (redis://host:6379/0), got "
                    f"{mask_password(url)!r}"
                )
            if get_str(settings, "JOBDIR", optional=True):
                raise ConfigError(
                    "setting JOBDIR: a distributed crawl keeps its requests in Redis "
                    "(DISTRIBUTED), not in a JOBDIR; give one or the other"
                )
        crawl = get_str(settings, "DISTRIBUTED_CRAWL", optional=True)
        if crawl is not None and not re.fullmatch(r"[\w-]+", crawl, re.ASCII):
            raise ConfigError(
                f"setting DISTRIBUTED_CRAWL: letters, digits, - and _ only, got {crawl!r}"
            )
        return cls(
            url=url,
            crawl=crawl,
            lease=get_float(settings, "DISTRIBUTED_LEASE", minimum=1),
            outage_pause=get_float(settings, "DISTRIBUTED_OUTAGE_PAUSE", minimum=0),
            seed_only=bool(get_bool(settings, "DISTRIBUTED_SEED_ONLY")),
        )

    @property
    def safe_url(self) -> str:
        return mask_password(self.url or "")


def mask_password(url: str) -> str:
    """A URL as it may be shown: the password, if any, masked."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not sep or not at or ":" not in credentials:
        return url
    return f"{scheme}://{credentials.split(':', 1)[0]}:***@{host}"


CONFIGS = (
    PolitenessConfig,
    SiteConfig,
    BlockConfig,
    SessionConfig,
    StorageConfig,
    PostersConfig,
    PlaywrightConfig,
    CoverageConfig,
    ProgressConfig,
    FailedPagesConfig,
    GCConfig,
    Top250Config,
    LaterConfig,
    DistributedConfig,
    ReportConfig,
    MonitorConfig,
)


def check_settings(settings: BaseSettings) -> None:
    """Build every component's config: raises ConfigError on the first bad setting."""
    for config in CONFIGS:
        config.from_settings(settings)


def check_command_line_dicts(settings: BaseSettings, pairs: list[str]) -> None:
    """Refuse ``-s NAME=VALUE`` for a dict setting unless VALUE is a JSON object: Scrapy would
    fail on it with a traceback (a list) or call it an invalid -s value (bad JSON)."""
    for name, _, value in (pair.partition("=") for pair in pairs):
        if not isinstance(settings.get(name), Mapping):
            continue
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise ConfigError(f"setting {name}: expected a JSON object, got {value!r}")
