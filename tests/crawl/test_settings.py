"""A bad setting stops `scrapy crawl` before Scrapy logs anything: one line, exit status 2.

Every setting's check is tested in-process (tests/test_config.py); these run the real command
for a representative few, Scrapy's own and ours.
"""

from __future__ import annotations

import pytest

from tests.helpers.crawl import run_crawl

pytestmark = pytest.mark.crawl


@pytest.mark.parametrize(
    ("settings", "env", "named"),
    [
        ({"CONCURRENT_REQUESTS": "abc"}, {}, "setting CONCURRENT_REQUESTS"),
        ({"DOWNLOAD_DELAY": "abc"}, {}, "setting DOWNLOAD_DELAY"),
        ({"AUTOTHROTTLE_ENABLED": "yes"}, {}, "setting AUTOTHROTTLE_ENABLED"),
        ({"DOUBAN_MAX_BLOCKS": "ten"}, {}, "setting DOUBAN_MAX_BLOCKS"),
        ({"PROGRESS_BAR": "maybe"}, {}, "setting PROGRESS_BAR"),
        (  # the setting itself is checked in tests/test_config.py: run_crawl sets the variable
            {},
            {"DATABASE_URL": "postgresql+psycopg://user@localhost:abc/films"},
            "environment variable DATABASE_URL",
        ),
    ],
)
def test_bad_setting_is_one_line_before_any_log_and_exit_2(tmp_path, settings, env, named):
    result = run_crawl("douban_top250", tmp_path, settings=settings, env=env)
    assert result.returncode == 2, result.stderr
    # Exactly one line: nothing was logged before it (LOG_LEVEL is INFO), and no traceback.
    assert result.stderr.splitlines() == [result.stderr.strip()], result.stderr
    assert result.stderr.startswith(f"moviespider: error: {named}: "), result.stderr
    assert result.items == []
