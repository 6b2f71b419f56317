"""One stored form for a person's name, whatever page it came from."""

import pytest

from moviespider.parsing import parse_subject_page, parse_top250_page
from moviespider.parsing.names import person_name, person_names, whole_native_name


@pytest.mark.parametrize(
    ("shown", "stored"),
    [
        ("胡霞杰 Xiajie Hu", "胡霞杰"),
        ("胡霞杰", "胡霞杰"),
        ("弗兰克·德拉邦特 Frank Darabont", "弗兰克·德拉邦特"),
        ("宫崎骏 Hayao Miyazaki", "宫崎骏"),  # Japanese, romanised
        ("柊瑠美 Rumi Hîragi", "柊瑠美"),
        ("黄东赫 Dong-hyuk Hwang", "黄东赫"),  # Korean, romanised
        ("让-巴蒂斯特·莫尼耶 Jean-Baptiste Maunier", "让-巴蒂斯特·莫尼耶"),
        ("Frank Darabont", "Frank Darabont"),  # no Chinese name on Douban
        ("Michael Rymer", "Michael Rymer"),
        ("J·K·罗琳", "J·K·罗琳"),
    ],
)
def test_person_name(shown, stored):
    assert person_name(shown) == stored


def test_one_person_in_two_forms_is_kept_once():
    assert person_names(["胡霞杰 Xiajie Hu", "胡霞杰", "Frank Darabont"]) == [
        "胡霞杰",
        "Frank Darabont",
    ]


@pytest.mark.parametrize(
    ("fragment", "whole"),
    [
        ("张丰毅 Fengyi Zha", "张丰毅"),
        (" 娜塔莉·波特曼 ", "娜塔莉·波特曼"),
        ("Frank Dara", None),
        ("Frank ", None),
        ("原节", None),
        ("", None),
    ],
)
def test_whole_native_name(fragment, whole):
    assert whole_native_name(fragment) == whole


# Films on both a saved real Top250 list and a saved real subject page.
REAL_PAIRS = [
    ("top250/2025_start000.html", "subject/1292052_2020.html"),
    ("top250/2019_start000.html", "subject/1292052_2020.html"),
    ("top250/2019_start000.html", "subject/3541415_2022.html"),
    ("top250/2025_start000.html", "subject/3541415_2022.html"),
]


@pytest.mark.parametrize(("top250", "subject"), REAL_PAIRS)
def test_list_and_subject_page_give_equal_directors(douban_pages, top250, subject):
    details = parse_subject_page((douban_pages / subject).read_bytes())
    listed = {
        film["subject_id"]: film for film in parse_top250_page((douban_pages / top250).read_bytes())
    }
    film = listed[details["subject_id"]]
    assert film["directors"] == details["directors"]
    # What the list's cut line kept of the actors is the subject page's first actors.
    assert film["actors"] == details["actors"][: len(film["actors"])]


def test_every_real_top250_film_keeps_a_director(douban_pages):
    for page in sorted((douban_pages / "top250").glob("*.html")):
        for film in parse_top250_page(page.read_bytes()):
            assert film["directors"], (page.name, film["rank"])
            for name in film["directors"] + film["actors"]:
                assert person_name(name) == name, name


def test_sandbox_list_and_subject_pages_give_equal_people():
    from douban_sandbox.catalog import build_catalog
    from douban_sandbox.pages import PageRenderer

    catalog = build_catalog(size=50, seed=3)
    renderer = PageRenderer(catalog, "2019")
    base = "http://127.0.0.1:1"
    listed = parse_top250_page(renderer.document(renderer.top250(0, base), base))
    assert any(" " in person.full for film in catalog.top250_page(0) for person in film.directors)
    for film in listed:
        page = renderer.subject(catalog.film(film["subject_id"]), base)
        details = parse_subject_page(renderer.document(page, base))
        assert film["directors"] == details["directors"], film["subject_id"]
        assert film["actors"] == details["actors"][: len(film["actors"])], film["subject_id"]
