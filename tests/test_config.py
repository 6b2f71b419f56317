"""Every setting moviespider reads, and every one README names: a bad value is a ConfigError
naming it. `scrapy crawl` runs these checks before logging (tests/crawl/test_settings.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from scrapy.settings import Settings

from moviespider import settings as project_settings
from moviespider.config import (
    CONFIGS,
    PolitenessConfig,
    ProgressConfig,
    SessionConfig,
    StorageConfig,
    check_settings,
    get_bool,
)
from moviespider.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]

# One bad value per setting, as `-s NAME=VALUE` gives it (text).
BAD_VALUES = {
    # README's "Settings to tweak"
    "CONCURRENT_REQUESTS": "abc",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "0",
    "DOWNLOAD_DELAY": "abc",
    "AUTOTHROTTLE_ENABLED": "yes",
    "DOWNLOAD_SLOTS": '{"movie.douban.com": {"delay": "slow"}}',
    "DOUBAN_PROFILE": "turbo",
    "DOUBAN_BASE_URL": "movie.douban.com",
    "DOUBAN_SANDBOX": "yes",
    "DATABASE_URL": "postgresql+psycopg://user@localhost:abc/films",
    "PLAYWRIGHT_ENABLED": "on",
    # the rest of settings.py's own
    "DOWNLOAD_TIMEOUT": "-1",
    "DOUBAN_SANDBOX_ARGS": "--catalog 'unclosed",
    "DOUBAN_REFERENCE_DATE": "03/14",
    "DOUBAN_TOP250_SIZE": "0",
    "DOUBAN_BLOCK_RETRY_TIMES": "2.5",
    "DOUBAN_MAX_BLOCKS": "ten",
    "DOUBAN_BLOCK_BACKOFF": "-3",
    "DOUBAN_BLOCK_BACKOFF_MAX": "soon",
    "DOUBAN_SESSIONS": "0",
    "DOUBAN_USER_AGENTS": '["Mozilla/5.0", 5]',
    "DOUBAN_PROXY_REST": "a minute",
    "DOUBAN_PROXY_REST_MAX": "inf",
    "DOUBAN_IMAGE_BASE_URL": "img.example.com",
    "PROXY_LIST": "/nonexistent/proxies.txt",
    "DATABASE_BATCH_SIZE": "0",
    "DATABASE_FLUSH_INTERVAL": "0",
    "DATABASE_UNSAVED_FILE": "unsaved-%(spider)s.jl",
    "DOWNLOAD_POSTERS": "yes",
    "FAILED_URLS_FILE": str(ROOT),  # a directory
    "COVERAGE_THRESHOLDS": '{"title": 2}',
    "COVERAGE_MIN_ITEMS": "-1",
    "PROGRESS_BAR": "maybe",
    "PROGRESS_BAR_REFRESH": "0",
    "GC_THRESHOLD": "7000,ten",
    "SCHEMA_VALIDATION_SAMPLE": "0",
    "REPORT": "/dev/null/report.html",  # under a file, not a folder
    "DISTRIBUTED": "localhost:6379",
    "DISTRIBUTED_CRAWL": "my crawl",
    "DISTRIBUTED_LEASE": "0.5",
    "DISTRIBUTED_OUTAGE_PAUSE": "soon",
    "DISTRIBUTED_SEED_ONLY": "maybe",
}
# Settings that are only read with another one set.
CONTEXT = {"IMAGES_STORE": {"DOWNLOAD_POSTERS": "1"}}
BAD_VALUES["IMAGES_STORE"] = ""

OURS = re.compile(
    r"(DOUBAN|DATABASE|COVERAGE|PROGRESS|DISTRIBUTED)_\w+|DISTRIBUTED|FAILED_URLS_FILE|PROXY_LIST"
    r"|GC_THRESHOLD"
)


@pytest.fixture(autouse=True)
def environment(monkeypatch):
    """The environment variables that stand in for settings: unset unless a test sets them."""
    for name in ("DATABASE_URL", "PROXY_LIST", "DOUBAN_COOKIES"):
        monkeypatch.delenv(name, raising=False)


def project(**overrides: str) -> Settings:
    """The project's settings with *overrides* given as `-s` gives them."""
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    settings.setdict(overrides, priority="cmdline")
    return settings


def test_every_project_setting_and_readme_setting_has_a_bad_value_case():
    ours = {name for name in vars(project_settings) if OURS.fullmatch(name)}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Settings to tweak", 1)[1].split("\n## ", 1)[0]
    tweakable = set(re.findall(r"^\| `([A-Z_]+)` \|", table, re.M))
    assert len(tweakable) >= 10
    assert (ours | tweakable) - set(BAD_VALUES) == set()


def test_the_project_defaults_pass():
    check_settings(project())


@pytest.mark.parametrize(("name", "value"), BAD_VALUES.items())
def test_a_bad_value_is_a_config_error_naming_the_setting(name, value):
    with pytest.raises(ConfigError, match=rf"^setting {name}: "):
        check_settings(project(**CONTEXT.get(name, {}), **{name: value}))


def test_database_url_from_the_environment_is_checked_and_named_so(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://user:secret@localhost:abc/films")
    with pytest.raises(ConfigError, match=r"^environment variable DATABASE_URL: ") as error:
        StorageConfig.from_settings(project())
    assert "secret" not in str(error.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (False, False), (1, True), (0, False)]
    + [(text, True) for text in ("1", "true", "True")]
    + [(text, False) for text in ("0", "false", "False")],
)
def test_booleans_take_the_forms_scrapy_reads(value, expected):
    assert get_bool(project(AUTOTHROTTLE_ENABLED=value), "AUTOTHROTTLE_ENABLED") is expected


@pytest.mark.parametrize("value", ["yes", "on", "2", "TRUE", "", 2])
def test_other_booleans_are_refused(value):
    with pytest.raises(ConfigError, match=r"^setting AUTOTHROTTLE_ENABLED: expected 1 or 0"):
        get_bool(project(AUTOTHROTTLE_ENABLED=value), "AUTOTHROTTLE_ENABLED")


def test_configs_read_typed_values():
    settings = project(
        CONCURRENT_REQUESTS="32",
        DOWNLOAD_DELAY="0.25",
        AUTOTHROTTLE_ENABLED="False",
        DOWNLOAD_SLOTS='{"movie.douban.com": {"concurrency": 1, "delay": 3}}',
        PROGRESS_BAR="1",
        DOUBAN_SESSIONS="4",
        DOUBAN_USER_AGENTS="UA one, UA two",
    )
    politeness = PolitenessConfig.from_settings(settings)
    assert (politeness.concurrent_requests, politeness.download_delay) == (32, 0.25)
    assert politeness.autothrottle_enabled is False
    assert politeness.download_slots == {"movie.douban.com": {"concurrency": 1, "delay": 3}}
    assert ProgressConfig.from_settings(settings).bar is True
    sessions = SessionConfig.from_settings(settings, environ={})
    assert (sessions.sessions, sessions.user_agents) == (4, ("UA one", "UA two"))


def test_a_setting_missing_from_bare_scrapy_settings_falls_back_to_settings_py():
    """Defaults live only in settings.py: a component built with Scrapy's bare settings gets
    them from there, not from a default restated in code."""
    sessions = SessionConfig.from_settings(Settings(), environ={})
    assert sessions.proxy_rest == project_settings.DOUBAN_PROXY_REST


def test_every_config_is_frozen():
    for config in CONFIGS:
        assert config.__dataclass_params__.frozen, config


def test_bad_log_in_cookies_are_checked_with_the_settings_and_never_shown(monkeypatch):
    monkeypatch.setenv("DOUBAN_COOKIES", "dbcl2=TopSecretValue; brokenpair")
    with pytest.raises(ConfigError, match=r"^environment variable DOUBAN_COOKIES: ") as error:
        check_settings(project())
    assert "TopSecretValue" not in str(error.value)
    monkeypatch.setenv("DOUBAN_COOKIES", "dbcl2=TopSecretValue")
    config = SessionConfig.from_settings(project())
    assert config.login_cookies == {"dbcl2": "TopSecretValue"}
    assert "TopSecretValue" not in repr(config)
