"""parse_nowplaying_page on the project's fixture (tests/fixtures/nowplaying_hangzhou.html)."""

from pathlib import Path

import pytest

from moviespider.parsing import PageError, parse_nowplaying_page

FIXTURES = Path(__file__).parent / "fixtures"


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture(scope="module")
def films() -> list[dict]:
    return parse_nowplaying_page(read("nowplaying_hangzhou.html"))


def test_rated_film_gives_every_field(films):
    assert films[0] == {
        "subject_id": "9200001",
        "title": "湖畔来信",
        "year": 2024,
        "rating": 7.8,
        "votes": 45678,
        "directors": ["沈知秋", "罗一苇"],
        "actors": ["叶青禾", "孟川", "白露"],
        "countries": ["中国大陆", "中国台湾"],
        "runtime_minutes": 112,
        "poster_url": "https://img9.example.test/poster/p9200001.webp",
    }


def test_film_without_enough_votes_has_no_rating(films):
    assert films[1]["rating"] is None
    assert films[1]["votes"] == 87
    assert films[1]["runtime_minutes"] == 95


def test_latin_director_name_stays_whole(films):
    assert films[1]["directors"] == ["Tim Stone", "李安然"]
    assert films[1]["actors"] == ["Jane Miller", "陈小北"]


def test_hidden_film_is_kept_and_empty_attributes_are_absent_values(films):
    assert films[2]["subject_id"] == "9200003"
    assert films[2]["title"] == "老街&新巷"
    assert films[2]["runtime_minutes"] is None
    assert films[2]["actors"] == []


def test_upcoming_block_is_not_read(films):
    assert [film["subject_id"] for film in films] == ["9200001", "9200002", "9200003"]


def test_crlf_line_endings_parse_the_same():
    html = read("nowplaying_hangzhou.html")
    assert parse_nowplaying_page(html.replace(b"\n", b"\r\n")) == parse_nowplaying_page(html)


def test_empty_list_gives_no_film():
    html = b'<html><body><div id="nowplaying"><ul class="lists"></ul></div></body></html>'
    assert parse_nowplaying_page(html) == []


def test_page_without_the_list_raises():
    with pytest.raises(PageError, match="#nowplaying"):
        parse_nowplaying_page(read("later_xiamen.html"))
