"""The parsers on real Douban pages saved in ../shared/douban-pages/ (skipped without them)."""

import datetime
import re

import pytest

from moviespider.parsing import (
    parse_later_page,
    parse_nowplaying_page,
    parse_subject_page,
    parse_top250_page,
)

TOP250_PAGES = ["2019_start000.html", "2019_start225.html", "2025_start000.html"]


def read(douban_pages, path: str) -> bytes:
    return (douban_pages / path).read_bytes()


@pytest.mark.parametrize("name", TOP250_PAGES)
def test_top250_pages_give_25_whole_films(douban_pages, name):
    films = parse_top250_page(read(douban_pages, f"top250/{name}"))
    assert len(films) == 25
    first_rank = films[0]["rank"]
    assert [film["rank"] for film in films] == list(range(first_rank, first_rank + 25))
    for film in films:
        assert film["subject_id"].isdigit()
        assert film["title"] and film["year"] and film["genres"] and film["countries"]
        assert film["directors"], film["title"]
        assert 0 < film["rating"] <= 10 and film["votes"] > 0
        for name_ in film["directors"] + film["actors"]:
            assert not name_.endswith((".", "…")) and "/" not in name_, name_


def test_top250_2025_first_page(douban_pages):
    films = parse_top250_page(read(douban_pages, "top250/2025_start000.html"))
    assert films[0] == {
        "subject_id": "1292052",
        "title": "肖申克的救赎",
        "original_title": "The Shawshank Redemption",
        "aliases": ["月黑高飞(港)", "刺激1995(台)"],
        "year": 1994,
        "directors": ["弗兰克·德拉邦特"],
        "actors": ["蒂姆·罗宾斯"],
        "genres": ["犯罪", "剧情"],
        "countries": ["美国"],
        "rating": 9.7,
        "votes": 3157752,
        "rank": 1,
        "quote": "希望让人自由。",
        "poster_url": "https://img3.doubanio.com/view/photo/s_ratio_poster/public/p480747492.jpg",
    }
    farewell = films[1]
    assert farewell["original_title"] is None
    # "张丰毅 Fengyi Zha...": the cut fell in the romanised form, the Chinese name is whole
    assert farewell["actors"] == ["张国荣", "张丰毅"]
    titanic = films[2]
    assert titanic["aliases"] == ["铁达尼号(港 / 台)"]
    assert titanic["actors"] == ["莱昂纳多·迪卡普里奥"]  # "莱昂纳多·迪卡普里奥 Leonardo..."
    infernal = films[17]
    assert infernal["directors"] == ["刘伟强", "麦兆辉"]
    assert infernal["actors"] == ["刘德华", "梁朝伟"]  # "梁朝伟 Tony Leung Chiu W..."
    intouchables = films[21]
    assert intouchables["directors"] == ["奥利维·那卡什", "艾力克·托兰达"]
    assert intouchables["actors"] == []  # the line is cut inside the 主演 label


def test_top250_2019_first_page(douban_pages):
    films = parse_top250_page(read(douban_pages, "top250/2019_start000.html"))
    assert films[0]["votes"] == 1581963
    assert films[20]["title"] == "无间道"
    assert films[20]["actors"] == ["刘德华", "梁朝伟", "黄秋生"]  # an uncut line
    assert films[15]["countries"] == ["美国", "英国", "加拿大", "冰岛"]


def test_top250_last_page(douban_pages):
    films = parse_top250_page(read(douban_pages, "top250/2019_start225.html"))
    assert (films[0]["rank"], films[-1]["rank"]) == (226, 250)
    without_quote = [film for film in films if film["quote"] is None]
    assert [(film["rank"], film["subject_id"]) for film in without_quote] == [(240, "1291544")]
    assert without_quote[0]["title"] == "哈利·波特与阿兹卡班的囚徒"
    leone = films[22]
    assert leone["title"] == "黄金三镖客"
    assert leone["directors"] == ["Sergio Leone"]
    assert leone["actors"] == ["Clint Eastwood", "Eli Wallach", "Lee Van Cleef"]
    assert leone["countries"] == ["意大利", "西班牙", "西德"]


def test_later_chengdu(douban_pages):
    films = parse_later_page(
        read(douban_pages, "later/chengdu_2019-03.html"), datetime.date(2019, 3, 13)
    )
    assert len(films) == 20
    assert films[0] == {
        "subject_id": "27624661",
        "title": "比悲伤更悲伤的故事",
        "release_date": "2019-03-14",
        "genres": ["爱情"],
        "countries": ["台湾"],
        "want_count": 9652,
        "poster_url": "https://img3.doubanio.com/view/photo/s_ratio_poster/public/p2549523952.jpg",
    }
    without_count = [film for film in films if film["want_count"] is None]
    assert [film["title"] for film in without_count] == ["爱无痕"]
    assert without_count[0]["release_date"] == "2019-03-19"
    assert without_count[0]["countries"] == ["中国大陆"]
    assert films[12]["genres"] == ["剧情", "传记", "音乐"]
    assert films[-1]["release_date"] == "2019-03-28"


def test_later_chengdu_read_the_next_year(douban_pages):
    films = parse_later_page(
        read(douban_pages, "later/chengdu_2019-03.html"), datetime.date(2019, 3, 20)
    )
    assert films[0]["release_date"] == "2020-03-14"  # already past: next year's 03-14
    assert films[-1]["release_date"] == "2019-03-28"


def test_nowplaying_beijing(douban_pages):
    films = parse_nowplaying_page(read(douban_pages, "nowplaying/beijing_2021.html"))
    assert len(films) == 23  # the #upcoming block's 10 films are not read
    assert films[1] == {
        "subject_id": "34804147",
        "title": "寻龙传说",
        "year": 2021,
        "rating": 7.3,
        "votes": 54074,
        "directors": ["唐·霍尔", "卡洛斯·洛佩斯·埃斯特拉达", "保罗·布里格斯", "约翰·瑞帕"],
        "actors": ["凯莉·玛丽·陈", "奥卡菲娜", "嘉玛·陈"],
        "countries": ["美国"],
        "runtime_minutes": 108,
        "poster_url": "https://img9.doubanio.com/view/photo/s_ratio_poster/public/p2633531206.webp",
    }
    unrated = films[8]
    assert (unrated["title"], unrated["rating"], unrated["votes"]) == ("夜·守", None, 147)
    assert films[16]["runtime_minutes"] is None  # data-duration=""
    assert films[18]["actors"] == ["宝拉·柯特莱西", "Stefano Fresi", "托马斯·阿拉纳"]


def test_subject_shawshank_2020(douban_pages):
    film = parse_subject_page(read(douban_pages, "subject/1292052_2020.html"))
    assert {key: value for key, value in film.items() if key not in ("actors", "summary")} == {
        "subject_id": "1292052",
        "title": "肖申克的救赎",
        "original_title": "The Shawshank Redemption",
        "aliases": ["月黑高飞(港)", "刺激1995(台)", "地狱诺言", "铁窗岁月", "消香克的救赎"],
        "year": 1994,
        "kind": "movie",
        "directors": ["弗兰克·德拉邦特"],
        "writers": ["弗兰克·德拉邦特", "斯蒂芬·金"],
        "genres": ["剧情", "犯罪"],
        "countries": ["美国"],
        "languages": ["英语"],
        "release_dates": ["1994-09-10(多伦多电影节)", "1994-10-14(美国)"],
        "runtime_minutes": 142,
        "episodes": None,
        "imdb_id": "tt0111161",
        "rating": 9.7,
        "votes": 2091502,
        "poster_url": "https://img3.doubanio.com/view/photo/s_ratio_poster/public/p480747492.webp",
    }
    assert len(film["actors"]) == 25
    assert film["actors"][:2] == ["蒂姆·罗宾斯", "摩根·弗里曼"]
    paragraphs = film["summary"].split("\n")
    assert len(paragraphs) == 2
    assert paragraphs[0].startswith("20世纪40年代末，小有成就的青年银行家安迪")
    assert paragraphs[1] == "本片根据著名作家斯蒂芬·金（Stephen Edwin King）的原著改编。"


def test_subject_inception_2022(douban_pages):
    film = parse_subject_page(read(douban_pages, "subject/3541415_2022.html"))
    assert film["subject_id"] == "3541415"
    assert (film["title"], film["original_title"], film["year"]) == ("盗梦空间", "Inception", 2010)
    assert film["imdb_id"] == "tt1375666"
    assert film["languages"] == ["英语", "日语", "法语"]
    assert film["release_dates"] == [
        "2010-09-01(中国大陆)",
        "2020-08-28(中国大陆重映)",
        "2010-07-16(美国)",
    ]
    assert (film["runtime_minutes"], film["rating"], film["votes"]) == (148, 9.4, 1970885)
    assert film["aliases"][:2] == ["潜行凶间(港)", "全面启动(台)"]
    assert film["summary"].endswith("实际情况远比预想危险得多……")  # the full, hidden one


def test_subject_tv_series_2024(douban_pages):
    film = parse_subject_page(read(douban_pages, "subject/1920763_tv_2024.html"))
    assert film["subject_id"] == "1920763"
    assert film["kind"] == "tv"
    assert (film["episodes"], film["runtime_minutes"]) == (2, 90)
    assert film["release_dates"] == ["2003-12-08"]
    assert film["imdb_id"] == "tt0314979"
    assert (film["title"], film["original_title"]) == ("太空堡垒卡拉狄加", "Battlestar Galactica")
    assert film["aliases"] == ["太空堡垒卡拉狄加 电视迷你剧", "太空战星"]
    assert film["countries"] == ["美国", "加拿大"]
    assert film["directors"] == ["Michael Rymer"]
    assert film["writers"] == ["格伦·A·拉尔森", "罗纳德·D·摩尔"]
    assert len(film["actors"]) == 7
    assert (film["rating"], film["votes"]) == (8.7, 5535)
    assert len(film["summary"].split("\n")) > 2


def test_subject_without_rating_2021(douban_pages):
    film = parse_subject_page(read(douban_pages, "subject/10355605_2021_no_rating.html"))
    assert film["subject_id"] == "10355605"
    assert (film["title"], film["original_title"], film["year"]) == ("近乡情更怯", None, 2011)
    assert (film["rating"], film["votes"]) == (None, None)
    assert (film["runtime_minutes"], film["imdb_id"], film["episodes"]) == (None, None, None)
    assert film["kind"] == "movie"
    assert film["directors"] == ["杨影"]
    assert film["actors"] == ["黑雯丽", "马岩"]
    assert film["release_dates"] == ["2011"]
    assert film["summary"].endswith("热情地投入到家乡的经济建设中……")


def test_subject_pages_recommend_other_films(douban_pages):
    pages = sorted((douban_pages / "subject").glob("*.html"))
    recommended = {
        page.name: parse_subject_page(page.read_bytes(), recommendations=True)["recommended_ids"]
        for page in pages
    }
    assert recommended["1292052_2020.html"][:3] == ["1292720", "1849031", "1292064"]
    for name, ids in recommended.items():
        assert len(ids) == len(set(ids))
        assert name.split("_")[0] not in ids
        if "no_rating" not in name:  # the only saved page without the block
            assert len(ids) == 10


@pytest.mark.parametrize(
    "name",
    [
        "1292052_2020.html",
        "3541415_2022.html",
        "10355605_2021_no_rating.html",
        "1920763_tv_2024.html",
    ],
)
def test_subject_pages_name_their_own_id(douban_pages, name):
    html = read(douban_pages, f"subject/{name}")
    assert parse_subject_page(html)["subject_id"] == name.split("_")[0]
    # Without og:url and the JSON-LD block (markup drift), the poster's link still names it.
    stripped = re.sub(rb'<meta property="og:url"[^>]*>', b"", html)
    stripped = re.sub(
        rb'<script type="application/ld\+json">.*?</script>', b"", stripped, flags=re.S
    )
    assert parse_subject_page(stripped)["subject_id"] == name.split("_")[0]
