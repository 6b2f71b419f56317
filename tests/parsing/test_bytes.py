"""Odd bytes in a whole page: read as a browser reads them, never taken for a page cut short."""

from pathlib import Path

import pytest

from moviespider.parsing import PageCutShort, parse_subject_page, parse_top250_page

FIXTURES = Path(__file__).parent / "fixtures"
TOP250 = (FIXTURES / "top250_2019.html").read_bytes()
SUBJECT = (FIXTURES / "subject_movie_2020.html").read_bytes()
INVALID = b"\xff\xfe\xfd\xfc"  # four bytes that are not UTF-8


def inserted(page: bytes, before: bytes, extra: bytes) -> bytes:
    at = page.index(before)
    return page[:at] + extra + page[at:]


def after(page: bytes, mark: bytes, extra: bytes) -> bytes:
    at = page.index(mark) + len(mark)
    return page[:at] + extra + page[at:]


def film_titles(page: bytes) -> list[str]:
    return [film["title"] for film in parse_top250_page(page)]


@pytest.mark.parametrize("extra", [INVALID, b"\x00"], ids=["invalid UTF-8", "NUL"])
def test_odd_bytes_inside_a_film_title_leave_every_film(extra):
    titles = film_titles(TOP250)
    page = after(TOP250, b'<span class="title">', extra)  # the first film's title
    got = film_titles(page)
    assert len(got) == len(titles) > 1
    assert got[1:] == titles[1:]
    # As a browser shows it: each invalid byte a U+FFFD, a NUL dropped.
    assert got[0] == ("\ufffd" * 4 if extra == INVALID else "") + titles[0]


@pytest.mark.parametrize("extra", [INVALID, b"\x00"], ids=["invalid UTF-8", "NUL"])
def test_odd_bytes_in_a_subject_page_keep_its_fields(extra):
    expected = parse_subject_page(SUBJECT)
    page = inserted(SUBJECT, b'<div id="info"', extra)
    assert parse_subject_page(page) == expected


@pytest.mark.parametrize(
    "where",
    ["comment in <head>", "text in <body>", "padding after </html>"],
)
def test_a_20_mb_page_is_read_whole(where):
    expected = parse_subject_page(SUBJECT)
    filler = b"x" * 20_000_000
    if where == "comment in <head>":
        page = inserted(SUBJECT, b"</head>", b"<!-- " + filler + b" -->")
    elif where == "text in <body>":
        page = inserted(SUBJECT, b"</body>", b"<p>" + filler + b"</p>")
    else:
        page = SUBJECT + b"\n" * 20_000_000
    assert parse_subject_page(page) == expected


def test_a_page_that_really_ends_early_is_still_cut_short():
    with pytest.raises(PageCutShort):
        parse_subject_page(SUBJECT[: len(SUBJECT) // 2] + INVALID + b"\x00")
    with pytest.raises(PageCutShort):
        parse_top250_page(TOP250[:-200] + b"\n" * 5000)
