"""GCThreshold: the collector's thresholds while the engine runs, Python's own again after."""

import gc

import pytest
from scrapy import Spider, signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from moviespider.errors import ConfigError
from moviespider.extensions.garbage import GCThreshold


@pytest.fixture(autouse=True)
def keep_thresholds():
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)
    assert GCThreshold._running == 0  # every test stops the engines it started


def extension(value):
    crawler = get_crawler(Spider, {"GC_THRESHOLD": value, "EXTENSIONS_BASE": {}})
    return crawler, GCThreshold.from_crawler(crawler)


def test_thresholds_hold_while_the_engine_runs_and_are_restored_after():
    gc.set_threshold(700, 10, 10)
    crawler, _ = extension((7000, 10, 10))
    crawler.signals.send_catch_log(signals.engine_started)
    assert gc.get_threshold() == (7000, 10, 10)
    crawler.signals.send_catch_log(signals.engine_stopped)
    assert gc.get_threshold() == (700, 10, 10)


def test_two_crawls_in_one_process_restore_pythons_thresholds_when_both_are_done():
    gc.set_threshold(700, 10, 10)
    first, _ = extension((7000, 10, 10))
    second, _ = extension((7000, 10, 10))
    first.signals.send_catch_log(signals.engine_started)
    second.signals.send_catch_log(signals.engine_started)
    first.signals.send_catch_log(signals.engine_stopped)
    assert gc.get_threshold() == (7000, 10, 10)  # the second crawl still runs
    second.signals.send_catch_log(signals.engine_stopped)
    assert gc.get_threshold() == (700, 10, 10)


def test_a_stop_without_a_start_changes_nothing():
    gc.set_threshold(700, 10, 10)
    crawler, _ = extension((7000, 10, 10))
    crawler.signals.send_catch_log(signals.engine_stopped)
    assert gc.get_threshold() == (700, 10, 10)


def test_thresholds_from_the_command_line():
    crawler, _ = extension("5000,20")
    crawler.signals.send_catch_log(signals.engine_started)
    assert gc.get_threshold()[:2] == (5000, 20)
    crawler.signals.send_catch_log(signals.engine_stopped)


@pytest.mark.parametrize("value", ["", None, []])
def test_empty_keeps_pythons_thresholds(value):
    with pytest.raises(NotConfigured):
        extension(value)


@pytest.mark.parametrize("value", ["fast", "1,2,3,4", "-1", [700, "x"]])
def test_bad_thresholds_name_the_setting(value):
    with pytest.raises(ConfigError, match="setting GC_THRESHOLD: expected one to three"):
        extension(value)


def test_the_project_runs_crawls_with_a_higher_first_threshold():
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    assert settings.getdict("EXTENSIONS")["moviespider.extensions.garbage.GCThreshold"] == 0
    assert settings.getlist("GC_THRESHOLD")[0] > gc.get_threshold()[0]
