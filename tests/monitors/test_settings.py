"""The report's and the monitors' settings are checked with the others, before the crawl starts."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings

from moviespider import settings as project_settings
from moviespider.config import check_settings
from moviespider.errors import ConfigError


def project(**overrides: str) -> Settings:
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    settings.setdict(overrides, priority="cmdline")
    return settings


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TIMELINE_INTERVAL", "-1"),
        ("TIMELINE_INTERVAL", "often"),
        ("MONITOR_ITEMS_SHARE", "1.5"),
        ("MONITOR_MIN_ITEMS", "-2"),
        ("MONITOR_FINISH_REASONS", "[]"),
        ("MONITOR_MAX_FAILED_SHARE", "half"),
        ("MONITOR_MAX_ERROR_SHARE", "-0.1"),
        ("MONITOR_MAX_BLOCKED_SHARE", "2"),
    ],
)
def test_a_bad_value_is_one_error_naming_the_setting(name, value):
    with pytest.raises(ConfigError, match=rf"^setting {name}: "):
        check_settings(project(**{name: value}))


def test_the_defaults_pass():
    check_settings(project(REPORT="reports/%(name)s-%(time)s.html"))
