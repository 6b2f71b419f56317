"""The fast field access the pipelines use: the same as ItemAdapter's, for Movies and others."""

from itemadapter import ItemAdapter

from moviespider.items import Movie, item_dict, item_fields


def a_movie() -> Movie:
    return Movie(
        subject_id="1292052",
        url="https://movie.douban.com/subject/1292052/",
        source="top250",
        title="肖申克的救赎",
        genres=["剧情", "犯罪"],
        rating=9.7,
    )


def test_item_dict_is_what_itemadapter_makes_with_lists_of_its_own():
    movie = a_movie()
    copy = item_dict(movie)
    assert copy == ItemAdapter(movie).asdict()
    assert list(copy) == list(ItemAdapter(movie).field_names())  # schema order
    movie.genres.append("传记")  # a later pipeline edits the film: the copy stays as it was
    movie.rating = 9.8
    assert copy["genres"] == ["剧情", "犯罪"]
    assert copy["rating"] == 9.7


def test_item_dict_of_another_item_is_itemadapters():
    item = {"subject_id": "1", "genres": ["剧情"]}
    assert item_dict(item) == item and item_dict(item)["genres"] is not item["genres"]


def test_item_fields_reads_and_writes_the_item_itself():
    movie = a_movie()
    fields = item_fields(movie)
    assert dict(fields) == ItemAdapter(movie).asdict()
    fields["title"] = "The Shawshank Redemption"
    assert movie.title == "The Shawshank Redemption"
    item = {"title": "x"}
    item_fields(item)["title"] = "y"
    assert item == {"title": "y"}
