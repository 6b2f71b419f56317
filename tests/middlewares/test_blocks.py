"""BlockMiddleware: what counts as a block, and what a crawl does about it.

The crawl tests run a real Scrapy crawler in this process against the mock server, blocking on
cue (per request, which the sandbox cannot script), with the project's downloader middlewares.
"""

from __future__ import annotations

import asyncio
import gzip
import itertools
import logging
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

import pytest
import scrapy
from aiohttp import web
from scrapy import Request
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.utils.test import get_crawler

from moviespider import settings as project_settings
from moviespider.errors import ConfigError
from moviespider.middlewares.blocks import (
    BlockMiddleware,
    RequestBlocked,
    classify_response,
    request_blocked,
)
from moviespider.signals import page_failed
from tests.helpers.mockserver import Hit, MockServer, html_reply

BAN_PAGE = """<!DOCTYPE html><html lang="zh-cmn-Hans"><head><meta charset="UTF-8">
<title>禁止访问</title></head><body><div id="content"><h1>禁止访问</h1>
<p>检测到有异常请求从你的 IP 发出，请登录使用豆瓣。</p></div></body></html>"""

PAGE = """<!DOCTYPE html><html><head><meta charset="UTF-8"><title>ok {path}</title></head>
<body><h1>{path}</h1><p>一部电影的简介，与访问无关。</p></body></html>"""

URL = "https://movie.douban.com/subject/1292052/"

# The project's middlewares and block settings, made fast for a local site.
CRAWL_SETTINGS = {
    **{
        name: getattr(project_settings, name)
        for name in dir(project_settings)
        if name.startswith("DOUBAN_")
        or name in ("DOWNLOADER_MIDDLEWARES", "USER_AGENT", "PROXY_LIST", "COOKIES_ENABLED")
    },
    "ROBOTSTXT_OBEY": False,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 4,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 4,
    "DOUBAN_BLOCK_BACKOFF": 0.02,
    "DOUBAN_BLOCK_BACKOFF_MAX": 0.05,
    "RETRY_ENABLED": False,
    "LOG_LEVEL": "DEBUG",
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("DOUBAN_COOKIES", "PROXY_LIST", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


# --- what is a block ---------------------------------------------------------------------------


def html(status=200, body="", url=URL, headers=None, request=None):
    return HtmlResponse(
        url,
        status=status,
        body=body.encode(),
        headers=headers,
        request=request or Request(url),
        encoding="utf-8",
    )


def redirect(location, status=302):
    return html(status=status, headers={"Location": location})


@pytest.mark.parametrize(
    ("response", "kind"),
    [
        (html(403), "http_403"),
        (html(418, "I'm a teapot"), "http_418"),
        (html(429), "http_429"),
        (redirect("https://sec.douban.com/c?r=https%3A%2F%2Fmovie.douban.com%2F"), "challenge"),
        (redirect("https://sec.douban.com/b?r=https%3A%2F%2Fmovie.douban.com%2F"), "challenge"),
        (redirect("/sec/c?r=%2Fsubject%2F1292052%2F"), "challenge"),
        (redirect("https://www.douban.com/misc/sorry?original-url=x", 301), "challenge"),
        (redirect("https://accounts.douban.com/passport/login?redir=x"), "login"),
        (redirect("/accounts/login?redir=%2Fsubject%2F1%2F", 303), "login"),
        (redirect("https://www.douban.com/passport/login"), "login"),
        (html(200, BAN_PAGE), "ban_page"),
        (html(200, "<html><head><title> 禁止访问 </title></head></html>"), "ban_page"),
        (html(200, "<p>检测到有异常请求从你的 IP 发出</p>"), "ban_page"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_blocks_are_recognised_by_kind(response, kind):
    assert classify_response(response.request, response) == kind


@pytest.mark.parametrize(
    "response",
    [
        html(200, PAGE.format(path="/subject/1292052/")),
        html(200, "<html><head><title>禁止访问的地方 (2021)</title></head></html>"),
        html(404, "<html><title>页面不存在</title></html>"),
        html(500),
        redirect("https://movie.douban.com/subject/1292052/", 301),
        redirect("/top250?start=25"),
        redirect("https://movie.douban.com/subject/1292052/reviews?sec=1"),
        html(302),  # a redirect without a Location
        Response(URL, status=200, body="禁止访问 检测到有异常请求".encode(), request=Request(URL)),
    ],
    ids=[
        "page",
        "film titled like the ban page",
        "404",
        "500",
        "301 to a film",
        "302 to a list",
        "query mentioning sec",
        "no location",
        "binary body",
    ],
)
def test_content_is_not_a_block(response):
    assert classify_response(response.request, response) is None


def test_a_followed_redirect_to_the_challenge_is_still_a_block():
    request = Request(
        "http://127.0.0.1:8000/sec/c?r=%2Fsubject%2F1%2F",
        meta={"redirect_urls": ["http://127.0.0.1:8000/subject/1/"]},
    )
    response = TextResponse(request.url, body=b"<form id='sec'></form>", request=request)
    assert classify_response(request, response) == "challenge"


# --- bad settings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DOUBAN_MAX_BLOCKS", "ten", "expected a whole number, got 'ten'"),
        ("DOUBAN_MAX_BLOCKS", 0, "must be at least 1"),
        ("DOUBAN_BLOCK_RETRY_TIMES", "2.5", "expected a whole number"),
        ("DOUBAN_BLOCK_BACKOFF", "-3", "must be at least 0"),
        ("DOUBAN_BLOCK_BACKOFF_MAX", "soon", "expected a number"),
        ("CONCURRENT_REQUESTS", -1, "must be at least 1"),
        ("CONCURRENT_REQUESTS", "many", "expected a whole number"),
        ("CONCURRENT_REQUESTS_PER_DOMAIN", 0, "must be at least 1"),
        ("DOWNLOAD_DELAY", "-2", "must be at least 0"),
        ("DOWNLOAD_DELAY", "nan", "expected a finite number"),
    ],
)
def test_bad_settings_are_a_config_error_naming_the_setting(name, value, message):
    crawler = get_crawler(settings_dict={**CRAWL_SETTINGS, name: value})
    with pytest.raises(ConfigError, match=rf"^setting {name}: .*{message}"):
        BlockMiddleware.from_crawler(crawler)


# --- crawls --------------------------------------------------------------------------------------


def fake_douban(behave=None) -> MockServer:
    """A local site serving a content page at every path unless ``behave`` answers otherwise."""

    def answer(hit: Hit, hits: list[Hit]):
        reply = behave(hit, hits) if behave is not None else None
        return html_reply(PAGE.format(path=hit.path)) if reply is None else reply

    return MockServer(behave=answer)


class PagesSpider(scrapy.Spider):
    name = "pages"

    def __init__(self, base_url: str, paths: list[str], **kwargs):
        super().__init__(**kwargs)
        self.base_url = base_url
        self.paths = paths
        self.pages: list[tuple[str, str]] = []
        self.failures: list = []

    async def start(self):
        for path in self.paths:
            yield Request(self.base_url + path, callback=self.parse_page, errback=self.failed)

    def parse_page(self, response):
        self.pages.append((urlsplit(response.url).path, response.css("title::text").get()))
        yield {"url": response.url}

    def failed(self, failure):
        self.failures.append(failure)


@dataclass
class Crawl:
    spider: PagesSpider
    stats: dict
    given_up: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str:
        return self.stats["finish_reason"]


def crawl(site: MockServer, paths: list[str], **settings) -> Crawl:
    async def run(base_url: str) -> Crawl:
        crawler = get_crawler(PagesSpider, {**CRAWL_SETTINGS, **settings})
        result = Crawl(spider=None, stats={})  # type: ignore[arg-type]

        def given_up(url, status, error):
            result.given_up.append(urlsplit(url).path)

        crawler.signals.connect(given_up, signal=page_failed, weak=False)
        await crawler.crawl_async(base_url=base_url, paths=paths)
        result.spider = crawler.spider
        result.stats = crawler.stats.get_stats()
        return result

    with site:
        return asyncio.run(run(site.url))


def moved_to(location: str, status: int = 302) -> web.Response:
    return web.Response(status=status, headers={"Location": location})


def pages(count: int) -> list[str]:
    return [f"/subject/{1000 + i}/" for i in range(count)]


def first_hit_blocked(make_block):
    """Block the first request for every film page with ``make_block(hit)``."""

    def behave(hit, hits):
        if hit.path.startswith("/subject/") and sum(1 for h in hits if h.path == hit.path) == 1:
            return make_block(hit)
        return None

    return behave


def gzipped_ban_page(hit):
    return web.Response(
        body=gzip.compress(BAN_PAGE.encode()),
        headers={"Content-Encoding": "gzip", "Content-Type": "text/html; charset=utf-8"},
    )


BLOCKS = {
    "http_403": lambda hit: web.Response(status=403, text="Forbidden"),
    "http_418": lambda hit: web.Response(status=418, text="I'm a teapot"),
    "http_429": lambda hit: web.Response(status=429, text="Too Many Requests"),
    "challenge": lambda hit: moved_to(f"/sec/c?r={quote(hit.path, safe='')}"),
    "challenge_douban": lambda hit: moved_to(
        f"https://sec.douban.com/c?r={quote(hit.path, safe='')}"
    ),
    "login": lambda hit: moved_to(f"/accounts/login?redir={quote(hit.path, safe='')}"),
    "ban_page": lambda hit: web.Response(text=BAN_PAGE, content_type="text/html"),
    "ban_page_gzip": gzipped_ban_page,
}


@pytest.mark.parametrize("block", BLOCKS, ids=BLOCKS.keys())
def test_a_blocked_page_is_retried_with_a_new_session_and_never_parsed(block):
    site = fake_douban(first_hit_blocked(BLOCKS[block]))
    paths = pages(6)
    result = crawl(site, paths, DOUBAN_MAX_BLOCKS=100)

    assert result.reason == "finished"
    # Every page parsed once, and only from content.
    assert sorted(result.spider.pages) == sorted((path, f"ok {path}") for path in paths)
    kind = block.removesuffix("_douban").removesuffix("_gzip")
    assert result.stats[f"moviespider/blocked/{kind}"] == len(paths)
    # The challenge and log-in pages were never requested: the redirect was caught first.
    assert all(path.startswith("/subject/") for path in site.paths())
    # Each retry went out with a new bid, and each new session with a new user agent.
    for path in paths:
        blocked, retried = site.hits_of(path)
        assert retried.bid != blocked.bid
    user_agents = {hit.bid: hit.user_agent for hit in reversed(site.hits)}  # in order of first use
    sessions = list(dict.fromkeys(hit.bid for hit in site.hits))
    assert len(sessions) > 1
    for earlier, later in itertools.pairwise(sessions):
        assert user_agents[earlier] != user_agents[later]


def test_ordinary_redirects_are_followed():
    def behave(hit, hits):
        if hit.path == "/subject/1/":
            return moved_to("/subject/1/?moved", status=301)
        return None

    result = crawl(fake_douban(behave), ["/subject/1/"])
    assert result.spider.pages == [("/subject/1/", "ok /subject/1/?moved")]
    assert not any(key.startswith("moviespider/blocked") for key in result.stats)


def test_a_redirect_followed_before_detection_retries_the_original_url():
    # With Scrapy's default order RedirectMiddleware follows the redirect first; the block is
    # then recognised on the challenge page, and the original URL is retried.
    site = fake_douban(first_hit_blocked(BLOCKS["challenge"]))
    order = {**CRAWL_SETTINGS["DOWNLOADER_MIDDLEWARES"]}
    order["scrapy.downloadermiddlewares.redirect.RedirectMiddleware"] = 600
    result = crawl(site, ["/subject/7/"], DOWNLOADER_MIDDLEWARES=order)
    assert result.spider.pages == [("/subject/7/", "ok /subject/7/")]
    assert result.stats["moviespider/blocked/challenge"] == 1
    assert [hit.path.split("?")[0] for hit in site.hits] == ["/subject/7/", "/sec/c", "/subject/7/"]


def test_blocks_from_a_session_banned_per_bid_are_survived():
    # Douban-like: a session (bid) is refused after a few requests; the crawl runs on with
    # fresh sessions. The requests in flight when a session is banned all come back blocked,
    # yet count once, so a low DOUBAN_MAX_BLOCKS does not end the crawl.
    def behave(hit, hits):
        if sum(1 for h in hits if h.bid == hit.bid) > 10:
            return web.Response(status=403)
        return None

    paths = pages(60)
    site = fake_douban(behave)
    result = crawl(site, paths, DOUBAN_MAX_BLOCKS=2, CONCURRENT_REQUESTS=4)
    assert result.reason == "finished"
    assert sorted(path for path, _ in result.spider.pages) == sorted(paths)
    sessions = len({hit.bid for hit in site.hits})
    assert sessions >= 6  # 60 pages, 10 a session
    assert result.stats["moviespider/blocked/http_403"] >= sessions - 1
    assert (
        result.stats["moviespider/blocked/http_403"] > result.stats["moviespider/sessions/retired"]
    )


def test_fresh_sessions_blocked_in_a_row_close_the_spider_as_banned(caplog):
    site = fake_douban(lambda hit, hits: web.Response(status=403))
    with caplog.at_level(logging.INFO):
        result = crawl(site, pages(50), DOUBAN_MAX_BLOCKS=3)

    assert result.reason == "banned"
    assert result.spider.pages == []
    assert result.spider.failures == []  # not given up: left for a JOBDIR resume
    # Three fresh sessions, plus what was in flight (CONCURRENT_REQUESTS 4) each time.
    assert len(site.hits) <= 3 * 4
    assert len({hit.bid for hit in site.hits}) == 3
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "3 fresh sessions in a row" in errors[0]
    assert "(reason 'banned')" in errors[0]
    for advice in ("DOWNLOAD_DELAY", "PROXY_LIST", "DOUBAN_COOKIES", "JOBDIR"):
        assert advice in errors[0]


def test_a_page_served_between_blocks_resets_the_count():
    # Every third request is blocked: never three fresh sessions in a row.
    def behave(hit, hits):
        return web.Response(status=429) if len(hits) % 3 == 0 else None

    paths = pages(30)
    result = crawl(fake_douban(behave), paths, DOUBAN_MAX_BLOCKS=2, CONCURRENT_REQUESTS=1)
    assert result.reason == "finished"
    assert len(result.spider.pages) == 30


def test_a_page_blocked_too_often_is_given_up_and_reported():
    def behave(hit, hits):
        if hit.path == "/subject/666/":
            return moved_to("/accounts/login?redir=%2Fsubject%2F666%2F")
        return None

    paths = [*pages(5), "/subject/666/"]
    site = fake_douban(behave)
    result = crawl(site, paths, DOUBAN_BLOCK_RETRY_TIMES=2, DOUBAN_MAX_BLOCKS=100)

    assert result.reason == "finished"
    assert len(site.hits_of("/subject/666/")) == 3  # the first try and two retries
    assert result.given_up == ["/subject/666/"]
    (failure,) = result.spider.failures
    assert failure.check(RequestBlocked)
    assert failure.value.kind == "login"
    assert failure.value.blocks == 3
    assert result.stats["moviespider/blocked_given_up"] == 1
    assert sorted(path for path, _ in result.spider.pages) == sorted(pages(5))


def test_a_block_pauses_every_download_for_the_backoff():
    site = fake_douban(first_hit_blocked(BLOCKS["http_403"]))
    paths = pages(12)
    settings = {"DOUBAN_BLOCK_BACKOFF": 0.6, "DOUBAN_BLOCK_BACKOFF_MAX": 0.6}
    result = crawl(site, paths[:1], **settings)  # the blocked page alone: its retry waits
    blocked, retried = site.hits
    assert retried.at - blocked.at >= 0.3  # the backoff is jittered between 0.3 and 0.6 s
    assert result.stats["moviespider/backoff_seconds"] >= 0.3

    # With other pages waiting, none of them starts during the pause either.
    site = fake_douban(lambda hit, hits: web.Response(status=403) if len(hits) == 1 else None)
    crawl(site, paths, CONCURRENT_REQUESTS=2, **settings)
    first = site.hits[0].at
    started_during_pause = [hit for hit in site.hits[2:] if hit.at - first < 0.3]
    assert started_during_pause == []  # only the two sent before the block came back


def test_requests_the_downloader_had_queued_wait_for_the_pause_and_take_the_new_session():
    # DOWNLOAD_DELAY and one connection: the downloader accepts 6 requests and queues 5 of them,
    # which Scrapy would send during the pause (engine.pause() stops only the scheduler), each
    # with the session just refused.
    site = fake_douban(lambda hit, hits: web.Response(status=403) if len(hits) == 1 else None)
    settings = {"DOUBAN_BLOCK_BACKOFF": 0.6, "DOUBAN_BLOCK_BACKOFF_MAX": 0.6}
    result = crawl(
        site,
        pages(8),
        CONCURRENT_REQUESTS=6,
        CONCURRENT_REQUESTS_PER_DOMAIN=1,
        DOWNLOAD_DELAY=0.1,
        DOWNLOAD_DELAY_JITTER=0,
        **settings,
    )
    blocked, *after = site.hits
    assert all(hit.at - blocked.at >= 0.3 for hit in after)  # the pause is 0.3 to 0.6 s
    assert blocked.bid not in {hit.bid for hit in after}
    assert result.stats["moviespider/blocked_recalled"] >= 1
    assert sorted(path for path, _ in result.spider.pages) == pages(8)


def test_a_shutdown_does_not_wait_for_the_backoff_to_end():
    site = fake_douban(first_hit_blocked(BLOCKS["http_403"]))

    async def run(base_url: str):
        backoff = {"DOUBAN_BLOCK_BACKOFF": 60, "DOUBAN_BLOCK_BACKOFF_MAX": 60}
        crawler = get_crawler(PagesSpider, {**CRAWL_SETTINGS, **backoff})

        def stop_soon(**kwargs):  # as Ctrl-C would, shortly after the block
            asyncio.get_running_loop().call_later(0.2, asyncio.ensure_future, crawler.stop_async())

        crawler.signals.connect(stop_soon, signal=request_blocked, weak=False)
        started = time.monotonic()
        await crawler.crawl_async(base_url=base_url, paths=pages(1))
        return crawler, time.monotonic() - started

    with site:
        crawler, took = asyncio.run(run(site.url))
    assert took < 5  # not the 30-60 s backoff
    assert crawler.stats.get_value("finish_reason") == "shutdown"


def test_a_cached_block_is_not_replayed_to_the_retry(tmp_path):
    site = fake_douban(first_hit_blocked(BLOCKS["http_403"]))
    cache = {"HTTPCACHE_ENABLED": True, "HTTPCACHE_DIR": str(tmp_path / "cache")}
    result = crawl(site, pages(2), **cache)
    assert len(result.spider.pages) == 2
    assert result.stats["moviespider/blocked/http_403"] == 2
    assert len(site.hits) == 4


def test_log_in_cookies_are_sent_but_never_logged(monkeypatch, caplog):
    monkeypatch.setenv("DOUBAN_COOKIES", "dbcl2=TopSecretLogin; ck=AbC")
    site = fake_douban(first_hit_blocked(BLOCKS["http_403"]))
    with caplog.at_level(logging.DEBUG):
        result = crawl(site, pages(3))
    assert result.reason == "finished"
    assert all(hit.cookies.get("dbcl2") == "TopSecretLogin" for hit in site.hits)
    assert "TopSecretLogin" not in caplog.text
    assert "TopSecretLogin" not in repr(result.stats)


def test_a_crawl_with_a_bad_setting_stops_before_any_request():
    site = fake_douban()
    with pytest.raises(ConfigError, match=r"^setting DOUBAN_MAX_BLOCKS: "):
        crawl(site, pages(3), DOUBAN_MAX_BLOCKS="many")
    assert site.hits == []


# --- proxies -------------------------------------------------------------------------------------


def test_a_blocked_proxy_is_rested_and_the_crawl_goes_on_through_a_healthy_one(monkeypatch, caplog):
    """Two local "proxies" (plain HTTP forward proxies answer like the origin here): one is
    blocked, the other serves pages."""
    bad, good = MockServer(behave=lambda hit, hits: (403, {}, b"")), fake_douban()

    async def run():
        crawler = get_crawler(PagesSpider, {**CRAWL_SETTINGS, "DOUBAN_MAX_BLOCKS": 50})
        # The origin is never contacted: both proxies answer themselves.
        await crawler.crawl_async(base_url="http://movie.douban.invalid", paths=pages(10))
        return crawler

    with bad, good, caplog.at_level(logging.DEBUG):
        bad_with_credentials = bad.url.replace("http://", "http://scout:s3cret@")
        monkeypatch.setenv("PROXY_LIST", f"{bad_with_credentials} {good.url}")
        crawler = asyncio.run(run())
    seen = {
        name: [hit.headers.get("Proxy-Authorization") for hit in proxy.hits]
        for name, proxy in (("bad", bad), ("good", good))
    }
    assert crawler.stats.get_value("finish_reason") == "finished"
    assert len(crawler.spider.pages) == 10
    assert len(seen["good"]) == 10
    assert 1 <= len(seen["bad"]) <= 4  # what was in flight when it was first blocked
    assert set(seen["bad"]) == {"Basic c2NvdXQ6czNjcmV0"}  # base64("scout:s3cret")
    assert crawler.stats.get_value("moviespider/proxies/rested") == 1
    assert "s3cret" not in caplog.text
    assert "c2NvdXQ6czNjcmV0" not in caplog.text
