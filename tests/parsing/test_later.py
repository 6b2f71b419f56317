"""parse_later_page on the project's fixtures, and infer_release_date's calendar rules."""

import datetime
from pathlib import Path

import pytest

from moviespider.parsing import PageError, infer_release_date, parse_later_page

FIXTURES = Path(__file__).parent / "fixtures"
DECEMBER_20 = datetime.date(2023, 12, 20)


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture(scope="module")
def films() -> list[dict]:
    return parse_later_page(read("later_xiamen.html"), DECEMBER_20)


def test_film_with_want_count_and_trailer_link(films):
    assert films[0] == {
        "subject_id": "9100001",
        "title": "冬至夜话",
        "release_date": "2023-12-28",
        "genres": ["剧情", "爱情"],
        "countries": ["中国大陆"],
        "want_count": 1234,
        "poster_url": "https://img3.example.test/poster/p9100001.jpg",
    }


def test_film_without_want_count_but_with_trailer_link(films):
    assert films[2] == {
        "subject_id": "9100003",
        "title": "纸飞机大冒险",
        "release_date": "2024-01-01",
        "genres": ["动画", "冒险"],
        "countries": ["日本"],
        "want_count": None,
        "poster_url": "https://img9.example.test/poster/p9100003.jpg",
    }


def test_several_countries_are_split(films):
    assert films[1]["countries"] == ["中国大陆", "中国香港"]


def test_a_december_page_dates_january_films_next_year(films):
    assert [film["release_date"] for film in films] == [
        "2023-12-28",
        "2023-12-31",
        "2024-01-01",
        "2024-01-15",
        "2024-02-29",
    ]
    assert [film["want_count"] for film in films] == [1234, 56, None, 2345, None]


def test_crlf_line_endings_parse_the_same():
    html = read("later_xiamen.html")
    assert parse_later_page(html.replace(b"\n", b"\r\n"), DECEMBER_20) == parse_later_page(
        html, DECEMBER_20
    )


def test_empty_list_gives_no_film():
    assert parse_later_page(read("later_empty.html"), DECEMBER_20) == []


def test_page_without_the_list_raises():
    with pytest.raises(PageError, match="#showing-soon"):
        parse_later_page(read("top250_2019.html"), DECEMBER_20)


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("03月14日", datetime.date(2019, 3, 1), "2019-03-14"),
        ("03月14日", datetime.date(2019, 3, 14), "2019-03-14"),  # today itself
        ("03月13日", datetime.date(2019, 3, 14), "2020-03-13"),  # yesterday: next year's
        ("01月05日", datetime.date(2019, 12, 20), "2020-01-05"),  # year wraps
        ("12月31日", datetime.date(2019, 12, 31), "2019-12-31"),
        ("01月01日", datetime.date(2019, 12, 31), "2020-01-01"),
        ("02月29日", datetime.date(2023, 12, 20), "2024-02-29"),  # next leap year
        ("02月29日", datetime.date(2024, 3, 1), "2028-02-29"),
        ("02月29日", datetime.date(2096, 3, 1), "2104-02-29"),  # 2100 is no leap year
        ("2月9日", datetime.date(2019, 1, 1), "2019-02-09"),  # no zero padding
        (" 03月14日 周四 ", datetime.date(2019, 3, 1), "2019-03-14"),
        ("2020年01月05日", datetime.date(2019, 3, 1), "2020-01-05"),  # its own year wins
    ],
)
def test_infer_release_date(text, today, expected):
    assert infer_release_date(text, today) == expected


@pytest.mark.parametrize("text", ["", "待定", "2019", "13月01日", "02月30日", "00月10日", "03月"])
def test_infer_release_date_rejects_what_is_not_a_date(text):
    assert infer_release_date(text, datetime.date(2019, 3, 1)) is None
