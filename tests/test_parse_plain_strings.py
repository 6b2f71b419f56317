"""Parsers return plain str: lxml's "smart" strings keep their whole document alive."""

import datetime
from functools import partial
from pathlib import Path

import pytest

from moviespider.parsing import (
    parse_later_page,
    parse_nowplaying_page,
    parse_subject_page,
    parse_top250_page,
)

FIXTURES = Path(__file__).parent / "fixtures"
PARSERS = {
    "top250_2019.html": parse_top250_page,
    "top250_2025.html": parse_top250_page,
    "later_xiamen.html": partial(parse_later_page, today=datetime.date(2026, 3, 1)),
    "nowplaying_hangzhou.html": parse_nowplaying_page,
    "subject_movie_2020.html": parse_subject_page,
    "subject_tv.html": parse_subject_page,
}


def strings(value):
    if isinstance(value, dict):
        for inner in value.values():
            yield from strings(inner)
    elif isinstance(value, (list, tuple)):
        for inner in value:
            yield from strings(inner)
    elif isinstance(value, str):
        yield value


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_every_string_a_parser_returns_is_a_plain_str(name):
    parsed = PARSERS[name]((FIXTURES / name).read_bytes())
    found = list(strings(parsed))
    assert found  # the page gave something to check
    assert {type(text).__name__ for text in found} == {"str"}
