"""JS mode: pages arrive as shells that JavaScript fills from /j/ JSON into the static DOM."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import urllib.request
from datetime import date

import pytest
from lxml import html

from douban_sandbox.catalog import build_catalog

ARGS = ["--catalog", "300", "--seed", "5", "--today", "2026-03-10"]
CATALOG = build_catalog(size=300, seed=5, today=date(2026, 3, 10))
SHELL = re.compile(
    rb'<div id="app" data-csr="1" data-src="([^"]+)"></div>\n<script>.*?</script>\n', re.S
)
PATHS = [
    "/top250?start=25&filter=",
    "/cinema/later/beijing/",
    "/cinema/nowplaying/shanghai/",
    f"/subject/{CATALOG.by_rank(4).subject_id}/",
]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def get(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "Mozilla/5.0 (X11; Linux)"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read()


@pytest.fixture(scope="module")
def static(module_sandbox):
    return module_sandbox(*ARGS)


@pytest.fixture(scope="module")
def js(module_sandbox):
    return module_sandbox(*ARGS, "--js")


@pytest.mark.parametrize("path", PATHS)
def test_js_page_is_a_marked_shell_without_the_data(js, path):
    body = get(js.url + path)
    assert SHELL.search(body)
    assert b"window.__MOVIESPIDER_CSR__ = true;" in body
    doc = html.fromstring(body)
    assert not doc.cssselect("ol.grid_view, #showing-soon, #nowplaying, #info")


@pytest.mark.parametrize("path", PATHS)
def test_shell_filled_with_its_json_is_the_static_page(static, js, path):
    shell = get(js.url + path)
    source = SHELL.search(shell).group(1).decode()
    fragment = json.loads(get(js.url + source))["html"].encode()
    rendered = SHELL.sub(lambda _: fragment, shell).replace(js.url.encode(), b"BASE")
    assert rendered == get(static.url + path).replace(static.url.encode(), b"BASE")


def test_json_endpoints_answer_404_for_unknown_ids(js):
    with pytest.raises(urllib.error.HTTPError) as error:
        get(js.url + "/j/subject/1/")
    assert error.value.code == 404


@pytest.mark.skipif(CHROMIUM is None, reason="needs chromium")
def test_a_browser_renders_the_full_list_and_requests_its_posters(sandbox):
    site = sandbox(*ARGS, "--js")
    dom = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--virtual-time-budget=10000",
            "--dump-dom",
            f"{site.url}/top250?start=0&filter=",
        ],
        capture_output=True,
        timeout=60,
        check=True,
    ).stdout
    stats = json.loads(get(f"{site.url}/__sandbox__/stats"))
    doc = html.fromstring(dom)
    titles = [item.cssselect("span.title")[0].text for item in doc.cssselect("ol.grid_view > li")]
    assert titles == [film.title for film in CATALOG.top250_page(0)]
    assert doc.get("data-csr-rendered") == "1"
    assert stats["by_kind"]["json"] == 1
    assert stats["images"] == 25
