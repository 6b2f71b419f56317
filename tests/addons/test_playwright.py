"""The Playwright switch without a browser: settings it installs, the Chromium it picks, which
requests it marks, and the stop on JavaScript shells. Browser crawls: crawl/test_playwright.py."""

from types import SimpleNamespace

import pytest
import scrapy
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings

from moviespider.addons import playwright as browser
from moviespider.addons.playwright import (
    PLAYWRIGHT_HANDLER,
    PlaywrightAddon,
    chromium_executable,
    is_blocked_resource,
    playwright_chromium_installed,
)
from moviespider.errors import ConfigError
from tests.helpers.components import project_crawler


@pytest.fixture
def no_playwright_chromium(monkeypatch):
    monkeypatch.setattr(browser, "playwright_chromium_installed", lambda **_: False)


@pytest.fixture
def no_executable_path(monkeypatch):
    monkeypatch.delenv("PLAYWRIGHT_EXECUTABLE_PATH", raising=False)


def enabled(fake_chromium, spidercls=scrapy.Spider, **settings):
    """The settings of a crawl with the browser on."""
    crawler = project_crawler(
        spidercls,
        PLAYWRIGHT_ENABLED=True,
        PLAYWRIGHT_EXECUTABLE_PATH=str(fake_chromium),
        **settings,
    )
    return crawler.settings


# --- the add-on ---------------------------------------------------------------------------------


def test_the_browser_is_off_by_default():
    crawler = project_crawler()
    assert "playwright" not in str(crawler.settings.getdict("DOWNLOAD_HANDLERS"))
    with pytest.raises(NotConfigured):
        PlaywrightAddon.from_crawler(crawler)


def test_enabling_installs_the_playwright_handler_for_http_and_https(fake_chromium):
    settings = enabled(fake_chromium)
    handlers = settings.getdict("DOWNLOAD_HANDLERS")
    assert handlers["http"] == handlers["https"] == PLAYWRIGHT_HANDLER


def test_enabling_bounds_and_lightens_the_browser(fake_chromium):
    settings = enabled(fake_chromium, DOWNLOAD_TIMEOUT=12)
    assert settings.getint("PLAYWRIGHT_MAX_CONTEXTS") == 1
    assert settings.getint("PLAYWRIGHT_MAX_PAGES_PER_CONTEXT") == 4
    assert settings.getfloat("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT") == 12_000
    assert (
        settings["PLAYWRIGHT_ABORT_REQUEST"] == "moviespider.addons.playwright.is_blocked_resource"
    )
    options = settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
    assert options["executable_path"] == str(fake_chromium)
    assert options["headless"] is True


def test_browser_errors_are_retried(fake_chromium):
    settings = enabled(fake_chromium)
    retried = settings.getlist("RETRY_EXCEPTIONS")
    assert "playwright.async_api.Error" in retried
    assert "twisted.internet.error.ConnectionLost" in retried  # Scrapy's own are kept


def test_settings_given_by_the_user_win(fake_chromium):
    settings = enabled(
        fake_chromium,
        PLAYWRIGHT_MAX_PAGES_PER_CONTEXT=8,
        DOWNLOAD_HANDLERS={"https": "myproject.handlers.Https"},
        PLAYWRIGHT_LAUNCH_OPTIONS={"headless": False, "executable_path": str(fake_chromium)},
    )
    assert settings.getint("PLAYWRIGHT_MAX_PAGES_PER_CONTEXT") == 8
    assert settings.getdict("DOWNLOAD_HANDLERS") == {
        "https": "myproject.handlers.Https",
        "http": PLAYWRIGHT_HANDLER,
    }
    assert settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")["headless"] is False


def test_a_missing_browser_stops_the_crawl_before_it_starts(
    monkeypatch, no_playwright_chromium, no_executable_path
):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ConfigError, match=r"^setting PLAYWRIGHT_ENABLED: no Chromium"):
        project_crawler(PLAYWRIGHT_ENABLED=True)


def test_launch_options_in_settings_py_keep_the_chromium_found(fake_chromium):
    settings = enabled(fake_chromium, PLAYWRIGHT_LAUNCH_OPTIONS={"slow_mo": 50})
    options = settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
    assert options["slow_mo"] == 50
    assert options["executable_path"] == str(fake_chromium)
    assert options["headless"] is True


# --- which Chromium ---------------------------------------------------------------------------


def test_an_explicit_executable_path_is_used(fake_chromium, no_executable_path):
    settings = Settings({"PLAYWRIGHT_EXECUTABLE_PATH": str(fake_chromium)})
    assert chromium_executable(settings) == str(fake_chromium)


def test_the_executable_path_may_come_from_the_environment(
    monkeypatch, fake_chromium, no_playwright_chromium
):
    monkeypatch.setenv("PLAYWRIGHT_EXECUTABLE_PATH", str(fake_chromium))
    assert chromium_executable(Settings()) == str(fake_chromium)


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("PLAYWRIGHT_EXECUTABLE_PATH", "/nonexistent/chromium"),
        ("PLAYWRIGHT_LAUNCH_OPTIONS", {"executable_path": "/nonexistent/chromium"}),
    ],
)
def test_an_explicit_path_that_is_no_executable_is_a_config_error(
    setting, value, no_executable_path
):
    with pytest.raises(ConfigError, match=f"^setting {setting}: '/nonexistent/chromium' is not"):
        chromium_executable(Settings({setting: value}))


def test_playwrights_own_chromium_comes_before_the_systems(
    monkeypatch, fake_chromium, no_executable_path
):
    monkeypatch.setattr(browser, "playwright_chromium_installed", lambda **_: True)
    monkeypatch.setenv("PATH", str(fake_chromium.parent))
    assert chromium_executable(Settings()) is None  # Playwright finds its own


def test_the_systems_chromium_stands_in_for_playwrights_own(
    monkeypatch, fake_chromium, no_playwright_chromium, no_executable_path
):
    monkeypatch.setenv("PATH", str(fake_chromium.parent))
    assert chromium_executable(Settings()) == str(fake_chromium)


def test_playwrights_own_chromium_is_found_where_playwright_installs_it(monkeypatch, tmp_path):
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path))
    assert not playwright_chromium_installed()
    # Playwright names its directories <browser>-<revision>: make the one it asks for.
    answer = browser.subprocess.run(
        [browser.sys.executable, "-m", "playwright", "install", "--dry-run"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for location in browser.INSTALL_LOCATION.findall(answer):
        if "headless_shell" in location:
            (tmp_path / location.rsplit("/", 1)[1]).mkdir()
    assert playwright_chromium_installed()


@pytest.mark.parametrize(
    ("resource_type", "blocked"),
    [
        ("image", True),
        ("font", True),
        ("media", True),
        ("document", False),
        ("script", False),  # it fills the page
        ("fetch", False),  # the JSON it fills it from
        ("xhr", False),
    ],
)
def test_images_fonts_and_media_are_not_downloaded(resource_type, blocked):
    assert is_blocked_resource(SimpleNamespace(resource_type=resource_type)) is blocked
