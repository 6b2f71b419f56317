"""Parser for the Top250 list page, ``/top250?start=N`` (25 films a page).

Anchors, chosen for what survived Douban's markup changes (the April 2025 page dropped the
``div.star`` and ``span.inq`` classes and every empty ``class=""``):

- the list is ``ol.grid_view``; a film is an ``li`` in it that links to a subject page, laid
  out as ``div.item > div.pic`` (rank ``em``, subject link, poster ``img``) and
  ``div.info > div.hd`` (``span.title``: the Chinese title, then "&nbsp;/&nbsp;Original" when
  the original differs; ``span.other``: aliases) and ``div.info > div.bd`` (the rest). Fields are
  read along these short child paths, which costs far less than scanning each film's subtree;
- ``div.bd``'s first ``p`` holds two lines split by ``<br>``: "导演: … 主演: …" (Douban cuts it
  with "...") and "YEAR / COUNTRIES / GENRES"; any later ``p`` there is the quote, found by
  position because its inner ``span`` lost its class;
- rating is ``[property=v:average]``; votes the text "N人评价" beside it.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from moviespider.parsing._document import (
    PageError,
    clean,
    clean_or_none,
    describe,
    first_int,
    load_document,
    split_clean,
    subject_id_from_url,
    to_float,
    whole_films,
    xpath,
)
from moviespider.parsing.names import person_names, whole_native_name

_LIST = xpath("//ol[contains(concat(' ', normalize-space(@class), ' '), ' grid_view ')]")
_FILMS = xpath("li[.//a[contains(@href, '/subject/')]]")
_PIC = "div/div[contains(@class, 'pic')]"
_HD = "div/div[contains(@class, 'info')]/div[contains(@class, 'hd')]"
_BD = "div/div[contains(@class, 'info')]/div[contains(@class, 'bd')]"
_RANK = xpath(f"string({_PIC}/em)")
_LINK = xpath(f"string(({_PIC}/a/@href | {_HD}/a/@href)[1])")
_POSTER = xpath(f"string({_PIC}//img/@src)")
_TITLES = xpath(f"{_HD}/a/span[@class='title']/text()")
_OTHER = xpath(f"string({_HD}/a/span[@class='other'])")
_FACT_LINES = xpath(f"{_BD}/p[1]/text()")
_QUOTE = xpath(f"{_BD}/p[position() > 1]//text()")
_RATING = xpath(f"string({_BD}/div/*[@property='v:average'])")
_VOTES = xpath(f"string({_BD}/div/span[contains(text(), '人评价')])")

_ROLE = re.compile(r"(导演|主演)\s*[:：]")
# Douban puts "&nbsp;&nbsp;&nbsp;" between the two roles; names hold single plain spaces only.
_ROLE_END = re.compile(r"\s{2,}|\xa0")
_CUT = ("...", "…")
_YEAR = re.compile(r"\d{4}")
_LEADING_SLASH = re.compile(r"^\s*/")
_ALIAS_SEPARATOR = re.compile(r"\s{2,}/\s{2,}")


def parse_top250_page(html: bytes | str) -> list[dict]:
    """One dict per film, in page order, with keys: subject_id, title, original_title, aliases,
    year, directors, actors, genres, countries, rating, votes, rank, quote, poster_url.

    Returns [] for a list page whose ``ol.grid_view`` is empty; raises PageError when the
    document has no ``ol.grid_view`` at all (ban page, login wall, JS shell, empty body).
    It also raises PageError when a film in the list has no subject id or title: the
    document was cut short, and an unidentifiable film must not pass for a real one.
    """
    root = load_document(html, "Top250")
    lists = _LIST(root)
    if not lists:
        raise PageError(f"not a Top250 page: no ol.grid_view in the {describe(root)}")
    return whole_films([_film(node) for node in _FILMS(lists[0])], "Top250")


def _film(node: HtmlElement) -> dict:
    titles = _TITLES(node)
    title = clean(titles[0]) if titles else None
    original = clean(_LEADING_SLASH.sub("", titles[1], count=1)) if len(titles) > 1 else None
    lines = [line for line in _FACT_LINES(node) if line.strip()]
    directors, actors = _people(lines[0]) if lines else ([], [])
    year, countries, genres = _year_countries_genres(lines[-1] if len(lines) > 1 else "")
    return {
        "subject_id": subject_id_from_url(_LINK(node) or None),
        "title": title or None,
        "original_title": original if original and original != title else None,
        "aliases": _aliases(_OTHER(node)),
        "year": year,
        "directors": directors,
        "actors": actors,
        "genres": genres,
        "countries": countries,
        "rating": to_float(_RATING(node).strip()),
        "votes": first_int(_VOTES(node)),
        "rank": first_int(_RANK(node)),
        "quote": clean_or_none("".join(_QUOTE(node))),
        "poster_url": _POSTER(node) or None,
    }


def _aliases(text: str) -> list[str]:
    """Aliases: "&nbsp;/&nbsp;月黑高飞(港)  /  刺激1995(台)" -> ["月黑高飞(港)", "刺激1995(台)"].

    Aliases are separated by a slash between runs of blanks; a slash with single spaces
    belongs to the alias itself ("铁达尼号(港 / 台)").
    """
    text = _LEADING_SLASH.sub("", text, count=1)
    return [alias for alias in (clean(a) for a in _ALIAS_SEPARATOR.split(text)) if alias]


def _people(line: str) -> tuple[list[str], list[str]]:
    """Directors and actors from "导演: A a / B b   主演: C c / D d...", each name in its stored
    form (moviespider.parsing.names).

    Douban cuts the line to a fixed width and ends it with "...": the cut can fall after a
    separator ("/..."), inside a name ("张丰毅 Fengyi Zha..."), inside the 主演 label itself
    ("Eric Toledano   主..."), or right after the blanks that end the directors ("刘伟强 / 麦兆辉
    ..."), where it cuts the whole 主演 part. Every whole name is kept; only a name the cut
    fell in is dropped, and not even that when the cut fell in its romanised form, after its
    whole Chinese name ("张丰毅 Fengyi Zha..." keeps "张丰毅").
    """
    line = line.strip()
    cut = line.endswith(_CUT)
    if cut:
        line = line.rstrip(".…")
    labels = list(_ROLE.finditer(line))
    names: dict[str, list[str]] = {"导演": [], "主演": []}
    for i, label in enumerate(labels):
        last = i == len(labels) - 1
        value = line[label.end() : None if last else labels[i + 1].start()]
        names[label.group(1)] = _whole_names(value) if cut and last else split_clean(value)
    return person_names(names["导演"]), person_names(names["主演"])


def _whole_names(value: str) -> list[str]:
    """The names in the last role's value on a cut line that the cut left whole."""
    names, *after = _ROLE_END.split(value.lstrip(), maxsplit=1)
    if after:  # the blanks that end a role came before the cut: every name is whole
        return split_clean(names)
    *whole, cut_one = value.split("/")
    kept = whole_native_name(cut_one)
    return split_clean("/".join(whole)) + ([kept] if kept else [])


def _year_countries_genres(line: str) -> tuple[int | None, list[str], list[str]]:
    """Line two: "1994 / 美国 / 犯罪 剧情" -> (1994, ["美国"], ["犯罪", "剧情"]).

    Films with several release years list them all first ("1961(中国大陆) / 1964(中国大陆) / …"):
    the year is the first one; countries and genres are always the last two parts (a lone part
    after the years is taken as genres).
    """
    parts = split_clean(line)
    years = 0
    while years < len(parts) and _YEAR.match(parts[years]):
        years += 1
    year = int(_YEAR.match(parts[0]).group()) if years else None
    rest = parts[years:]
    if len(rest) < 2:
        return year, [], rest[0].split() if rest else []
    return year, rest[-2].split(), rest[-1].split()
