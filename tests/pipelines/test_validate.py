import pytest
from scrapy.exceptions import DropItem
from scrapy.spiders import Spider
from scrapy.utils.test import get_crawler

from moviespider.pipelines.validate import ValidateMovie
from tests.helpers.components import movie


@pytest.fixture
def crawler():
    crawler = get_crawler(Spider)
    crawler.stats.open_spider()
    return crawler


@pytest.fixture
def validate(crawler):
    return ValidateMovie.from_crawler(crawler)


def test_numbers_become_their_types(validate):
    item = validate.process_item(
        movie(year="1994", votes="3,157,752", rating="9.7", runtime_minutes=142.0, rank=" 1 ")
    )
    assert (item.year, item.votes, item.rating, item.runtime_minutes, item.rank) == (
        1994,
        3157752,
        9.7,
        142,
        1,
    )


def test_text_is_cleaned(validate):
    item = validate.process_item(
        movie(
            title="\u00a0肖申克的救赎 ",
            original_title="  ",
            directors=[
                " 弗兰克·德拉邦特 Frank\u00a0Darabont",
                "",
                "弗兰克·德拉邦特 Frank Darabont",
            ],
            summary="  第一段。 \n\n   第二段。\n",
        )
    )
    assert item.title == "肖申克的救赎"
    assert item.original_title is None
    assert item.directors == ["弗兰克·德拉邦特 Frank Darabont"]
    assert item.summary == "第一段。\n第二段。"


def test_unreadable_values_become_none_and_are_counted(validate, crawler):
    item = validate.process_item(movie(year="unknown", rating="11.5", imdb_id="imdb", kind="film"))
    assert (item.year, item.rating, item.imdb_id, item.kind) == (None, None, None, None)
    stats = crawler.stats.get_stats()
    assert stats["moviespider/validate/fixed/year"] == 1
    assert stats["moviespider/validate/fixed/rating"] == 1
    assert "moviespider/validate/fixed/title" not in stats


def test_form_only_changes_are_not_counted(validate, crawler):
    validate.process_item(movie(year="1994", title=" 肖申克的救赎 "))
    assert not any(
        key.startswith("moviespider/validate/fixed") for key in crawler.stats.get_stats()
    )


def test_nul_is_removed_and_other_control_characters_inside_text_are_kept(validate):
    # PostgreSQL's text cannot hold NUL; every other character reaches the feed and database.
    item = validate.process_item(
        movie(title="肖申\x00克", summary="第一\x00段\x01\x1b\x7f", genres=["剧\x00情"])
    )
    assert (item.title, item.summary, item.genres) == ("肖申克", "第一段\x01\x1b\x7f", ["剧情"])


def test_url_is_always_canonical(validate):
    item = validate.process_item(movie(url="http://127.0.0.1:8050/subject/1292052/"))
    assert item.url == "https://movie.douban.com/subject/1292052/"


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"subject_id": "12a"}, "subject_id"),
        ({"subject_id": ""}, "subject_id"),
        ({"title": " "}, "title"),
        ({"title": None}, "title"),
    ],
)
def test_unusable_item_is_dropped_and_counted(validate, crawler, fields, reason):
    with pytest.raises(DropItem):
        validate.process_item(movie(**fields))
    assert crawler.stats.get_value(f"moviespider/validate/dropped/{reason}") == 1


def test_release_date_must_be_iso(validate):
    assert validate.process_item(movie(release_date="2026-02-30")).release_date is None
    assert validate.process_item(movie(release_date="2026-03-14")).release_date == "2026-03-14"


def test_a_dict_item_gets_the_same_rules_through_itemadapter(validate, crawler):
    item = validate.process_item(
        {
            "subject_id": " 1292052 ",
            "title": "肖申克的救赎\u3000",
            "year": "1994",
            "genres": None,
            "actors": ["蒂姆·罗宾斯", "蒂姆·罗宾斯", " "],
            "note": "  kept  as text  ",
        }
    )
    assert item == {
        "subject_id": "1292052",
        "url": "https://movie.douban.com/subject/1292052/",
        "title": "肖申克的救赎",
        "year": 1994,
        "genres": [],
        "actors": ["蒂姆·罗宾斯"],
        "note": "kept as text",
    }
    assert crawler.stats.get_value("moviespider/validate/fixed/actors") == 1  # a repeat left out
    assert crawler.stats.get_value("moviespider/validate/fixed/title") is None


def test_absent_values_stay_absent_and_lists_stay_lists(validate):
    item = validate.process_item(movie(genres=None, year=None, rating=None))
    assert (item.genres, item.year, item.rating, item.aliases) == ([], None, None, [])


def test_merged_ids_keep_only_other_films_ids(validate):
    item = movie(subject_id="1292052", merged_ids=[" 26000001 ", "1292052", "abc", "26000001"])
    assert validate.process_item(item).merged_ids == ["26000001"]
