"""The fault matrix for blocks: real `scrapy crawl` runs against a sandbox that bans sessions,
checks user agents and puts up log-in walls, and bad block, session and proxy settings.

Each crawl must end with every film in the output or reported as given up, no item made from a
ban, challenge or log-in page, and the right close reason.
"""

from __future__ import annotations

import itertools
import re
import socket
from datetime import date

import pytest

from douban_sandbox.catalog import build_catalog
from douban_sandbox.faults import draw
from tests.helpers.crawl import run_crawl
from tests.helpers.mockserver import MockServer

TODAY = date(2026, 3, 1)
SIZE, SEED = 300, 11
CATALOG = build_catalog(size=SIZE, seed=SEED, today=TODAY)
DETAIL_FIELDS = ("title", "original_title", "year", "genres", "rating", "votes", "summary")
BLOCK_RETRY_TIMES = 3  # settings.py's DOUBAN_BLOCK_RETRY_TIMES, which the crawls below keep


def in_crawl_sandbox(*faults: str) -> dict[str, str]:
    args = ["--catalog", str(SIZE), "--seed", str(SEED), "--today", TODAY.isoformat(), *faults]
    return {
        "DOUBAN_SANDBOX": "1",
        "DOUBAN_SANDBOX_ARGS": " ".join(args),
        "DOUBAN_REFERENCE_DATE": TODAY.isoformat(),
    }


def stat(log: str, key: str) -> int | None:
    """A count from the stats Scrapy dumps at the end of the log."""
    found = re.search(rf"'{re.escape(key)}': (\d+)", log)
    return int(found[1]) if found else None


def finish_reason(log: str) -> str:
    found = re.search(r"'finish_reason': '(\w+)'", log)
    assert found, log[-3000:]
    return found[1]


def blocked_kinds(log: str) -> set[str]:
    return set(re.findall(r"'moviespider/blocked/(\w+)': \d+", log))


def given_up_ids(log: str) -> list[str]:
    return re.findall(r"Gave up on <GET \S+/subject/(\d+)/>", log)


def assert_details_are_the_films(items: list[dict]) -> None:
    """Every item carries its own film's subject page: none was read from a block page."""
    for item in items:
        truth = CATALOG.film(item["subject_id"]).movie_fields()
        for name in DETAIL_FIELDS:
            assert item[name] == truth[name], (item["subject_id"], name)


@pytest.mark.parametrize(
    ("style", "kinds"),
    [
        ("403", {"http_403"}),
        ("302", {"challenge"}),
        ("page", {"ban_page"}),
        ("mixed", {"http_403", "challenge", "ban_page"}),
    ],
)
def test_banned_sessions_are_replaced_and_every_film_arrives(tmp_path, style, kinds):
    result = run_crawl(
        "douban_top250",
        tmp_path,
        args={"details": "1"},
        settings=in_crawl_sandbox("--ban-after", "40", "--ban-style", style),
    )
    assert result.returncode == 0, result.log[-3000:]
    assert finish_reason(result.log) == "finished"
    assert sorted(item["rank"] for item in result.items) == list(range(1, 251))
    assert_details_are_the_films(result.items)
    assert stat(result.log, "moviespider/details_missing") is None
    assert given_up_ids(result.log) == []
    # 260 pages at 40 a session: at least 6 sessions were banned and replaced.
    assert blocked_kinds(result.log) <= kinds
    if style != "mixed":
        assert blocked_kinds(result.log) == kinds
    assert stat(result.log, "moviespider/sessions/retired") >= 6


FILMS = [CATALOG.by_rank(rank) for rank in range(1, 121)]
GAVE_UP = re.compile(r"Gave up on <GET \S+/subject/(\d+)/>: blocked (\d+) times")


def walled(subject_id: str, attempt: int, rate: float) -> bool:
    """Whether the sandbox puts up its log-in wall for this try at a film (its own draw)."""
    return draw(SEED, "login_wall", f"/subject/{subject_id}/", attempt) < rate


def crawl_films_behind_walls(tmp_path, rate: float, **settings: str):
    result = run_crawl(
        "douban_subject",
        tmp_path,
        args={"ids": ",".join(film.subject_id for film in FILMS)},
        settings={**in_crawl_sandbox("--login-wall-rate", str(rate)), **settings},
    )
    assert finish_reason(result.log) == "finished"
    delivered = {item["subject_id"] for item in result.items}
    assert len(delivered) == len(result.items)
    given_up = {subject_id: int(blocks) for subject_id, blocks in GAVE_UP.findall(result.log)}
    # Pages requested: the films' and robots.txt. Above a tenth given up on, all of them to
    # blocks, the crawl ends "blocked" (exit status 3; README, "Exit status").
    blocked = len(given_up) > 0.1 * (len(FILMS) + 1)
    assert result.returncode == (3 if blocked else 0), result.log[-3000:]
    # Every film is either delivered, from its own page, or given up and reported.
    assert delivered | set(given_up) == {film.subject_id for film in FILMS}
    assert not delivered & set(given_up)
    assert_details_are_the_films(result.items)
    assert stat(result.log, "moviespider/blocked_given_up") == (len(given_up) or None)
    return result, delivered, given_up


def test_login_walls_at_full_speed_lose_no_film(tmp_path):
    rate = 0.5
    result, delivered, given_up = crawl_films_behind_walls(tmp_path, rate)
    # Every wall the sandbox put up was recognised, and none was taken for a film's page: a
    # delivered film met a wall on each try before the first that got through, a film given up
    # on each of its tries.
    for subject_id, blocks in given_up.items():
        assert blocks > BLOCK_RETRY_TIMES
        assert all(walled(subject_id, attempt, rate) for attempt in range(blocks))
    walls = sum(given_up.values())
    for subject_id in delivered:
        walls += next(a for a in itertools.count() if not walled(subject_id, a, rate))
    assert stat(result.log, "moviespider/blocked/login") == walls


def test_a_film_walled_on_every_try_is_given_up_after_the_retries(tmp_path):
    # One request at a time, so that every wall is met by a fresh session and counts (with
    # more in flight, walls met by a session already replaced are not held against a film).
    # Walls are per film here, so they must not close the crawl as a ban either.
    rate = 0.6
    tries = range(BLOCK_RETRY_TIMES + 1)
    walled_for_good = {
        film.subject_id for film in FILMS if all(walled(film.subject_id, a, rate) for a in tries)
    }
    assert walled_for_good  # the seed gives the test films to give up on
    *_, given_up = crawl_films_behind_walls(
        tmp_path,
        rate,
        CONCURRENT_REQUESTS="1",
        CONCURRENT_REQUESTS_PER_DOMAIN="1",
        DOUBAN_MAX_BLOCKS="1000",
    )
    assert given_up == dict.fromkeys(walled_for_good, BLOCK_RETRY_TIMES + 1)


def test_the_sessions_user_agents_pass_a_browser_check(tmp_path):
    # Even with Scrapy's own user agent configured, requests go out with a browser's.
    result = run_crawl(
        "douban_top250",
        tmp_path,
        settings={
            **in_crawl_sandbox("--require-browser-ua"),
            "USER_AGENT": "Scrapy/2.19.0 (+https://scrapy.org)",
        },
    )
    assert result.returncode == 0, result.log[-3000:]
    assert finish_reason(result.log) == "finished"
    assert len(result.items) == 250
    assert blocked_kinds(result.log) == set()


def test_a_site_that_refuses_every_session_closes_the_crawl_as_banned(tmp_path):
    result = run_crawl(
        "douban_top250",
        tmp_path,
        settings={
            **in_crawl_sandbox("--require-browser-ua"),
            "DOUBAN_USER_AGENTS": "python-requests/2.32.3",  # 418 from the sandbox, every time
        },
        timeout=120,
    )
    assert finish_reason(result.log) == "banned"
    assert result.returncode == 3
    assert "Outcome: blocked (exit status 3), close reason banned" in result.log
    assert result.items == []
    errors = [line for line in result.log.splitlines() if "] ERROR: " in line]
    assert len(errors) == 1, result.log[-3000:]
    assert "6 fresh sessions in a row" in errors[0]
    assert "(reason 'banned')" in errors[0]
    assert stat(result.log, "moviespider/blocked/http_418") >= 6
    assert given_up_ids(result.log) == []  # unfetched, not failed: a JOBDIR re-run takes them


def test_a_dead_proxy_is_rested_and_the_crawl_goes_through_a_live_one(tmp_path, sandbox):
    # The sandbox also answers as a forward proxy would (it serves the path of an absolute
    # request URL), so the spider asks for a host that does not exist, through two proxies: one
    # refuses connections, the other is the sandbox.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"http://scout:s3cret@127.0.0.1:{probe.getsockname()[1]}"
    site = sandbox(*in_crawl_sandbox()["DOUBAN_SANDBOX_ARGS"].split())
    result = run_crawl(
        "douban_top250",
        tmp_path,
        settings={"DOUBAN_BASE_URL": "http://movie.douban.invalid", "DOUBAN_PROFILE": "fast"},
        env={"PROXY_LIST": f"{dead} {site.url}"},
    )
    assert result.returncode == 0, result.log[-3000:]
    assert finish_reason(result.log) == "finished"
    assert sorted(item["rank"] for item in result.items) == list(range(1, 251))
    assert stat(result.log, "moviespider/proxies/rested") >= 1
    assert "Resting proxy http://***@127.0.0.1:" in result.log
    assert "s3cret" not in result.log


@pytest.mark.parametrize(
    ("settings", "environment", "named"),
    [
        ({"CONCURRENT_REQUESTS": "-1"}, {}, "setting CONCURRENT_REQUESTS: must be at least 1"),
        ({"CONCURRENT_REQUESTS_PER_DOMAIN": "0"}, {}, "setting CONCURRENT_REQUESTS_PER_DOMAIN"),
        ({"DOUBAN_MAX_BLOCKS": "ten"}, {}, "setting DOUBAN_MAX_BLOCKS: expected a whole number"),
        ({"DOUBAN_BLOCK_BACKOFF": "-5"}, {}, "setting DOUBAN_BLOCK_BACKOFF: must be at least 0"),
        ({"PROXY_LIST": "/nonexistent/proxies.txt"}, {}, "setting PROXY_LIST: cannot read"),
        ({"PROXY_LIST": "BAD_FILE"}, {}, "setting PROXY_LIST"),
        ({}, {"PROXY_LIST": "http://u:s3cret@proxy:80a"}, "environment variable PROXY_LIST"),
        ({}, {"DOUBAN_COOKIES": "s3cret"}, "environment variable DOUBAN_COOKIES"),
    ],
)
def test_a_bad_setting_stops_the_crawl_before_any_request(tmp_path, settings, environment, named):
    if settings.get("PROXY_LIST") == "BAD_FILE":
        proxies = tmp_path / "proxies.txt"
        proxies.write_text("http://ok.example:8080\nhttp://u:s3cret@bad.example\n", "utf-8")
        settings = {"PROXY_LIST": str(proxies)}
    with MockServer() as site:
        result = run_crawl(
            "douban_top250",
            tmp_path,
            settings={"DOUBAN_BASE_URL": site.url, **settings},
            env=environment,
        )
        assert site.hits == []
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if "error" in line.lower()]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(f"moviespider: error: {named}")
    assert "Traceback" not in result.stderr
    assert "s3cret" not in result.stderr
