"""Parser for a city's now-showing page, ``/cinema/nowplaying/<city>/``.

Anchors: the list is ``#nowplaying`` (the page also has an ``#upcoming`` block, which is not
read); a film is an ``li`` carrying ``data-subject`` in it, hidden ones included (the page folds
them behind "显示全部影片"). Every field comes from that ``li``'s ``data-*`` attributes, which
are meant for scripts and so change far less than the visible markup: data-title,
data-release (year), data-score with data-enough (Douban shows "暂无评分" when either says so),
data-votecount, data-director and data-region (space-separated), data-actors (" / "-separated),
data-duration ("106分钟"); the poster is the ``li``'s first ``img``.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from moviespider.parsing._document import (
    PageError,
    clean_or_none,
    describe,
    first_int,
    load_document,
    split_clean,
    to_float,
    whole_films,
    xpath,
)
from moviespider.parsing.names import person_names
from moviespider.site import SUBJECT_ID

_LIST = xpath("//*[@id='nowplaying']")
_FILMS = xpath(".//li[@data-subject]")
_POSTER = xpath("string((.//img/@src)[1])")
# A name in Latin script: data-director separates names with single spaces, so consecutive
# Latin words ("Tim Story") are one name.
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f.'\-]*")


def parse_nowplaying_page(html: bytes | str) -> list[dict]:
    """One dict per film showing, in page order, with keys: subject_id, title, year, rating,
    votes, directors, actors, countries, runtime_minutes, poster_url.

    Returns [] when ``#nowplaying`` is there but lists no film; raises PageError when the
    document has no ``#nowplaying`` at all (ban page, login wall, JS shell, empty body).
    It also raises PageError when a film in the list has no subject id or title: the
    document was cut short, and an unidentifiable film must not pass for a real one.
    """
    root = load_document(html, "now-showing")
    lists = _LIST(root)
    if not lists:
        raise PageError(f"not a now-showing page: no #nowplaying in the {describe(root)}")
    return whole_films([_film(node) for node in _FILMS(lists[0])], "now-showing")


def _film(node: HtmlElement) -> dict:
    attrs = node.attrib
    subject_id = attrs.get("data-subject", "").strip()
    enough = attrs.get("data-enough", "true").strip().lower() != "false"
    return {
        "subject_id": subject_id if SUBJECT_ID.fullmatch(subject_id) else None,
        "title": clean_or_none(attrs.get("data-title")),
        "year": first_int(attrs.get("data-release")),
        "rating": to_float(attrs.get("data-score", "").strip()) if enough else None,
        "votes": first_int(attrs.get("data-votecount")),
        "directors": person_names(_space_separated_names(attrs.get("data-director", ""))),
        "actors": person_names(split_clean(attrs.get("data-actors"))),
        "countries": (attrs.get("data-region") or "").split(),
        "runtime_minutes": first_int(attrs.get("data-duration")),
        "poster_url": _POSTER(node) or None,
    }


def _space_separated_names(text: str) -> list[str]:
    """Names split on blanks, consecutive Latin words kept together.

    "唐·霍尔 卡洛斯·洛佩斯·埃斯特拉达" and "Tim Story 陈思诚" are two names each.
    """
    if "/" in text:
        return split_clean(text)
    names: list[str] = []
    previous_latin = False
    for word in text.split():
        latin = _LATIN_WORD.fullmatch(word) is not None
        if latin and previous_latin:
            names[-1] = f"{names[-1]} {word}"
        else:
            names.append(word)
        previous_latin = latin
    return names
