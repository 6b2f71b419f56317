"""Parser for a film or TV series page, ``/subject/<id>/``.

Anchors, preferred in this order because they survived every redesign since 2019:

- RDFa properties: ``v:itemreviewed`` (the heading: "中文名 Original Title"), ``v:directedBy``
  and ``v:starring`` links, ``v:genre``, ``v:initialReleaseDate`` (several, region-suffixed;
  TV series use it for 首播), ``v:runtime``, ``v:average``, ``v:votes``, ``v:summary``,
  ``v:image`` (the poster);
- the ``#info`` block's ``span.pl`` labels, for what has no property: the text from a label to
  the next ``<br>`` is its value (编剧, 制片国家/地区, 语言, 又名, 集数, 单集片长, 片长, and IMDb as
  a link "IMDb链接" up to 2020 or plain text "IMDb:" since);
- the document ``<title>`` ("中文名 (豆瓣)"), which splits the heading into title and original
  title; the heading's next ``span`` (the year); ``span.all`` in ``#link-report`` (renamed
  ``#link-report-intra`` by 2022), the full summary when the shown one is cut;
- the subject id from ``og:url``, the canonical link, the poster's link or, last, the JSON-LD
  block (parsed with ``strict=False``: Douban leaves raw newlines in its strings).
"""

from __future__ import annotations

import json
import re

from lxml.etree import XPath

from moviespider.parsing._document import (
    PageError,
    clean,
    clean_all,
    describe,
    first_int,
    load_document,
    split_clean,
    subject_id_from_url,
    to_float,
)

_HEADING = XPath("//*[@property='v:itemreviewed']")
_YEAR = XPath("string(//*[@property='v:itemreviewed']/following-sibling::span[1])")
_INFO = XPath("//*[@id='info']")
_LABELS = XPath(".//span[@class='pl']")
_DIRECTORS = XPath(".//a[@rel='v:directedBy']/text()")
_ACTORS = XPath(".//a[@rel='v:starring']/text()")
_GENRES = XPath(".//*[@property='v:genre']/text()")
_RELEASE_DATES = XPath(".//*[@property='v:initialReleaseDate']/text()")
_RUNTIME = XPath(".//*[@property='v:runtime']")
_RATING = XPath("string(//*[@property='v:average'])")
_VOTES = XPath("string(//*[@property='v:votes'])")
_FULL_SUMMARY = XPath(
    "//*[starts-with(@id, 'link-report')]"
    "//span[contains(concat(' ', normalize-space(@class), ' '), ' all ')]"
)
_SUMMARY = XPath("//*[@property='v:summary']")
_POSTER = XPath("string((//img[@rel='v:image']/@src | //*[@id='mainpic']//img/@src)[1])")
_ID_URLS = XPath(
    "//meta[@property='og:url']/@content | //link[@rel='canonical']/@href"
    " | //*[@id='mainpic']//a/@href"
)
_JSON_LD = XPath("//script[@type='application/ld+json']/text()")

_PAGE_TITLE_SUFFIX = re.compile(r"\s*\(豆瓣\)\s*$")
_YEAR_NUMBER = re.compile(r"\d{4}")
_IMDB_ID = re.compile(r"tt\d+")
_TV_LABELS = ("集数", "首播")


def parse_subject_page(html: bytes | str) -> dict:
    """The film's fields, with keys: subject_id, title, original_title, aliases, year, kind,
    directors, writers, actors, genres, countries, languages, release_dates, runtime_minutes,
    episodes, imdb_id, rating, votes, summary, poster_url.

    Raises PageError when the document has no ``v:itemreviewed`` heading with text or no
    ``#info`` block (ban page, login wall, JS shell, truncated or empty body). ``subject_id``
    is None when the page names no subject URL: the caller knows it from the request.
    """
    root = load_document(html, "subject")
    headings = _HEADING(root)
    heading = clean(headings[0].text_content()) if headings else ""
    infos = _INFO(root)
    if not heading or not infos:
        raise PageError(f"not a subject page: no title or #info in the {describe(root)}")
    info = infos[0]
    labels = _label_values(info)
    title, original_title = _titles(heading, root.findtext(".//title"))
    release_dates = clean_all(_RELEASE_DATES(info)) or split_clean(
        labels.get("上映日期") or labels.get("首播")
    )
    return {
        "subject_id": _subject_id(root),
        "title": title,
        "original_title": original_title,
        "aliases": split_clean(labels.get("又名"), " / "),
        "year": _year(root, release_dates),
        "kind": "tv" if any(label in labels for label in _TV_LABELS) else "movie",
        "directors": clean_all(_DIRECTORS(info)) or split_clean(labels.get("导演")),
        "writers": split_clean(labels.get("编剧")),
        "actors": clean_all(_ACTORS(info)) or split_clean(labels.get("主演")),
        "genres": clean_all(_GENRES(info)) or split_clean(labels.get("类型")),
        "countries": split_clean(labels.get("制片国家/地区")),
        "languages": split_clean(labels.get("语言")),
        "release_dates": release_dates,
        "runtime_minutes": _runtime(info, labels),
        "episodes": first_int(labels.get("集数")),
        "imdb_id": _imdb_id(labels),
        "rating": to_float(_RATING(root).strip()),
        "votes": first_int(_VOTES(root)),
        "summary": _summary(root),
        "poster_url": _POSTER(root) or None,
    }


def _label_values(info) -> dict[str, str]:
    """{label: text up to the next <br>} for every ``span.pl`` label in ``#info``.

    "类型:" and "导演" (whose colon follows the span) both give the key without the colon.
    """
    values: dict[str, str] = {}
    for label in _LABELS(info):
        key = clean(label.text_content()).rstrip(":：").strip()
        if not key or key in values:
            continue
        parts = [label.tail or ""]
        for sibling in label.itersiblings():
            if sibling.tag == "br":
                break
            parts.append(sibling.text_content())
            parts.append(sibling.tail or "")
        values[key] = clean("".join(parts)).lstrip(":：").strip()
    return values


def _titles(heading: str, page_title: str | None) -> tuple[str, str | None]:
    """Split "肖申克的救赎 The Shawshank Redemption" using the <title> "肖申克的救赎 (豆瓣)"."""
    title = clean(_PAGE_TITLE_SUFFIX.sub("", page_title or ""))
    if title and heading.startswith(title):
        original = heading[len(title) :].strip()
        return title, original if original and original != title else None
    return heading, None


def _year(root, release_dates: list[str]) -> int | None:
    match = _YEAR_NUMBER.search(_YEAR(root))
    if match is None and release_dates:
        match = _YEAR_NUMBER.search(release_dates[0])
    return int(match.group()) if match else None


def _runtime(info, labels: dict[str, str]) -> int | None:
    for node in _RUNTIME(info):
        minutes = first_int(node.get("content")) or first_int(node.text_content())
        if minutes:
            return minutes
    return first_int(labels.get("片长") or labels.get("单集片长"))


def _imdb_id(labels: dict[str, str]) -> str | None:
    for key, value in labels.items():
        if key.startswith("IMDb"):
            match = _IMDB_ID.search(value)
            if match:
                return match.group()
    return None


def _summary(root) -> str | None:
    """The full summary (the hidden ``span.all`` when the page cut the shown one), one
    paragraph a line."""
    nodes = _FULL_SUMMARY(root) or _SUMMARY(root)
    if not nodes:
        return None
    lines = clean_all(line for text in nodes[0].itertext() for line in text.splitlines())
    return "\n".join(lines) or None


def _subject_id(root) -> str | None:
    for url in _ID_URLS(root):
        subject_id = subject_id_from_url(url)
        if subject_id:
            return subject_id
    for block in _JSON_LD(root):
        try:
            data = json.loads(block, strict=False)
        except ValueError:
            continue
        if isinstance(data, dict):
            subject_id = subject_id_from_url(str(data.get("url") or ""))
            if subject_id:
                return subject_id
    return None
