"""Fault modes: each one is played as asked, deterministically, and counted."""

from __future__ import annotations

import gzip
import http.client
import io
import json
import socket
import time
import urllib.parse
from datetime import date

import pytest
from lxml import html

from douban_sandbox.catalog import build_catalog
from douban_sandbox.faults import draw, looks_like_browser

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/142.0 Safari/537.36"
BASE_ARGS = ["--catalog", "100", "--seed", "3", "--today", "2026-03-10"]
CATALOG = build_catalog(size=100, seed=3, today=date(2026, 3, 10))
SUBJECT = f"/subject/{CATALOG.by_rank(1).subject_id}/"


def request(url: str, path: str, headers: dict[str, str] | None = None, timeout: float = 10):
    """(status, headers, body) of one GET on a fresh connection; redirects are not followed."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"User-Agent": BROWSER, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def stats(url: str) -> dict:
    return json.loads(request(url, "/__sandbox__/stats")[2])


def test_draws_depend_only_on_seed_and_key():
    assert draw(1, "fail", "/top250", 0) == draw(1, "fail", "/top250", 0)
    assert draw(1, "fail", "/top250", 0) != draw(2, "fail", "/top250", 0)
    assert draw(1, "fail", "/top250", 0) != draw(1, "fail", "/top250", 1)
    values = [draw(0, "x", n) for n in range(2000)]
    assert all(0 <= v < 1 for v in values)
    assert 0.45 < sum(v < 0.5 for v in values) / len(values) < 0.55


@pytest.mark.parametrize(
    ("agent", "browser"),
    [
        (BROWSER, True),
        ("Scrapy/2.19.0 (+https://scrapy.org)", False),
        ("Python-urllib/3.11", False),
        ("curl/8.5.0", False),
        ("Mozilla/5.0 (compatible; python-requests/2.32)", False),
        ("", False),
    ],
)
def test_browser_user_agents_are_told_apart(agent, browser):
    assert looks_like_browser(agent) is browser


def test_fail_rate_one_answers_5xx_to_pages_only(sandbox):
    site = sandbox(*BASE_ARGS, "--fail-rate", "1")
    statuses = {request(site.url, f"/top250?start={n}")[0] for n in range(0, 250, 25)}
    assert statuses <= {500, 502, 503} and len(statuses) > 1
    assert request(site.url, "/robots.txt")[0] == 200
    assert request(site.url, CATALOG.by_rank(1).poster_path)[0] == 200
    assert stats(site.url)["faults"] == {"fail": 10}


def test_failures_are_deterministic_and_a_retried_url_gets_through(sandbox):
    def statuses(url: str) -> list[int]:
        return [request(url, SUBJECT)[0] for _ in range(30)]

    args = [*BASE_ARGS, "--fail-rate", "0.5"]
    first, second = sandbox(*args), sandbox(*args)
    sequence = statuses(first.url)
    assert statuses(second.url) == sequence
    assert 200 in sequence and set(sequence) - {200}
    other = sandbox(*BASE_ARGS[:3], "4", "--fail-rate", "0.5")
    assert statuses(other.url) != sequence


def test_reset_rate_closes_the_connection_without_a_response(sandbox):
    site = sandbox(*BASE_ARGS, "--reset-rate", "1")
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
        request(site.url, "/top250")
    assert stats(site.url)["faults"] == {"reset": 1}
    assert stats(site.url)["by_status"] == {}


def test_slow_rate_answers_after_the_clients_timeout(sandbox):
    args = [*BASE_ARGS, "--slow-rate", "1", "--slow-seconds", "3"]
    site = sandbox(*args)
    with pytest.raises(socket.timeout):
        request(site.url, "/top250", timeout=0.5)
    assert stats(site.url)["faults"] == {"slow": 1}


def test_truncate_rate_sends_half_the_page_with_a_matching_length(sandbox):
    site = sandbox(*BASE_ARGS, "--truncate-rate", "0.5")
    answers = [request(site.url, SUBJECT) for _ in range(12)]
    truncated = stats(site.url)["faults"]["truncate"]
    assert all(status == 200 for status, _, _ in answers)
    assert all(int(headers["Content-Length"]) == len(body) for _, headers, body in answers)
    bodies = {body for _, _, body in answers}
    assert len(bodies) == 2  # the whole page and its first half
    short, whole = sorted(bodies, key=len)
    assert short == whole[: len(whole) // 2]
    assert whole.endswith(b"</html>\n")
    assert 0 < truncated < 12
    assert sum(body == short for _, _, body in answers) == truncated


def test_require_browser_ua_answers_418_with_an_empty_body(sandbox):
    site = sandbox(*BASE_ARGS, "--require-browser-ua")
    status, _, body = request(site.url, "/top250", {"User-Agent": "Scrapy/2.19.0"})
    assert (status, body) == (418, b"")
    assert request(site.url, "/top250", {"User-Agent": "curl/8.5.0"})[0] == 418
    assert request(site.url, "/top250")[0] == 200
    assert stats(site.url)["faults"] == {"browser_ua_required": 2}


def test_ban_after_n_requests_per_bid_and_a_fresh_bid_starts_over(sandbox):
    site = sandbox(*BASE_ARGS, "--ban-after", "3")
    first = {"Cookie": "bid=aaaaaaaaaaa"}
    assert [request(site.url, "/top250", first)[0] for _ in range(4)] == [200, 200, 200, 403]
    status, _, body = request(site.url, SUBJECT, first)
    assert status == 403
    page = html.fromstring(body)
    assert page.findtext(".//title") == "禁止访问"
    assert "检测到有异常请求从你的 IP 发出" in page.text_content()
    fresh = {"Cookie": "bid=bbbbbbbbbbb"}
    assert request(site.url, "/top250", fresh)[0] == 200
    counts = stats(site.url)
    assert counts["faults"] == {"ban_403": 2}
    assert counts["banned_sessions"] == 1


def test_an_address_ban_refuses_every_session_from_the_address_for_good(sandbox):
    args = [*BASE_ARGS, "--ban-after", "3", "--ban-scope", "address"]
    site = sandbox(*args)
    statuses = [
        request(site.url, "/top250", {"Cookie": f"bid=session{n:04d}"})[0] for n in range(6)
    ]
    assert statuses == [200, 200, 200, 403, 403, 403]  # a fresh bid each time: no escape
    assert request(site.url, "/top250")[0] == 403
    assert stats(site.url)["banned_sessions"] == 1


def test_a_timed_ban_ends_and_the_count_starts_again(sandbox):
    args = [*BASE_ARGS, "--ban-after", "2", "--ban-scope", "address", "--ban-for", "1.5"]
    site = sandbox(*args)
    assert [request(site.url, "/top250")[0] for _ in range(3)] == [200, 200, 403]
    time.sleep(2)
    assert [request(site.url, "/top250")[0] for _ in range(3)] == [200, 200, 403]
    assert stats(site.url)["banned_sessions"] == 2


def test_the_request_log_has_each_page_request_with_its_arrival_time(sandbox):
    site = sandbox(*BASE_ARGS, "--ban-after", "1")
    before = time.time()
    request(site.url, "/top250", {"Cookie": "bid=aaaaaaaaaaa"})
    request(site.url, SUBJECT, {"Cookie": "bid=aaaaaaaaaaa"})
    request(site.url, "/robots.txt")
    after = time.time()
    stats(site.url)  # not logged
    log = json.loads(request(site.url, "/__sandbox__/requests")[2])
    assert [(e["path"], e["bid"], e["status"]) for e in log] == [
        ("/top250", "aaaaaaaaaaa", 200),
        (SUBJECT, "aaaaaaaaaaa", 403),
        ("/robots.txt", None, 200),
    ]
    times = [e["time"] for e in log]
    assert before <= times[0] <= times[1] <= times[2] <= after


def test_a_gzip_bomb_is_small_and_decompresses_to_300_mb(sandbox):
    site = sandbox(*BASE_ARGS, "--bomb-rate", "1")
    status, headers, body = request(site.url, SUBJECT)
    assert stats(site.url)["faults"] == {"bomb": 1}
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert len(body) < 400_000
    with gzip.GzipFile(fileobj=io.BytesIO(body)) as stream:
        size = sum(len(chunk) for chunk in iter(lambda: stream.read(1 << 20), b""))
    assert size == 300 * 1024 * 1024


def test_ban_after_zero_never_bans(sandbox):
    site = sandbox(*BASE_ARGS, "--ban-after", "0", "--ban-style", "302")
    assert {request(site.url, "/top250")[0] for _ in range(20)} == {200}


def test_cookieless_requests_count_against_the_client_address(sandbox):
    site = sandbox(*BASE_ARGS, "--ban-after", "2")
    assert [request(site.url, "/top250")[0] for _ in range(3)] == [200, 200, 403]


def test_ban_style_302_redirects_to_a_challenge_page(sandbox):
    args = [*BASE_ARGS, "--ban-after", "1", "--ban-style", "302"]
    site = sandbox(*args)
    request(site.url, SUBJECT)
    status, headers, _ = request(site.url, SUBJECT)
    assert status == 302
    target = urllib.parse.urlsplit(headers["Location"])
    assert target.path == "/sec/c"
    assert urllib.parse.parse_qs(target.query)["r"] == [site.url + SUBJECT]
    status, _, body = request(site.url, f"{target.path}?{target.query}")
    assert status == 200
    assert html.fromstring(body).cssselect("form#sec")
    assert stats(site.url)["faults"] == {"ban_302": 1}


def test_ban_style_page_answers_200_with_the_ban_page(sandbox):
    args = [*BASE_ARGS, "--ban-after", "1", "--ban-style", "page"]
    site = sandbox(*args)
    request(site.url, "/top250")
    status, _, body = request(site.url, "/top250")
    assert status == 200
    assert html.fromstring(body).findtext(".//title") == "禁止访问"


def test_mixed_ban_style_uses_every_style_across_sessions(sandbox):
    args = [*BASE_ARGS, "--ban-after", "1", "--ban-style", "mixed"]
    site = sandbox(*args)
    for n in range(30):
        cookie = {"Cookie": f"bid=session{n:04d}"}
        request(site.url, "/top250", cookie)
        request(site.url, "/top250", cookie)
    faults = stats(site.url)["faults"]
    assert set(faults) == {"ban_403", "ban_302", "ban_page"}
    assert sum(faults.values()) == 30


def test_login_wall_redirects_to_a_douban_style_login_page(sandbox):
    site = sandbox(*BASE_ARGS, "--login-wall-rate", "1")
    status, headers, _ = request(site.url, SUBJECT)
    assert status == 302
    target = urllib.parse.urlsplit(headers["Location"])
    assert target.path == "/accounts/login"
    assert urllib.parse.parse_qs(target.query)["redir"] == [site.url + SUBJECT]
    status, _, body = request(site.url, f"{target.path}?{target.query}")
    assert status == 200
    assert html.fromstring(body).findtext(".//title") == "登录豆瓣"
    assert stats(site.url)["faults"] == {"login_wall": 1}


def test_self_redirect_answers_a_film_s_page_with_a_302_to_itself(sandbox):
    site = sandbox(*BASE_ARGS, "--self-redirect-rate", "1")
    status, headers, _ = request(site.url, SUBJECT)
    assert status == 302
    assert headers["Location"] == site.url + SUBJECT
    merged = f"/subject/{CATALOG.merged_id_of(0)}/"
    status, headers, _ = request(site.url, merged)  # a merged id redirects as ever
    assert headers["Location"].endswith(SUBJECT)
    assert request(site.url, "/top250?start=0")[0] == 200
    assert stats(site.url)["faults"] == {"self_redirect": 1}
