"""Parsers return plain str: lxml's "smart" strings keep their whole document alive."""

from pathlib import Path

import pytest

from tests.parsing.test_not_a_page import PARSERS

FIXTURES = Path(__file__).parent / "fixtures"
KINDS = {
    "top250_2019.html": "top250",
    "top250_2025.html": "top250",
    "later_xiamen.html": "later",
    "nowplaying_hangzhou.html": "nowplaying",
    "subject_movie_2020.html": "subject",
    "subject_tv.html": "subject",
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


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_string_a_parser_returns_is_a_plain_str(name):
    parsed = PARSERS[KINDS[name]]((FIXTURES / name).read_bytes())
    found = list(strings(parsed))
    assert found  # the page gave something to check
    assert {type(text).__name__ for text in found} == {"str"}
