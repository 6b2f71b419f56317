"""The sandbox's markup has the real pages' structure: each field sits where Douban puts it.

For every selector a parser may use, the first element it finds must have the same ancestry
(tags, ids and classes up to <body>) on the sandbox's page as on the saved real page. The real
pages live beside the checkout in ../shared/douban-pages/; without them these tests skip.
"""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
from lxml import html

from douban_sandbox.catalog import build_catalog

REAL_PAGES = Path(__file__).resolve().parents[2].parent / "shared" / "douban-pages"
ARGS = ["--catalog", "500", "--seed", "0", "--today", "2026-03-10"]
CATALOG = build_catalog(size=500, seed=0)
FILMS = {
    "long_summary": next(
        f for f in CATALOG.top250_page(0, 100) if len(f.summary) > 150 and f.runtime_minutes
    ).subject_id,
    "unrated": CATALOG.by_rank(500).subject_id,
    "tv": next(f for f in CATALOG.top250_page(0, 500) if f.kind == "tv").subject_id,
}

TOP250 = [
    "ol.grid_view > li > div.item",
    "div.pic em",
    "div.pic a img",
    "div.hd a span.title",
    "span.other",
    "div.bd > p",
    "span.rating_num[property='v:average']",
    "p.quote span",
    "div.paginator span.next a",
    "div.paginator span.count",
]
SUBJECT = [
    "span[property='v:itemreviewed']",
    "h1 span.year",
    "#mainpic img",
    "#info span.pl",
    "a[rel='v:directedBy']",
    "a[rel='v:starring']",
    "span[property='v:genre']",
    "span[property='v:initialReleaseDate']",
    "span[property='v:runtime']",
    "strong[property='v:average']",
    "span[property='v:votes']",
    "span[property='v:summary']",
    "span.all.hidden",
]
CASES = [
    ("top250/2019_start000.html", "2019", "/top250?start=0&filter=", TOP250),
    ("top250/2025_start000.html", "2025", "/top250?start=0&filter=", TOP250),
    (
        "later/chengdu_2019-03.html",
        "2019",
        "/cinema/later/chengdu/",
        [
            "#content > h1",
            "div#showing-soon > div.item",
            "a.thumb img",
            "div.intro h3 a",
            "li.dt",
            "li.dt.last span",
            "ul a.trailer_icon",
            "a.city-item",
        ],
    ),
    (
        "nowplaying/beijing_2021.html",
        "2019",
        "/cinema/nowplaying/beijing/",
        [
            "#nowplaying li.list-item",
            "#upcoming li.list-item",
            "li.poster img",
            "li.stitle a",
            "li.srating span.subject-rate",
            "li.release-date",
            "a.city-item",
        ],
    ),
    ("subject/1292052_2020.html", "2019", "/subject/{long_summary}/", SUBJECT),
    ("subject/3541415_2022.html", "2025", "/subject/{long_summary}/", SUBJECT),
    (
        "subject/10355605_2021_no_rating.html",
        "2025",
        "/subject/{unrated}/",
        ["strong[property='v:average']", "div.rating_right.not_showed", "div.rating_sum"],
    ),
    (
        "subject/1920763_tv_2024.html",
        "2025",
        "/subject/{tv}/",
        ["#info span.pl", "span[property='v:initialReleaseDate']", "a[rel='v:directedBy']"],
    ),
]


def ancestry(element) -> str:
    steps = []
    while element is not None and element.tag not in ("body", "html"):
        step = element.tag
        if element.get("id") and not element.get("id").isdigit():  # list items' ids are data
            step += "#" + element.get("id")
        step += "".join("." + name for name in sorted(element.get("class", "").split()))
        steps.append(step)
        element = element.getparent()
    return " > ".join(reversed(steps))


@pytest.fixture(scope="module")
def sandboxes(module_sandbox):
    if not REAL_PAGES.is_dir():
        pytest.skip(f"no real pages at {REAL_PAGES}")
    return {
        "2019": module_sandbox(*ARGS).url,
        "2025": module_sandbox(*ARGS, "--markup", "2025").url,
    }


@pytest.mark.parametrize(("real", "markup", "path", "selectors"), CASES, ids=[c[0] for c in CASES])
def test_sandbox_page_has_the_real_pages_structure(sandboxes, real, markup, path, selectors):
    url = sandboxes[markup] + path.format(**FILMS)
    request = urllib.request.Request(url, headers={"User-Agent": "Mozilla/5.0 (X11; Linux)"})
    with urllib.request.urlopen(request, timeout=10) as response:
        ours = html.fromstring(response.read())
    theirs = html.fromstring((REAL_PAGES / real).read_bytes())
    for selector in selectors:
        expected, found = theirs.cssselect(selector), ours.cssselect(selector)
        assert expected, f"{selector} is not on the real page"
        assert found, f"{selector} is not on the sandbox page"
        assert ancestry(found[0]) == ancestry(expected[0]), selector
