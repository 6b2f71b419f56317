"""SessionMiddleware: bid cookie, user agent and proxy per session, with a real crawler and
Scrapy's own CookiesMiddleware, UserAgentMiddleware and HttpProxyMiddleware."""

import logging
import re

import pytest
from scrapy import Request
from scrapy.downloadermiddlewares.cookies import CookiesMiddleware
from scrapy.downloadermiddlewares.httpproxy import HttpProxyMiddleware
from scrapy.downloadermiddlewares.useragent import UserAgentMiddleware
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from twisted.internet.error import TCPTimedOutError

from moviespider import settings as project_settings
from moviespider.credentials import parse_cookie_header
from moviespider.errors import ConfigError
from moviespider.middlewares.sessions import (
    DEFAULT_USER_AGENTS,
    SESSION_META_KEY,
    SessionMiddleware,
    new_bid,
)
from moviespider.signals import request_blocked

URL = "https://movie.douban.com/subject/1292052/"
SESSION_SETTINGS = {
    name: getattr(project_settings, name)
    for name in (
        "USER_AGENT",
        "DOUBAN_SESSIONS",
        "DOUBAN_USER_AGENTS",
        "PROXY_LIST",
        "DOUBAN_PROXY_REST",
        "DOUBAN_PROXY_REST_MAX",
    )
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("DOUBAN_COOKIES", "PROXY_LIST", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


class Chain:
    """Our SessionMiddleware followed by the Scrapy middlewares that act on what it sets, in the
    project's order (UserAgent 500, Session 560, Cookies 700, HttpProxy 750)."""

    def __init__(self, **settings):
        self.crawler = get_crawler(settings_dict={**SESSION_SETTINGS, **settings})
        self.sessions = SessionMiddleware.from_crawler(self.crawler)
        self.useragent = UserAgentMiddleware.from_crawler(self.crawler)
        self.cookies = CookiesMiddleware.from_crawler(self.crawler)
        self.httpproxy = HttpProxyMiddleware.from_crawler(self.crawler)

    def send(self, request: Request) -> Request:
        self.useragent.process_request(request)
        self.sessions.process_request(request)
        self.cookies.process_request(request)
        self.httpproxy.process_request(request)
        return request

    def block(self, request: Request) -> Request:
        """Report *request* blocked, as BlockMiddleware does; return its retry."""
        response = HtmlResponse(request.url, status=403, request=request)
        self.crawler.signals.send_catch_log(
            request_blocked, request=request, response=response, kind="http_403"
        )
        return request.replace(dont_filter=True)


def bid_of(request: Request) -> str:
    cookie = request.headers.get(b"Cookie", b"").decode()
    match = re.search(r"\bbid=([^;]+)", cookie)
    assert match, f"no bid cookie in {cookie!r}"
    return match[1]


def user_agent_of(request: Request) -> str:
    return request.headers[b"User-Agent"].decode()


def test_new_bid_looks_like_doubans():
    bids = {new_bid() for _ in range(200)}
    assert len(bids) == 200
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{11}", bid) for bid in bids)


def test_requests_share_one_session_until_it_is_blocked():
    chain = Chain()
    first, second = chain.send(Request(URL)), chain.send(Request(URL + "?2"))
    assert bid_of(first) == bid_of(second)
    assert user_agent_of(first) == user_agent_of(second) in DEFAULT_USER_AGENTS
    assert first.meta["cookiejar"] == second.meta["cookiejar"]


def test_a_blocked_session_is_replaced_by_one_with_a_new_bid_and_user_agent():
    chain = Chain()
    blocked = chain.send(Request(URL))
    retry = chain.send(chain.block(blocked))
    later = chain.send(Request(URL + "?later"))
    assert bid_of(retry) != bid_of(blocked)
    assert user_agent_of(retry) != user_agent_of(blocked)
    assert retry.meta["cookiejar"] != blocked.meta["cookiejar"]  # a new Scrapy cookie jar
    assert (bid_of(later), user_agent_of(later)) == (bid_of(retry), user_agent_of(retry))
    assert chain.crawler.stats.get_value("moviespider/sessions/retired") == 1


def test_late_blocks_from_a_retired_session_do_not_retire_its_successor():
    chain = Chain()
    in_flight = [chain.send(Request(f"{URL}?{i}")) for i in range(5)]
    retries = [chain.send(chain.block(request)) for request in in_flight]
    assert len({bid_of(retry) for retry in retries}) == 1
    assert chain.crawler.stats.get_value("moviespider/sessions/retired") == 1


def test_a_retry_for_another_reason_keeps_its_session():
    chain = Chain()
    request = chain.send(Request(URL))
    retry = chain.send(request.replace(dont_filter=True))  # as RetryMiddleware does after a 503
    assert bid_of(retry) == bid_of(request)


def test_sessions_take_turns():
    chain = Chain(DOUBAN_SESSIONS=3)
    requests = [chain.send(Request(f"{URL}?{i}")) for i in range(6)]
    bids = [bid_of(request) for request in requests]
    assert len(set(bids)) == 3
    assert bids[:3] == bids[3:]


def test_a_user_agent_the_spider_chose_is_kept():
    chain = Chain()
    request = chain.send(Request(URL, headers={"User-Agent": "MyBrowser/1.0"}))
    assert user_agent_of(request) == "MyBrowser/1.0"
    assert user_agent_of(chain.send(chain.block(request))) == "MyBrowser/1.0"


def test_a_custom_user_agent_pool():
    chain = Chain(DOUBAN_USER_AGENTS=["UA-one", "UA-two"])
    request = chain.send(Request(URL))
    assert user_agent_of(request) in {"UA-one", "UA-two"}
    assert {user_agent_of(request), user_agent_of(chain.send(chain.block(request)))} == {
        "UA-one",
        "UA-two",
    }


def test_cookies_the_spider_set_are_sent_alongside_the_bid():
    chain = Chain()
    request = chain.send(Request(URL, cookies={"ll": "108288"}))
    assert "ll=108288" in request.headers[b"Cookie"].decode()
    assert bid_of(request)


def jar_cookies(chain: Chain, request: Request) -> list[tuple[str, str]]:
    """(name, path) of every cookie in the Scrapy cookie jar *request* was sent with."""
    jar = chain.cookies.jars[request.meta["cookiejar"]]
    return sorted((cookie.name, cookie.path) for cookie in jar.jar)


def test_the_jar_holds_one_bid_per_session_however_many_pages_it_fetched(monkeypatch):
    # Before: one bid per page directory (/subject/1/, /subject/2/, …), so the jar, and the
    # time CookiesMiddleware took per request, grew with the crawl.
    monkeypatch.setenv("DOUBAN_COOKIES", "ck=Xy9z")
    chain = Chain(DOUBAN_SESSIONS=2)
    requests = [
        chain.send(Request(f"https://movie.douban.com/subject/{1292052 + i}/")) for i in range(60)
    ]
    for request in requests[:2]:
        assert jar_cookies(chain, request) == [("bid", "/"), ("ck", "/")]
    assert len({request.meta["cookiejar"] for request in requests}) == 2
    assert bid_of(requests[-1]) == bid_of(requests[-3])


def test_log_in_cookies_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("DOUBAN_COOKIES", 'dbcl2="12345:AbCdEf"; ck=Xy9z; bid=LoggedInBid')
    chain = Chain()
    first = chain.send(Request(URL))
    cookie = first.headers[b"Cookie"].decode()
    assert 'dbcl2="12345:AbCdEf"' in cookie
    assert "ck=Xy9z" in cookie
    assert bid_of(first) == "LoggedInBid"  # the browser's own bid goes with its log-in
    retry = chain.send(chain.block(first))
    assert 'dbcl2="12345:AbCdEf"' in retry.headers[b"Cookie"].decode()
    assert bid_of(retry) != "LoggedInBid"


def test_log_in_cookies_never_reach_logs_stats_or_settings(monkeypatch, caplog):
    monkeypatch.setenv("DOUBAN_COOKIES", "dbcl2=TopSecretValue")
    caplog.set_level(logging.DEBUG)
    chain = Chain()
    chain.send(chain.block(chain.send(Request(URL))))
    assert "TopSecretValue" not in caplog.text
    assert "TopSecretValue" not in repr(chain.crawler.stats.get_stats())
    assert "TopSecretValue" not in repr(dict(chain.crawler.settings))


@pytest.mark.parametrize("value", ["dbcl2Secret", "ck=1; oopsSecret", "=Secret", "a b=Secret"])
def test_malformed_log_in_cookies_stop_the_crawl_without_echoing_them(monkeypatch, value):
    monkeypatch.setenv("DOUBAN_COOKIES", value)
    with pytest.raises(ConfigError, match=r"^environment variable DOUBAN_COOKIES: ") as error:
        Chain()
    assert "Secret" not in str(error.value)


def test_parse_cookie_header():
    assert parse_cookie_header(' a=1; b="x:y" ;c=') == {"a": "1", "b": '"x:y"', "c": ""}


def test_non_numeric_douban_sessions_is_a_config_error():
    with pytest.raises(ConfigError, match=r"^setting DOUBAN_SESSIONS: expected a whole number"):
        Chain(DOUBAN_SESSIONS="two")


def test_proxies_from_the_list_are_used_one_per_session(monkeypatch):
    monkeypatch.setenv("PROXY_LIST", "http://u:p@a.example:8080 http://b.example:8080")
    chain = Chain()
    requests = [chain.send(Request(f"{URL}?{i}")) for i in range(4)]
    proxies = [request.meta["proxy"] for request in requests]
    # One session per proxy by default; HttpProxyMiddleware took the credentials out.
    assert sorted(set(proxies)) == ["http://a.example:8080", "http://b.example:8080"]
    via_a = next(r for r in requests if r.meta["proxy"] == "http://a.example:8080")
    assert via_a.headers[b"Proxy-Authorization"] == b"Basic dTpw"  # base64("u:p")


def test_a_blocked_proxy_is_rested_and_the_retry_uses_another(monkeypatch):
    monkeypatch.setenv("PROXY_LIST", "http://a.example:8080,http://b.example:8080")
    chain = Chain(DOUBAN_SESSIONS=1)
    request = chain.send(Request(URL))
    first_proxy = request.meta["proxy"]
    retry = chain.send(chain.block(request))
    assert retry.meta["proxy"] != first_proxy
    assert b"Proxy-Authorization" not in retry.headers or first_proxy.startswith("http://b")
    assert chain.crawler.stats.get_value("moviespider/proxies/rested") == 1


def test_a_proxy_that_fails_to_connect_is_rested_before_retry_middleware_retries(
    monkeypatch, caplog
):
    monkeypatch.setenv("PROXY_LIST", "http://u:s3cret@a.example:8080,http://b.example:8080")
    caplog.set_level(logging.DEBUG)
    chain = Chain(DOUBAN_SESSIONS=1)
    request = chain.send(Request(URL))
    first_proxy = request.meta["proxy"]
    assert chain.sessions.process_exception(request, TCPTimedOutError()) is None
    retry = chain.send(request.replace(dont_filter=True))  # RetryMiddleware's copy
    assert retry.meta["proxy"] != first_proxy
    assert "Resting proxy" in caplog.text
    assert "s3cret" not in caplog.text


def test_a_proxy_that_serves_a_page_is_healthy_again(monkeypatch):
    monkeypatch.setenv("PROXY_LIST", "http://a.example:8080")
    chain = Chain()
    request = chain.send(Request(URL))
    (proxy,) = chain.sessions.proxies.proxies
    proxy.failures = 2
    chain.sessions.process_response(request, HtmlResponse(URL, status=200, request=request))
    assert proxy.failures == 0


def test_a_proxy_the_spider_chose_is_kept(monkeypatch):
    monkeypatch.setenv("PROXY_LIST", "http://a.example:8080")
    chain = Chain()
    request = chain.send(Request(URL, meta={"proxy": "http://mine.example:3128"}))
    assert request.meta["proxy"] == "http://mine.example:3128"
    no_proxy = chain.send(Request(URL, meta={"proxy": None}))
    assert no_proxy.meta["proxy"] is None


def test_without_a_proxy_list_the_standard_environment_proxy_applies(monkeypatch):
    monkeypatch.setenv("https_proxy", "http://corporate.example:3128")
    chain = Chain()
    request = chain.send(Request(URL))
    assert request.meta["proxy"] == "http://corporate.example:3128"
    assert SESSION_META_KEY in request.meta
