"""Parser for a city's upcoming-films page, ``/cinema/later/<city>/``.

Anchors: the list is ``#showing-soon``; a film is a ``div`` child of it that links to a subject
page. Inside it the title is the ``h3`` link, the poster the first ``img``, and the facts are the
``li`` items of its ``ul`` in a fixed order: release date ("03月14日", no year), genres
("剧情 / 爱情"), countries, and an optional fourth "N人想看" (want-to-see count), found by its
text rather than its ``last`` class. A trailer link may sit inside the ``ul`` (as an ``a``, not an
``li``), so it never shifts the order.
"""

from __future__ import annotations

import datetime
import re

from lxml.html import HtmlElement

from moviespider.parsing._document import (
    PageError,
    clean,
    describe,
    load_document,
    split_clean,
    subject_id_from_url,
    whole_films,
    xpath,
)

_LIST = xpath("//*[@id='showing-soon']")
_FILMS = xpath("div[.//a[contains(@href, '/subject/')]]")
_TITLE_LINK = xpath("(.//h3//a[contains(@href, '/subject/')])[1]")
_ANY_LINK = xpath("string((.//a[contains(@href, '/subject/')]/@href)[1])")
_POSTER = xpath("string((.//img/@src)[1])")
_FACTS = xpath(".//ul/li")

_MONTH_DAY = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_WANT = re.compile(r"(\d+)\s*人想看")
# The next 02-29 is at most 8 years away (e.g. 2096 -> 2104).
_YEARS_AHEAD = 9


def parse_later_page(html: bytes | str, today: datetime.date) -> list[dict]:
    """One dict per upcoming film, in page order, with keys: subject_id, title, release_date
    ("YYYY-MM-DD", year inferred from ``today``), genres, countries, want_count, poster_url.

    Returns [] when ``#showing-soon`` is there but lists no film; raises PageError when the
    document has no ``#showing-soon`` at all (ban page, login wall, JS shell, empty body).
    It also raises PageError when a film in the list has no subject id or title: the
    document was cut short, and an unidentifiable film must not pass for a real one.
    """
    root = load_document(html, "upcoming-films")
    lists = _LIST(root)
    if not lists:
        raise PageError(f"not an upcoming-films page: no #showing-soon in the {describe(root)}")
    return whole_films([_film(node, today) for node in _FILMS(lists[0])], "upcoming-films")


def _film(node: HtmlElement, today: datetime.date) -> dict:
    links = _TITLE_LINK(node)
    href = links[0].get("href") if links else _ANY_LINK(node)
    facts = [clean(li.text_content()) for li in _FACTS(node)]
    want_count = None
    for i, fact in enumerate(facts):
        match = _WANT.search(fact)
        if match:
            want_count = int(match.group(1))
            del facts[i:]
            break
    release_date = infer_release_date(facts[0], today) if facts else None
    return {
        "subject_id": subject_id_from_url(href),
        "title": (clean(links[0].text_content()) or None) if links else None,
        "release_date": release_date,
        "genres": split_clean(facts[1]) if len(facts) > 1 else [],
        "countries": split_clean(facts[2]) if len(facts) > 2 else [],
        "want_count": want_count,
        "poster_url": _POSTER(node) or None,
    }


def infer_release_date(text: str, today: datetime.date) -> str | None:
    """The next date on or after ``today`` that ``text`` ("03月14日") names, as "YYYY-MM-DD".

    The upcoming list shows month and day only. A date earlier in the year than ``today`` is
    next year's (a December page lists January films), and 02月29日 is the next leap year's. A
    text that carries its own year ("2019年03月14日") keeps it. None when the text holds no
    valid month and day ("待定", "13月01日", "02月30日").
    """
    match = _MONTH_DAY.search(text)
    if not match:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    if year is not None:
        try:
            return datetime.date(year, month, day).isoformat()
        except ValueError:
            return None
    for candidate_year in range(today.year, today.year + _YEARS_AHEAD):
        try:
            candidate = datetime.date(candidate_year, month, day)
        except ValueError:  # no such day that year (02-29) or ever (13-01, 02-30)
            continue
        if candidate >= today:
            return candidate.isoformat()
    return None
