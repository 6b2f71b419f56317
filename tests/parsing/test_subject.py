"""parse_subject_page on the project's fixtures (tests/fixtures/subject_*.html)."""

import re
from pathlib import Path

import pytest

from moviespider.parsing import PageError, parse_subject_page

FIXTURES = Path(__file__).parent / "fixtures"


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_2020_movie_page_with_imdb_link_and_hidden_full_summary():
    assert parse_subject_page(read("subject_movie_2020.html")) == {
        "subject_id": "9000101",
        "title": "星河旅人",
        "original_title": "Star Wanderers",
        "aliases": ["银河过客(港)", "星旅(台)", "Stellar Drifters"],
        "year": 2008,
        "kind": "movie",
        "directors": ["林远山", "马克·雷诺兹"],
        "writers": ["林远山", "苏未"],
        "actors": ["周晴", "马克·雷诺兹", "何光"],
        "genres": ["科幻", "冒险"],
        "countries": ["中国大陆", "美国"],
        "languages": ["汉语普通话", "英语"],
        "release_dates": ["2008-05-20(戛纳电影节)", "2008-07-01(中国大陆)", "2008-08-15(美国)"],
        "runtime_minutes": 125,
        "episodes": None,
        "imdb_id": "tt9000101",
        "rating": 9.1,
        "votes": 123456,
        "summary": "货船“远志号”在一次例行运输中偏离航线，船员们发现舱底藏着一个不会说话的女孩……\n"
        "本片改编自同名科幻小说，拍摄历时三年。",
        "poster_url": "https://img3.example.test/poster/p9000101.webp",
    }


def test_2022_movie_page_with_imdb_text_and_no_original_title():
    assert parse_subject_page(read("subject_movie_2022.html")) == {
        "subject_id": "9000002",
        "title": "长河落日",
        "original_title": None,
        "aliases": ["Sunset on the Long River"],
        "year": 2003,
        "kind": "movie",
        "directors": ["何西岭"],
        "writers": ["何西岭"],
        "actors": ["孙一鸣", "刘芳"],
        "genres": ["剧情", "历史", "战争"],
        "countries": ["中国大陆", "中国香港"],
        "languages": ["汉语普通话", "粤语"],
        "release_dates": ["2003-10-01(中国大陆)"],
        "runtime_minutes": 156,
        "episodes": None,
        "imdb_id": "tt9000002",
        "rating": 9.5,
        "votes": 2100000,
        "summary": "一条大河边的三代船工，在战火中守护渡口。",
        "poster_url": "https://img1.example.test/poster/p9000002.webp",
    }


def test_tv_series_page():
    assert parse_subject_page(read("subject_tv.html")) == {
        "subject_id": "9300001",
        "title": "海港往事 第一季",
        "original_title": "Harbour Days Season 1",
        "aliases": ["港湾岁月", "Harbour Days"],
        "year": 2019,
        "kind": "tv",
        "directors": ["Helen Park", "张川"],
        "writers": ["Owen Hart"],
        "actors": ["Ruth Alder", "Ken Ito"],
        "genres": ["剧情", "家庭"],
        "countries": ["英国", "日本"],
        "languages": ["英语", "日语"],
        "release_dates": ["2019-09-03(英国)"],
        "runtime_minutes": 52,
        "episodes": 8,
        "imdb_id": "tt9300001",
        "rating": 8.2,
        "votes": 6543,
        "summary": "小镇港口的一家人经营着一间鱼铺。\n父亲病倒后，远在东京的长女回到家乡。\n"
        "一个夏天，三代人重新认识彼此。",
        "poster_url": "https://img2.example.test/poster/p9300001.jpg",
    }


def test_page_with_no_rating_yet():
    assert parse_subject_page(read("subject_no_rating.html")) == {
        "subject_id": "9400001",  # only the JSON-LD block names it
        "title": "小站春晓",
        "original_title": None,
        "aliases": [],
        "year": 2012,
        "kind": "movie",
        "directors": ["周来"],
        "writers": [],
        "actors": ["陈东"],
        "genres": ["剧情"],
        "countries": ["中国大陆"],
        "languages": ["汉语普通话"],
        "release_dates": ["2012"],
        "runtime_minutes": None,
        "episodes": None,
        "imdb_id": None,
        "rating": None,
        "votes": None,
        "summary": None,
        "poster_url": "https://img3.example.test/f/movie/pics/movie_default_large.png",
    }


def test_subject_id_is_none_when_the_page_names_no_subject_url():
    html = read("subject_no_rating.html").replace(b'"url": "/subject/9400001/",', b"")
    assert parse_subject_page(html)["subject_id"] is None


def test_json_ld_with_raw_newlines_is_read():
    # the fixture's JSON-LD description holds a raw newline, as Douban's do
    html = read("subject_movie_2020.html").replace(b"/subject/9000101/photos", b"/photos")
    assert parse_subject_page(html)["subject_id"] == "9000101"


def test_runtime_label_without_runtime_property():
    html = read("subject_movie_2022.html").replace(
        b'<span property="v:runtime" content="156">156\xe5\x88\x86\xe9\x92\x9f</span>',
        "95分钟(中国大陆) / 102分钟(导演剪辑版)".encode(),
    )
    assert parse_subject_page(html)["runtime_minutes"] == 95


@pytest.mark.parametrize(
    "name",
    ["subject_movie_2020.html", "subject_movie_2022.html", "subject_tv.html"],
)
def test_crlf_line_endings_parse_the_same(name):
    html = read(name)
    assert parse_subject_page(html.replace(b"\n", b"\r\n")) == parse_subject_page(html)


def test_list_page_is_not_a_subject_page():
    with pytest.raises(PageError, match="not a subject page"):
        parse_subject_page(read("top250_2019.html"))


def test_page_with_title_but_no_info_block_raises():
    html = read("subject_movie_2022.html").replace(b'id="info"', b'id="gone"')
    with pytest.raises(PageError):
        parse_subject_page(html)


# The page's own id, read from each place that names it, as markup drifts: every earlier place
# removed in turn. The 2022 fixture names 9000002 in og:url, JSON-LD and the poster link.
ID_PLACES = [
    (re.compile(rb'<meta property="og:url"[^>]*>'), b""),
    (re.compile(rb'<script type="application/ld\+json">.*?</script>', re.S), b""),
    (re.compile(rb'href="https://movie.douban.com/subject/9000002/photos[^"]*"'), b'href="#"'),
]


@pytest.mark.parametrize("removed", range(len(ID_PLACES) + 1))
def test_page_subject_id_survives_markup_drift(removed):
    html = read("subject_movie_2022.html")
    assert b"/subject/" in html
    for pattern, replacement in ID_PLACES[:removed]:
        html, count = pattern.subn(replacement, html)
        assert count == 1, pattern
    if removed == len(ID_PLACES):  # only a comments link is left
        html = html.replace(
            b'<div id="interest_sectl">',
            b'<a href="https://movie.douban.com/subject/9000002/comments?status=P">\xe7\x9f\xad\xe8'
            b'\xaf\x84</a><div id="interest_sectl">',
        )
    assert parse_subject_page(html)["subject_id"] == "9000002"


def test_page_subject_id_is_the_page_s_own_not_the_url_s():
    # Another film's page says which film it is, whatever URL served it.
    html = read("subject_movie_2022.html").replace(b"\n", b"\r\n")
    assert parse_subject_page(html)["subject_id"] == "9000002"
    assert parse_subject_page(read("subject_tv.html"))["subject_id"] == "9300001"
