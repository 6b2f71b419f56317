"""The sandbox serves the catalog's truth in Douban's markup, deterministically."""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import urllib.robotparser
from datetime import date, timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from lxml import html
from PIL import Image

from douban_sandbox import SandboxProcess, create_app
from douban_sandbox.app import SANDBOX_KEY
from douban_sandbox.catalog import build_catalog
from douban_sandbox.options import SandboxOptionError, SandboxOptions

REPO_ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 3, 10)
ARGS = ["--catalog", "500", "--seed", "7", "--today", TODAY.isoformat()]
OTHER_SEED_ARGS = ["--catalog", "500", "--seed", "8", "--today", TODAY.isoformat()]
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0"


@pytest.fixture(scope="module")
def catalog():
    return build_catalog(size=500, seed=7, today=TODAY)


@pytest.fixture(scope="module")
def site(module_sandbox):
    return module_sandbox(*ARGS)


def fetch(url: str, headers: dict[str, str] | None = None):
    """(status, headers, body) without following redirects or raising on HTTP errors."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers={"User-Agent": BROWSER, **(headers or {})})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def page(url: str):
    status, _, body = fetch(url)
    assert status == 200, url
    return html.fromstring(body)


def texts(nodes) -> list[str]:
    return [node.text_content().strip() for node in nodes]


# --- the catalog ---------------------------------------------------------------------------------


def test_same_seed_gives_the_same_catalog_and_another_seed_another():
    first, second = build_catalog(300, seed=3), build_catalog(300, seed=3)
    assert [first.by_rank(r) for r in range(1, 301)] == [second.by_rank(r) for r in range(1, 301)]
    other = build_catalog(300, seed=4)
    assert [f.title for f in first.top250_page(0)] != [f.title for f in other.top250_page(0)]


def test_subject_ids_are_unique_and_lead_back_to_their_film(catalog):
    films = catalog.top250_page(0, 500)
    assert len({film.subject_id for film in films}) == 500
    assert all(catalog.film(film.subject_id) is film for film in films)
    assert catalog.film("1") is None
    assert catalog.film("abc") is None


def test_catalog_holds_every_edge_case_the_parsers_must_handle(catalog):
    films = catalog.top250_page(0, 500)
    assert any(f.original_title is None for f in films)
    assert any(f.original_title for f in films)
    assert any(not f.aliases for f in films)
    assert any(f.quote is None and f.rating is not None for f in films)
    assert any(f.imdb_id is None for f in films)
    assert any(f.runtime_minutes is None and f.kind == "movie" for f in films)
    assert any(f.rating is None and f.votes is None for f in films)
    tv = [f for f in films if f.kind == "tv"]
    assert tv and all(f.episodes and f.runtime_minutes for f in tv)
    assert any(len(f.release_dates) > 1 for f in films)
    assert any(person.latin is None for f in films for person in f.actors)


def test_top_ranks_are_rated_and_the_unrated_tail_is_upcoming(catalog):
    assert all(f.rating is not None for f in catalog.top250_page(0, 250))
    upcoming_ids = {e.subject_id for city in catalog.cities for e in catalog.upcoming(city)}
    assert all(catalog.film(subject_id).rating is None for subject_id in upcoming_ids)


def test_upcoming_lists_are_distinct_dated_subsets(catalog):
    lists = {city: catalog.upcoming(city) for city in catalog.cities}
    for entries in lists.values():
        assert 20 <= len(entries) <= 40
        dates = [entry.release_date for entry in entries]
        assert dates == sorted(dates)
        assert all(TODAY < d <= TODAY + timedelta(days=75) for d in dates)
    assert len({tuple(e.subject_id for e in entries) for entries in lists.values()}) == len(lists)
    all_entries = [entry for entries in lists.values() for entry in entries]
    assert any(entry.want_count is None for entry in all_entries)
    assert any(entry.has_trailer for entry in all_entries)


def test_upcoming_film_release_dates_agree_with_the_later_list(catalog):
    for entry in catalog.upcoming("chengdu"):
        assert entry.film.release_dates == (f"{entry.release_date.isoformat()}(中国大陆)",)
        assert entry.film.year == entry.release_date.year


def test_movie_fields_use_movie_schema_names(catalog):
    fields = catalog.by_rank(1).movie_fields()
    assert fields["url"] == f"https://movie.douban.com/subject/{fields['subject_id']}/"
    assert fields["rank"] == 1
    assert isinstance(fields["directors"], list)


def test_a_large_catalog_costs_nothing_until_used():
    catalog = build_catalog(size=50_000, seed=1)
    assert len(catalog.top250_page(49_975)) == 25
    assert catalog.film_at.cache_info().currsize == 25


# --- the server ----------------------------------------------------------------------------------


def test_top250_page_lists_25_ranked_films_with_their_values(site, catalog):
    doc = page(f"{site.url}/top250?start=25&filter=")
    items = doc.cssselect("ol.grid_view > li > div.item")
    assert [int(x) for x in texts(doc.cssselect("div.pic em"))] == list(range(26, 51))
    for item, film in zip(items, catalog.top250_page(25), strict=True):
        titles = texts(item.cssselect("span.title"))
        assert titles[0] == film.title
        assert len(titles) == (2 if film.original_title else 1)
        assert item.cssselect("span.rating_num")[0].text == f"{film.rating:.1f}"
        assert item.cssselect("div.star span")[-1].text == f"{film.votes}人评价"
        assert bool(item.cssselect("p.quote span.inq")) == (film.quote is not None)
        link = item.cssselect("div.hd a")[0].get("href")
        assert link == f"{site.url}/subject/{film.subject_id}/"
        assert item.cssselect("div.bd p")[0].text_content().strip().startswith("导演: ")


def test_top250_lines_are_cut_like_douban(site):
    doc = page(f"{site.url}/top250?start=0&filter=")
    lines = [p.text_content().strip().splitlines()[0] for p in doc.cssselect("div.bd > p")]
    assert any(line.endswith("...") for line in lines)


def test_top250_beyond_the_catalog_is_an_empty_list(site):
    doc = page(f"{site.url}/top250?start=500&filter=")
    assert doc.cssselect("ol.grid_view")
    assert not doc.cssselect("ol.grid_view > li")


def test_top250_paginator_links_the_next_page_until_the_last(site):
    first = page(f"{site.url}/top250?start=0&filter=")
    assert first.cssselect('span.next link[rel="next"]')[0].get("href") == "?start=25&filter="
    last = page(f"{site.url}/top250?start=475&filter=")
    assert not last.cssselect("span.next a")
    assert texts(last.cssselect("span.count")) == ["(共500条)"]


def test_subject_page_shows_the_films_values(site, catalog):
    film = next(f for f in catalog.top250_page(0, 100) if f.original_title and f.imdb_id)
    doc = page(f"{site.url}/subject/{film.subject_id}/")
    reviewed = doc.cssselect('span[property="v:itemreviewed"]')[0].text
    assert reviewed == f"{film.title} {film.original_title}"
    assert doc.cssselect("span.year")[0].text == f"({film.year})"
    assert texts(doc.cssselect('a[rel="v:directedBy"]')) == [p.name for p in film.directors]
    assert texts(doc.cssselect('a[rel="v:starring"]')) == [p.name for p in film.actors]
    assert texts(doc.cssselect('span[property="v:genre"]')) == list(film.genres)
    dates = doc.cssselect('span[property="v:initialReleaseDate"]')
    assert texts(dates) == list(film.release_dates)
    assert doc.cssselect('strong[property="v:average"]')[0].text == f"{film.rating:.1f}"
    assert doc.cssselect('span[property="v:votes"]')[0].text == str(film.votes)
    info = doc.cssselect("#info")[0].text_content()
    assert f"制片国家/地区: {' / '.join(film.countries)}" in info
    assert f"IMDb链接: {film.imdb_id}" in info
    assert doc.cssselect("#mainpic img")[0].get("src") == site.url + film.poster_path


def test_subject_summary_keeps_the_full_text_in_span_all_hidden(site, catalog):
    film = next(f for f in catalog.top250_page(0, 100) if len(f.summary) > 150)
    doc = page(f"{site.url}/subject/{film.subject_id}/")
    short = doc.cssselect('span[property="v:summary"]')[0].text_content().strip()
    assert short.endswith("...")
    full = doc.cssselect("span.all.hidden")[0].text_content()
    paragraphs = [line.strip().lstrip("\u3000") for line in full.splitlines() if line.strip()]
    assert "\n".join(paragraphs) == film.summary


def test_subject_json_ld_matches_the_film(site, catalog):
    film = catalog.by_rank(3)
    _, _, body = fetch(f"{site.url}/subject/{film.subject_id}/")
    script = html.fromstring(body).cssselect('script[type="application/ld+json"]')[0].text
    data = json.JSONDecoder(strict=False).decode(script)
    assert data["@type"] == ("TVSeries" if film.kind == "tv" else "Movie")
    assert data["aggregateRating"]["ratingValue"] == f"{film.rating:.1f}"
    assert [person["name"] for person in data["actor"]] == [p.full for p in film.actors]


def test_unrated_subject_says_no_rating_yet(site, catalog):
    film = catalog.upcoming("beijing")[0].film
    doc = page(f"{site.url}/subject/{film.subject_id}/")
    assert doc.cssselect('strong[property="v:average"]')[0].text is None
    assert not doc.cssselect('span[property="v:votes"]')
    assert "暂无评分" in doc.cssselect("div.rating_sum")[0].text_content()


def test_tv_subject_has_first_air_date_and_episodes(site, catalog):
    film = next(f for f in catalog.top250_page(0, 500) if f.kind == "tv")
    doc = page(f"{site.url}/subject/{film.subject_id}/")
    info = doc.cssselect("#info")[0].text_content()
    assert f"集数: {film.episodes}" in info
    assert f"单集片长: {film.runtime_minutes}分钟" in info
    assert "首播:" in info and "上映日期:" not in info
    assert not doc.cssselect('span[property="v:runtime"]')


@pytest.mark.parametrize(
    "path",
    ["/subject/1/", "/subject/99999999/", "/cinema/later/atlantis/", "/cinema/nowplaying/x/"],
)
def test_unknown_subjects_and_cities_are_404(site, path):
    assert fetch(site.url + path)[0] == 404


def test_subject_without_trailing_slash_redirects_like_douban(site, catalog):
    film = catalog.by_rank(1)
    status, headers, _ = fetch(f"{site.url}/subject/{film.subject_id}")
    assert status == 301
    assert headers["Location"].endswith(f"/subject/{film.subject_id}/")


def test_later_page_lists_the_citys_upcoming_films(site, catalog):
    doc = page(f"{site.url}/cinema/later/shanghai/")
    items = doc.cssselect("div#showing-soon > div.item")
    entries = catalog.upcoming("shanghai")
    assert len(items) == len(entries)
    for item, entry in zip(items, entries, strict=True):
        assert item.cssselect("div.intro h3 a")[0].text == entry.film.title
        cells = item.cssselect("li.dt")
        assert cells[0].text == entry.release_date.strftime("%m月%d日")
        assert len(cells) == (3 if entry.want_count is None else 4)
        if entry.want_count is not None:
            assert cells[3].text_content() == f"{entry.want_count}人想看"
        assert bool(item.cssselect("ul a.trailer_icon")) == entry.has_trailer


def test_nowplaying_page_carries_data_attributes(site, catalog):
    doc = page(f"{site.url}/cinema/nowplaying/beijing/")
    items = doc.cssselect("#nowplaying li.list-item")
    films = catalog.nowplaying("beijing")
    assert [item.get("data-subject") for item in items] == [f.subject_id for f in films]
    for item, film in zip(items, films, strict=True):
        assert item.get("data-title") == film.title
        assert item.get("data-score") == f"{film.rating:.1f}"
        assert item.get("data-votecount") == str(film.votes)
    upcoming = doc.cssselect("#upcoming li.list-item")
    assert [i.get("data-subject") for i in upcoming] == [
        e.subject_id for e in catalog.upcoming("beijing")[:10]
    ]


def test_home_page_links_every_list_and_every_link_works(site, catalog):
    links = page(f"{site.url}/").cssselect("ul.sandbox-pages a")
    hrefs = [link.get("href") for link in links]
    assert len(hrefs) == 1 + 2 * len(catalog.cities) + 2
    assert all(fetch(href)[0] == 200 for href in hrefs)


def test_robots_txt_allows_the_crawled_pages_only(site):
    _, _, body = fetch(f"{site.url}/robots.txt")
    rules = urllib.robotparser.RobotFileParser()
    rules.parse(body.decode().splitlines())
    for path in ("/top250?start=0&filter=", "/subject/1292052/", "/cinema/later/beijing/"):
        assert rules.can_fetch("moviespider", site.url + path)
    for path in ("/subject_search?search_text=x", "/j/subject/1/", "/search?q=x"):
        assert not rules.can_fetch("moviespider", site.url + path)


def test_posters_are_small_valid_deterministic_jpegs(site, catalog):
    url = site.url + catalog.by_rank(2).poster_path
    status, headers, body = fetch(url)
    assert status == 200 and headers["Content-Type"] == "image/jpeg"
    image = Image.open(io.BytesIO(body))
    image.verify()
    assert image.format == "JPEG" and image.size == (135, 200)
    assert fetch(url)[2] == body
    other = fetch(site.url + catalog.by_rank(3).poster_path)[2]
    assert other != body


def test_bid_cookie_is_set_when_the_request_has_none(site):
    _, headers, _ = fetch(f"{site.url}/top250")
    bid = re.match(r"bid=([^;]+);", headers["Set-Cookie"]).group(1)
    assert len(bid) == 11
    _, headers, _ = fetch(f"{site.url}/top250", headers={"Cookie": f"bid={bid}"})
    assert "Set-Cookie" not in headers


def test_stats_count_requests_by_kind_status_and_agent(sandbox):
    fresh = sandbox(*ARGS)
    fetch(f"{fresh.url}/top250")
    fetch(f"{fresh.url}/subject/1/")
    fetch(f"{fresh.url}/view/photo/s_ratio_poster/public/p1.jpg")
    _, _, body = fetch(f"{fresh.url}/__sandbox__/stats")
    stats = json.loads(body)
    assert stats["requests"] == 3
    assert stats["by_kind"] == {"top250": 1, "subject": 1, "image": 1}
    assert stats["by_status"] == {"200": 2, "404": 1}
    assert stats["images"] == 1
    assert stats["user_agents"] == {BROWSER: 3}


def test_deleting_the_stats_zeroes_them(site):
    fetch(f"{site.url}/top250")
    request = urllib.request.Request(f"{site.url}/__sandbox__/stats", method="DELETE")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 204
    stats = json.loads(fetch(f"{site.url}/__sandbox__/stats")[2])
    assert stats["requests"] == 0 and stats["by_kind"] == {}


def test_pages_are_identical_across_processes_with_the_same_seed(site, sandbox):
    paths = ["/top250?start=50&filter=", "/cinema/later/wuhan/", "/cinema/nowplaying/xian/"]
    twin, other = sandbox(*ARGS), sandbox(*OTHER_SEED_ARGS)
    for path in paths:
        ours = fetch(site.url + path)[2].replace(site.url.encode(), b"BASE")
        theirs = fetch(twin.url + path)[2].replace(twin.url.encode(), b"BASE")
        different = fetch(other.url + path)[2].replace(other.url.encode(), b"BASE")
        assert ours == theirs
        assert ours != different


def test_2025_markup_drops_star_and_inq_classes_and_shows_imdb_as_text(catalog, sandbox):
    process = sandbox(*ARGS, "--markup", "2025")
    doc = page(f"{process.url}/top250?start=0&filter=")
    film = next(f for f in catalog.top250_page(0, 100) if f.imdb_id)
    subject = page(f"{process.url}/subject/{film.subject_id}/")
    assert not doc.cssselect("div.star") and not doc.cssselect("span.inq")
    assert len(doc.cssselect('span.rating_num[property="v:average"]')) == 25
    assert doc.cssselect("p.quote > span")
    info = subject.cssselect("#info")[0].text_content()
    assert f"IMDb: {film.imdb_id}" in info and "IMDb链接" not in info


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fail-rate", "2"], "argument --fail-rate: a rate is between 0 and 1, got 2"),
        (["--catalog", "0"], "argument --catalog: must be at least 1, got 0"),
        (["--today", "soon"], "argument --today: expected a date YYYY-MM-DD, got 'soon'"),
        (["--markup", "2030"], "argument --markup: invalid choice: '2030'"),
        (["--no-such-option"], "unrecognized arguments: --no-such-option"),
    ],
)
def test_bad_options_fail_before_a_process_starts(args, message):
    with pytest.raises(SandboxOptionError) as error:
        SandboxProcess(args=args)
    assert str(error.value).startswith(message)


def test_the_command_line_reports_a_bad_option_in_its_usage_with_status_2():
    result = subprocess.run(
        [sys.executable, "-m", "douban_sandbox", "--ban-style", "polite"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert "argument --ban-style: invalid choice: 'polite'" in result.stderr


def test_a_port_in_use_is_reported_in_one_line_with_status_2():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "douban_sandbox", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"moviespider sandbox: cannot listen on 127.0.0.1:{port}: ")


def test_sandbox_process_start_reports_the_url_and_stop_ends_the_child():
    process = SandboxProcess(args=["--catalog", "10"])
    url = process.start()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
    assert process.running
    assert fetch(url + "/top250")[0] == 200
    process.stop()
    assert not process.running
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url + "/top250", timeout=5)


PARENT = """
import time
from douban_sandbox import SandboxProcess

sandbox = SandboxProcess(args=["--catalog", "10"])
sandbox.start()
print(sandbox.pid, flush=True)
time.sleep(60)
"""


def test_the_sandbox_exits_when_its_parent_is_killed(tmp_path):
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT],
        stdout=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    child = int(parent.stdout.readline())
    parent.kill()
    parent.wait(10)
    parent.stdout.close()
    deadline = time.monotonic() + 10
    while is_alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    orphaned = is_alive(child)
    if orphaned:
        os.kill(child, signal.SIGTERM)  # leave no server behind when this test fails
    assert not orphaned


def is_alive(pid: int) -> bool:
    """Whether the process runs (a zombie waiting for its reaper does not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def test_a_50000_film_catalog_starts_fast_and_serves_2000_list_pages(sandbox):
    big = sandbox("--catalog", "50000", "--seed", "1", startup_timeout=10)
    last = page(f"{big.url}/top250?start=49975&filter=")
    beyond = page(f"{big.url}/top250?start=50000&filter=")
    assert [int(x) for x in texts(last.cssselect("div.pic em"))] == list(range(49976, 50001))
    assert not beyond.cssselect("ol.grid_view > li")


def test_latency_delays_pages_but_not_posters(catalog, sandbox):
    slow = sandbox(*ARGS, "--latency", "0.6")
    started = time.perf_counter()
    fetch(f"{slow.url}/top250")
    page_seconds = time.perf_counter() - started
    started = time.perf_counter()
    fetch(slow.url + catalog.by_rank(1).poster_path)
    poster_seconds = time.perf_counter() - started
    assert page_seconds >= 0.6
    assert poster_seconds < 0.6


def test_create_app_serves_in_process_and_warm_fills_the_page_cache():
    async def scenario():
        app = create_app(SandboxOptions(catalog=60, seed=2, today=TODAY, warm=True))
        sandbox = app[SANDBOX_KEY]
        sandbox.warm("http://warm.example")
        warmed = sandbox.render.cache_info().currsize
        async with TestClient(TestServer(app)) as client:
            response = await client.get("/top250?start=50", headers={"User-Agent": BROWSER})
            body = await response.text()
        return warmed, len(sandbox.list_pages()), response.status, body

    warmed, list_pages, status, body = asyncio.run(scenario())
    assert warmed == list_pages == 3 + 2 * len(build_catalog(60, seed=2).cities)
    assert status == 200
    assert len(html.fromstring(body).cssselect("ol.grid_view > li")) == 10


@pytest.mark.parametrize("seed", [0, 1, 42])
def test_the_readmes_example_ids_are_the_first_two_films_whatever_the_seed(seed):
    catalog = build_catalog(300, seed=seed)
    assert [catalog.by_rank(rank).subject_id for rank in (1, 2)] == ["1292052", "3541415"]
    ids = [catalog.subject_id_of(index) for index in range(len(catalog))]
    assert len(set(ids)) == len(ids)  # still one id a film
    assert all(catalog.film(subject_id).subject_id == subject_id for subject_id in ids)


def test_started_by_hand_it_prints_where_to_start():
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "douban_sandbox", "--port", "0", "--catalog", "10"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert sandbox.stdout is not None and sandbox.stderr is not None
        url = sandbox.stdout.readline().split()[-1]
        shown = [sandbox.stderr.readline() for _ in range(4)]
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=30)
    assert shown[0].strip() == f"{url}/top250"
    assert f"{url}/subject/1292052/" in shown[2]
    assert "scrapy crawl douban_subject -a ids=1292052,3541415" in shown[3]


def test_recommendations_reach_the_whole_catalog_from_any_film():
    catalog = build_catalog(1000, seed=2)
    start = catalog.by_rank(500)
    seen, todo = {start.subject_id}, [start]
    while todo:
        for film in catalog.recommended(todo.pop()):
            if film.subject_id not in seen:
                seen.add(film.subject_id)
                todo.append(film)
    assert len(seen) == 1000
    assert all(len(catalog.recommended(catalog.by_rank(r))) == 10 for r in (1, 500, 1000))


def test_merged_subjects_redirect_to_the_film_kept(site, catalog):
    film = catalog.by_rank(2)
    status, headers, _ = fetch(f"{site.url}/subject/{catalog.merged_id_of(1)}/")
    assert status == 302
    assert headers["Location"].endswith(f"/subject/{film.subject_id}/")
    status, headers, _ = fetch(f"{site.url}/subject/{catalog.chained_merged_id_of(1)}/")
    assert status == 302
    assert headers["Location"].endswith(f"/subject/{catalog.merged_id_of(1)}/")


def test_a_misfiled_subject_serves_another_film_s_page(site, catalog):
    film = catalog.by_rank(3)
    doc = page(f"{site.url}/subject/{catalog.misfiled_id_of(2)}/")
    assert texts(doc.cssselect('[property="v:itemreviewed"]'))[0].startswith(film.title)
    og_url = doc.cssselect('meta[property="og:url"]')
    json_ld = doc.cssselect('script[type="application/ld+json"]')
    assert film.subject_id in (og_url[0].get("content") if og_url else json_ld[0].text)


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--port", "99999"], "argument --port: a port is from 0 to 65535, got 99999"),
        (["--catalog", "abc"], "argument --catalog: expected a whole number, got 'abc'"),
    ],
)
def test_a_bad_option_is_one_line(option, message):
    result = subprocess.run(
        [sys.executable, "-m", "douban_sandbox", *option],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"python -m douban_sandbox: error: {message}"]
