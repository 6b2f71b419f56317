"""Documents that are not the expected page raise PageError instead of yielding films."""

import datetime
from functools import partial
from pathlib import Path

import pytest

from moviespider.parsing import (
    PageError,
    parse_later_page,
    parse_nowplaying_page,
    parse_subject_page,
    parse_top250_page,
)

FIXTURES = Path(__file__).parent / "fixtures"

PARSERS = {
    "top250": parse_top250_page,
    "later": partial(parse_later_page, today=datetime.date(2024, 1, 1)),
    "nowplaying": parse_nowplaying_page,
    "subject": parse_subject_page,
}

NOT_PAGES = {
    "ban page": (FIXTURES / "ban.html").read_bytes(),
    "login page": (FIXTURES / "login.html").read_bytes(),
    "JS challenge": (FIXTURES / "sec_challenge.html").read_bytes(),
    "empty body": b"",
    "blank body": b" \r\n ",
    "empty str": "",
    "plain text": "Too Many Requests",
    "truncated": (FIXTURES / "top250_2019.html").read_bytes()[:600],
}


@pytest.mark.parametrize("document", NOT_PAGES.values(), ids=NOT_PAGES.keys())
@pytest.mark.parametrize("parse", PARSERS.values(), ids=PARSERS.keys())
def test_not_the_expected_page_raises(parse, document):
    with pytest.raises(PageError):
        parse(document)


def test_the_error_names_the_document():
    with pytest.raises(PageError, match="禁止访问"):
        parse_top250_page((FIXTURES / "ban.html").read_bytes())


def test_page_error_is_a_value_error():
    assert issubclass(PageError, ValueError)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("top250_2019.html", "top250"),
        ("later_xiamen.html", "later"),
        ("nowplaying_hangzhou.html", "nowplaying"),
        ("subject_movie_2020.html", "subject"),
    ],
)
def test_a_page_cut_anywhere_raises(name, kind):
    """A truncated page must not parse as a shorter list: it would lose films silently."""
    html = (FIXTURES / name).read_bytes()
    parse = PARSERS[kind]
    assert parse(html)  # the whole page parses
    for end in range(0, len(html) - len(b"</html>\n"), 37):  # cuts inside tags and characters
        with pytest.raises(PageError):
            parse(html[:end])
        with pytest.raises(PageError):
            parse(html[:end].decode("utf-8", errors="ignore"))
