"""Fault modes: each one is played as asked, deterministically, and counted."""

from __future__ import annotations

import http.client
import json
import socket
import urllib.parse
from datetime import date

import pytest
from lxml import html

from douban_sandbox import SandboxProcess
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


def test_fail_rate_one_answers_5xx_to_pages_only():
    with SandboxProcess(args=[*BASE_ARGS, "--fail-rate", "1"]) as sandbox:
        statuses = {request(sandbox.url, f"/top250?start={n}")[0] for n in range(0, 250, 25)}
        assert statuses <= {500, 502, 503} and len(statuses) > 1
        assert request(sandbox.url, "/robots.txt")[0] == 200
        assert request(sandbox.url, CATALOG.by_rank(1).poster_path)[0] == 200
        assert stats(sandbox.url)["faults"] == {"fail": 10}


def test_failures_are_deterministic_and_a_retried_url_gets_through():
    def statuses(url: str) -> list[int]:
        return [request(url, SUBJECT)[0] for _ in range(30)]

    args = [*BASE_ARGS, "--fail-rate", "0.5"]
    with SandboxProcess(args=args) as first, SandboxProcess(args=args) as second:
        sequence = statuses(first.url)
        assert statuses(second.url) == sequence
    assert 200 in sequence and set(sequence) - {200}
    with SandboxProcess(args=[*BASE_ARGS[:3], "4", "--fail-rate", "0.5"]) as other:
        assert statuses(other.url) != sequence


def test_reset_rate_closes_the_connection_without_a_response():
    with SandboxProcess(args=[*BASE_ARGS, "--reset-rate", "1"]) as sandbox:
        with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
            request(sandbox.url, "/top250")
        assert stats(sandbox.url)["faults"] == {"reset": 1}
        assert stats(sandbox.url)["by_status"] == {}


def test_slow_rate_answers_after_the_clients_timeout():
    args = [*BASE_ARGS, "--slow-rate", "1", "--slow-seconds", "3"]
    with SandboxProcess(args=args) as sandbox:
        with pytest.raises(socket.timeout):
            request(sandbox.url, "/top250", timeout=0.5)
        assert stats(sandbox.url)["faults"] == {"slow": 1}


def test_truncate_rate_sends_half_the_page_with_a_matching_length():
    with SandboxProcess(args=[*BASE_ARGS, "--truncate-rate", "0.5"]) as sandbox:
        answers = [request(sandbox.url, SUBJECT) for _ in range(12)]
        truncated = stats(sandbox.url)["faults"]["truncate"]
    assert all(status == 200 for status, _, _ in answers)
    assert all(int(headers["Content-Length"]) == len(body) for _, headers, body in answers)
    bodies = {body for _, _, body in answers}
    assert len(bodies) == 2  # the whole page and its first half
    short, whole = sorted(bodies, key=len)
    assert short == whole[: len(whole) // 2]
    assert whole.endswith(b"</html>\n")
    assert 0 < truncated < 12
    assert sum(body == short for _, _, body in answers) == truncated


def test_require_browser_ua_answers_418_with_an_empty_body():
    with SandboxProcess(args=[*BASE_ARGS, "--require-browser-ua"]) as sandbox:
        status, _, body = request(sandbox.url, "/top250", {"User-Agent": "Scrapy/2.19.0"})
        assert (status, body) == (418, b"")
        assert request(sandbox.url, "/top250", {"User-Agent": "curl/8.5.0"})[0] == 418
        assert request(sandbox.url, "/top250")[0] == 200
        assert stats(sandbox.url)["faults"] == {"browser_ua_required": 2}


def test_ban_after_n_requests_per_bid_and_a_fresh_bid_starts_over():
    with SandboxProcess(args=[*BASE_ARGS, "--ban-after", "3"]) as sandbox:
        first = {"Cookie": "bid=aaaaaaaaaaa"}
        assert [request(sandbox.url, "/top250", first)[0] for _ in range(4)] == [200, 200, 200, 403]
        status, _, body = request(sandbox.url, SUBJECT, first)
        assert status == 403
        page = html.fromstring(body)
        assert page.findtext(".//title") == "禁止访问"
        assert "检测到有异常请求从你的 IP 发出" in page.text_content()
        fresh = {"Cookie": "bid=bbbbbbbbbbb"}
        assert request(sandbox.url, "/top250", fresh)[0] == 200
        counts = stats(sandbox.url)
        assert counts["faults"] == {"ban_403": 2}
        assert counts["banned_sessions"] == 1


def test_ban_after_zero_never_bans():
    with SandboxProcess(args=[*BASE_ARGS, "--ban-after", "0", "--ban-style", "302"]) as sandbox:
        assert {request(sandbox.url, "/top250")[0] for _ in range(20)} == {200}


def test_cookieless_requests_count_against_the_client_address():
    with SandboxProcess(args=[*BASE_ARGS, "--ban-after", "2"]) as sandbox:
        assert [request(sandbox.url, "/top250")[0] for _ in range(3)] == [200, 200, 403]


def test_ban_style_302_redirects_to_a_challenge_page():
    args = [*BASE_ARGS, "--ban-after", "1", "--ban-style", "302"]
    with SandboxProcess(args=args) as sandbox:
        request(sandbox.url, SUBJECT)
        status, headers, _ = request(sandbox.url, SUBJECT)
        assert status == 302
        target = urllib.parse.urlsplit(headers["Location"])
        assert target.path == "/sec/c"
        assert urllib.parse.parse_qs(target.query)["r"] == [sandbox.url + SUBJECT]
        status, _, body = request(sandbox.url, f"{target.path}?{target.query}")
        assert status == 200
        assert html.fromstring(body).cssselect("form#sec")
        assert stats(sandbox.url)["faults"] == {"ban_302": 1}


def test_ban_style_page_answers_200_with_the_ban_page():
    args = [*BASE_ARGS, "--ban-after", "1", "--ban-style", "page"]
    with SandboxProcess(args=args) as sandbox:
        request(sandbox.url, "/top250")
        status, _, body = request(sandbox.url, "/top250")
        assert status == 200
        assert html.fromstring(body).findtext(".//title") == "禁止访问"


def test_mixed_ban_style_uses_every_style_across_sessions():
    args = [*BASE_ARGS, "--ban-after", "1", "--ban-style", "mixed"]
    with SandboxProcess(args=args) as sandbox:
        for n in range(30):
            cookie = {"Cookie": f"bid=session{n:04d}"}
            request(sandbox.url, "/top250", cookie)
            request(sandbox.url, "/top250", cookie)
        faults = stats(sandbox.url)["faults"]
    assert set(faults) == {"ban_403", "ban_302", "ban_page"}
    assert sum(faults.values()) == 30


def test_login_wall_redirects_to_a_douban_style_login_page():
    with SandboxProcess(args=[*BASE_ARGS, "--login-wall-rate", "1"]) as sandbox:
        status, headers, _ = request(sandbox.url, SUBJECT)
        assert status == 302
        target = urllib.parse.urlsplit(headers["Location"])
        assert target.path == "/accounts/login"
        assert urllib.parse.parse_qs(target.query)["redir"] == [sandbox.url + SUBJECT]
        status, _, body = request(sandbox.url, f"{target.path}?{target.query}")
        assert status == 200
        assert html.fromstring(body).findtext(".//title") == "登录豆瓣"
        assert stats(sandbox.url)["faults"] == {"login_wall": 1}


def test_self_redirect_answers_a_film_s_page_with_a_302_to_itself():
    with SandboxProcess(args=[*BASE_ARGS, "--self-redirect-rate", "1"]) as sandbox:
        status, headers, _ = request(sandbox.url, SUBJECT)
        assert status == 302
        assert headers["Location"] == sandbox.url + SUBJECT
        merged = f"/subject/{CATALOG.merged_id_of(0)}/"
        status, headers, _ = request(sandbox.url, merged)  # a merged id redirects as ever
        assert headers["Location"].endswith(SUBJECT)
        assert request(sandbox.url, "/top250?start=0")[0] == 200
        assert stats(sandbox.url)["faults"] == {"self_redirect": 1}
