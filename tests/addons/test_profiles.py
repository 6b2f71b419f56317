"""DOUBAN_PROFILE: polite for Douban, fast for a site of ours."""

import pytest
from scrapy.settings import Settings

from moviespider.addons.profiles import MoviespiderAddon


def applied(**cmdline):
    settings = Settings()
    settings.setmodule("moviespider.settings", priority="project")
    settings.setdict(cmdline, priority="cmdline")
    MoviespiderAddon(crawler=None).update_settings(settings)
    return settings


@pytest.mark.parametrize(
    "base_url", ["http://127.0.0.1:8050", "http://localhost:8050", "http://[::1]:8050"]
)
def test_a_base_url_on_this_machine_is_crawled_fast(base_url):
    settings = applied(DOUBAN_BASE_URL=base_url)
    assert settings.getfloat("DOWNLOAD_DELAY") == 0
    assert not settings.getbool("AUTOTHROTTLE_ENABLED")


def test_asking_for_polite_keeps_the_delays_on_this_machine():
    settings = applied(DOUBAN_BASE_URL="http://127.0.0.1:8050", DOUBAN_PROFILE="polite")
    assert settings.getfloat("DOWNLOAD_DELAY") == 2


def test_douban_and_mirrors_elsewhere_stay_polite():
    for base_url in ("https://movie.douban.com", "http://mirror.example:8080"):
        settings = applied(DOUBAN_BASE_URL=base_url)
        assert settings.getfloat("DOWNLOAD_DELAY") == 2
        assert settings.getbool("AUTOTHROTTLE_ENABLED")
