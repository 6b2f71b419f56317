"""parse_top250_page on the project's own fixtures (tests/fixtures/top250_*.html)."""

from pathlib import Path

import pytest

from moviespider.parsing import PageError, parse_top250_page

FIXTURES = Path(__file__).parent / "fixtures"


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture(scope="module")
def films_2019() -> list[dict]:
    return parse_top250_page(read("top250_2019.html"))


@pytest.fixture(scope="module")
def films_2025() -> list[dict]:
    return parse_top250_page(read("top250_2025.html"))


def test_2019_page_gives_every_field_of_a_complete_film(films_2019):
    assert films_2019[0] == {
        "subject_id": "9000101",
        "title": "星河旅人",
        "original_title": "Star Wanderers",
        "aliases": ["银河过客(港)", "星旅(台 / 澳)"],
        "year": 2008,
        "directors": ["林远山"],
        "actors": ["周晴", "马克·雷诺兹"],  # "马克·雷诺兹 Mark Reyn...": the Chinese name is whole
        "genres": ["科幻", "冒险"],
        "countries": ["中国大陆", "美国"],
        "rating": 9.1,
        "votes": 123456,
        "rank": 101,
        "quote": "群星之间，皆是归途。",
        "poster_url": "https://img1.example.test/poster/p9000101.jpg",
    }


def test_films_come_in_page_order(films_2019):
    assert [film["rank"] for film in films_2019] == [101, 102, 103, 104]
    assert [film["subject_id"] for film in films_2019] == [
        "9000101",
        "9000102",
        "9000103",
        "9000104",
    ]


def test_film_without_original_title_aliases_or_quote(films_2019):
    film = films_2019[1]
    assert film["title"] == "山海谣"
    assert film["original_title"] is None
    assert film["aliases"] == []
    assert film["quote"] is None


def test_uncut_lists_keep_every_name(films_2019):
    assert films_2019[1]["directors"] == ["陈默", "许安"]
    assert films_2019[1]["actors"] == ["王小川", "李青", "赵一帆"]


def test_several_release_years_give_the_first(films_2019):
    film = films_2019[1]
    assert (film["year"], film["countries"], film["genres"]) == (
        1961,
        ["中国大陆"],
        ["动画", "奇幻"],
    )


def test_cut_inside_the_actor_label_keeps_all_directors_and_no_actor(films_2019):
    assert films_2019[2]["directors"] == ["安娜·库尔特", "彼得·施密特"]
    assert films_2019[2]["actors"] == []


def test_cut_after_a_separator_keeps_the_names_before_it(films_2019):
    assert films_2019[3]["actors"] == ["佐藤花子"]


def test_original_title_equal_to_title_is_none(films_2019):
    assert films_2019[3]["title"] == "东京之夏"
    assert films_2019[3]["original_title"] is None


def test_2025_page_without_star_and_inq_classes(films_2025):
    assert films_2025[0] == {
        "subject_id": "9000001",
        "title": "灯塔守夜人",
        "original_title": "The Lighthouse Keeper",
        "aliases": ["守灯人(港)", "海角之光(台)"],
        "year": 1994,
        "directors": ["艾伦·格雷"],
        "actors": ["托马斯·布朗", "张丰毅"],  # "张丰毅 Fengyi Zha...": cut in the romanised form
        "genres": ["剧情", "悬疑"],
        "countries": ["英国", "爱尔兰"],
        "rating": 9.7,
        "votes": 3001234,
        "rank": 1,
        "quote": "光不为谁而亮。",
        "poster_url": "https://img9.example.test/poster/p9000001.jpg",
    }


def test_2025_name_cut_after_a_few_letters_is_dropped(films_2025):
    assert films_2025[1]["actors"] == ["孙一鸣", "刘芳"]
    assert films_2025[1]["quote"] is None
    assert films_2025[1]["original_title"] is None
    assert films_2025[1]["aliases"] == ["Sunset on the Long River"]


def test_director_cut_in_the_romanised_name_keeps_the_chinese_name(films_2025):
    # "玛丽亚·费尔南达·德·拉·克鲁兹·加西亚 María Fernanda de la Cr..."
    assert films_2025[2]["directors"] == ["玛丽亚·费尔南达·德·拉·克鲁兹·加西亚"]
    assert films_2025[2]["actors"] == []
    assert films_2025[2]["genres"] == ["剧情", "爱情"]


def test_no_text_field_keeps_nbsp_or_separators(films_2019, films_2025):
    for film in films_2019 + films_2025:
        for key in ("title", "original_title", "quote"):
            value = film[key]
            assert value is None or (value == value.strip() and "\xa0" not in value), key
        for key in ("aliases", "directors", "actors", "genres", "countries"):
            for value in film[key]:
                assert value and value == value.strip(), key
                assert "\xa0" not in value and not value.startswith("/") and "..." not in value


def test_crlf_line_endings_parse_the_same():
    html = read("top250_2019.html")
    assert b"\r\n" not in html
    assert parse_top250_page(html.replace(b"\n", b"\r\n")) == parse_top250_page(html)


def test_str_input_parses_like_bytes():
    html = read("top250_2025.html")
    assert parse_top250_page(html.decode("utf-8")) == parse_top250_page(html)


def test_empty_list_page_gives_no_film():
    assert parse_top250_page(read("top250_empty.html")) == []


def test_page_without_the_list_raises():
    with pytest.raises(PageError, match=r"no ol\.grid_view"):
        parse_top250_page(read("later_xiamen.html"))


@pytest.fixture(scope="module")
def films_cut() -> list[dict]:
    return parse_top250_page(read("top250_cuts.html"))  # CRLF line ends, like some saved pages


def test_cut_right_after_the_directors_keeps_every_director(films_cut):
    # "导演: A / B&nbsp;&nbsp;&nbsp;...": the mark cut the whole 主演 part, no director's name
    assert films_cut[0]["directors"] == ["韩青", "苏明远"]
    assert films_cut[1]["directors"] == ["胡霞杰"]
    assert films_cut[2]["directors"] == ["伊莎贝拉·蒙塔尔沃", "奥斯卡·里维拉"]
    assert [film["actors"] for film in films_cut[:3]] == [[], [], []]


def test_cut_after_one_of_the_blanks_keeps_every_director(films_cut):
    assert films_cut[3]["directors"] == ["高桥健一", "朴敏浩"]


def test_a_latin_only_name_the_cut_fell_in_is_dropped(films_cut):
    assert films_cut[4]["directors"] == ["Frank Holloway"]  # not "Margaret Ellingsw"


def test_a_chinese_name_the_cut_fell_in_is_dropped(films_cut):
    assert films_cut[5]["directors"] == ["Frank Holloway"]
    assert films_cut[5]["actors"] == ["周晴"]  # not "原"
