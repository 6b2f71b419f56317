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
- the page's own subject id (which film this is, whatever URL served it) from ``og:url``, the
  canonical link, the JSON-LD block's ``url`` (on every saved page since 2020; parsed with
  ``strict=False``: Douban leaves raw newlines in its strings), the poster's link or, last, a
  ``/subject/<id>/comments`` link.

The document is scanned once for every element with a property, an id or a known rel; the
rest is read relative to those (``#info`` is small), never by another whole-document scan.
"""

from __future__ import annotations

import json
import re

from lxml.html import HtmlElement

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
    xpath,
)
from moviespider.parsing.names import person_names
from moviespider.site import IMDB_ID

# One scan of the document finds every element read by its RDFa property, id or rel: a "//"
# scan per field would walk the whole page each time (docs/performance.md).
_LANDMARKS = xpath("//*[@property or @id or @rel='v:image' or @rel='canonical']")
_LABELS = xpath(".//span[@class='pl']")
_DIRECTORS = xpath(".//a[@rel='v:directedBy']/text()")
_ACTORS = xpath(".//a[@rel='v:starring']/text()")
_YEAR = xpath("string(following-sibling::span[1])")
_FULL_SUMMARY = xpath(".//span[contains(concat(' ', normalize-space(@class), ' '), ' all ')]")
_MAINPIC_LINK = xpath("string((.//a/@href)[1])")
_MAINPIC_IMAGE = xpath("string((.//img/@src)[1])")
_JSON_LD = xpath("//script[@type='application/ld+json']/text()")
_LINKS = xpath(".//a/@href")
_RECOMMENDATION_LINKS = xpath("//*[contains(@class, 'recommendations-bd')]//a/@href")
_COMMENTS_LINK = xpath("string((//a[contains(@href, '/comments')]/@href)[1])")

_PAGE_TITLE_SUFFIX = re.compile(r"\s*\(豆瓣\)\s*$")
_YEAR_NUMBER = re.compile(r"\d{4}")
_TV_LABELS = ("集数", "首播")


class _Landmarks:
    """The elements of one subject page that carry an RDFa property, an id or a known rel."""

    def __init__(self, root: HtmlElement):
        self.properties: dict[str, list[HtmlElement]] = {}
        self.ids: dict[str, HtmlElement] = {}
        self.poster: HtmlElement | None = None
        self.canonical: HtmlElement | None = None
        for element in _LANDMARKS(root):
            prop = element.get("property")
            if prop:
                self.properties.setdefault(prop, []).append(element)
            element_id = element.get("id")
            if element_id:
                self.ids.setdefault(element_id, element)
            rel = element.get("rel")
            if rel == "v:image" and self.poster is None:
                self.poster = element
            elif rel == "canonical" and self.canonical is None:
                self.canonical = element

    def first(self, prop: str) -> HtmlElement | None:
        elements = self.properties.get(prop)
        return elements[0] if elements else None

    def texts(self, prop: str) -> list[str]:
        return clean_all(element.text_content() for element in self.properties.get(prop, ()))

    def text(self, prop: str) -> str:
        element = self.first(prop)
        return clean(element.text_content()) if element is not None else ""

    def summary_node(self) -> HtmlElement | None:
        """The hidden full summary (``span.all`` in ``#link-report``, ``#link-report-intra``
        since 2022) when the page has one, else the ``v:summary`` one."""
        for element_id, element in self.ids.items():
            if element_id.startswith("link-report"):
                full = _FULL_SUMMARY(element)
                if full:
                    return full[0]
        return self.first("v:summary")


def parse_subject_page(html: bytes | str, *, recommendations: bool = False) -> dict:
    """The film's fields, with keys: subject_id, title, original_title, aliases, year, kind,
    directors, writers, actors, genres, countries, languages, release_dates, runtime_minutes,
    episodes, imdb_id, rating, votes, summary, poster_url; with ``recommendations``, also
    ``recommended_ids``: the subject ids of "喜欢这部电影的人也喜欢", in page order.

    Raises PageError when the document has no ``v:itemreviewed`` heading with text or no
    ``#info`` block (ban page, login wall, JS shell, truncated or empty body). ``subject_id`` is
    the page's own id, which the caller compares with the id it asked for (Douban redirects a
    merged duplicate to the film kept); None when the page names no subject URL.
    """
    root = load_document(html, "subject")
    marks = _Landmarks(root)
    heading = marks.text("v:itemreviewed")
    info = marks.ids.get("info")
    if not heading or info is None:
        raise PageError(f"not a subject page: no title or #info in the {describe(root)}")
    labels = _label_values(info)
    title, original_title = _titles(heading, root.findtext(".//title"))
    release_dates = marks.texts("v:initialReleaseDate") or split_clean(
        labels.get("上映日期") or labels.get("首播")
    )
    fields = {
        "subject_id": _subject_id(root, marks),
        "title": title,
        "original_title": original_title,
        "aliases": split_clean(labels.get("又名"), " / "),
        "year": _year(marks, release_dates),
        "kind": "tv" if any(label in labels for label in _TV_LABELS) else "movie",
        "directors": person_names(clean_all(_DIRECTORS(info)) or split_clean(labels.get("导演"))),
        "writers": person_names(split_clean(labels.get("编剧"))),
        "actors": person_names(clean_all(_ACTORS(info)) or split_clean(labels.get("主演"))),
        "genres": marks.texts("v:genre") or split_clean(labels.get("类型")),
        "countries": split_clean(labels.get("制片国家/地区")),
        "languages": split_clean(labels.get("语言")),
        "release_dates": release_dates,
        "runtime_minutes": _runtime(marks, labels),
        "episodes": first_int(labels.get("集数")),
        "imdb_id": _imdb_id(labels),
        "rating": to_float(marks.text("v:average")),
        "votes": first_int(marks.text("v:votes")),
        "summary": _summary(marks.summary_node()),
        "poster_url": _poster_url(marks),
    }
    if recommendations:
        fields["recommended_ids"] = _recommended_ids(root, marks)
    return fields


def _recommended_ids(root: HtmlElement, marks: _Landmarks) -> list[str]:
    """The films the page recommends: links in ``#recommendations`` (or, should the id go, in
    its ``recommendations-bd`` body), each subject once."""
    block = marks.ids.get("recommendations")
    links = _LINKS(block) if block is not None else _RECOMMENDATION_LINKS(root)
    found = (subject_id_from_url(link) for link in links)
    return list(dict.fromkeys(subject_id for subject_id in found if subject_id))


def _label_values(info: HtmlElement) -> dict[str, str]:
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


def _year(marks: _Landmarks, release_dates: list[str]) -> int | None:
    heading = marks.first("v:itemreviewed")
    match = _YEAR_NUMBER.search(_YEAR(heading)) if heading is not None else None
    if match is None and release_dates:
        match = _YEAR_NUMBER.search(release_dates[0])
    return int(match.group()) if match else None


def _runtime(marks: _Landmarks, labels: dict[str, str]) -> int | None:
    for element in marks.properties.get("v:runtime", ()):
        minutes = first_int(element.get("content")) or first_int(element.text_content())
        if minutes:
            return minutes
    return first_int(labels.get("片长") or labels.get("单集片长"))


def _imdb_id(labels: dict[str, str]) -> str | None:
    for key, value in labels.items():
        if key.startswith("IMDb"):
            match = IMDB_ID.search(value)
            if match:
                return match.group()
    return None


def _summary(node: HtmlElement | None) -> str | None:
    """The summary's paragraphs, one a line, each stripped."""
    if node is None:
        return None
    lines = clean_all(line for text in node.itertext() for line in text.splitlines())
    return "\n".join(lines) or None


def _poster_url(marks: _Landmarks) -> str | None:
    if marks.poster is not None and marks.poster.get("src"):
        return marks.poster.get("src")
    mainpic = marks.ids.get("mainpic")
    return (_MAINPIC_IMAGE(mainpic) or None) if mainpic is not None else None


def _subject_id(root: HtmlElement, marks: _Landmarks) -> str | None:
    og_url = marks.first("og:url")
    found = subject_id_from_url(og_url.get("content") if og_url is not None else None)
    if found is None and marks.canonical is not None:
        found = subject_id_from_url(marks.canonical.get("href"))
    if found is None:
        found = _json_ld_subject_id(root)
    mainpic = marks.ids.get("mainpic")
    if found is None and mainpic is not None:
        found = subject_id_from_url(_MAINPIC_LINK(mainpic))
    if found is None:
        found = subject_id_from_url(_COMMENTS_LINK(root))
    return found


def _json_ld_subject_id(root: HtmlElement) -> str | None:
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
