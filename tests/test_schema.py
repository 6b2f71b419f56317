"""One schema: the Movie dataclass's field types drive validation and the storage columns."""

from __future__ import annotations

import sqlalchemy as sa
from scrapy.utils.test import get_crawler

from moviespider.items import (
    COLUMN_SIZES,
    FIELD_BOUNDS,
    FIELD_TYPES,
    LIST_FIELDS,
    MOVIE_FIELDS,
    REQUIRED_FIELDS,
    Movie,
)
from moviespider.pipelines.validate import ValidateMovie
from moviespider.storage.schema import NOT_MOVIE_COLUMNS, movies

COLUMN_TYPES = {list: sa.JSON, int: sa.Integer, float: sa.Double, str: (sa.String, sa.Text)}


def test_the_movies_table_has_a_column_per_field_typed_from_the_movie_schema():
    assert [c.name for c in movies.columns][: len(MOVIE_FIELDS) - len(NOT_MOVIE_COLUMNS)] == [
        name for name in MOVIE_FIELDS if name not in NOT_MOVIE_COLUMNS
    ]
    for name in MOVIE_FIELDS:
        if name in NOT_MOVIE_COLUMNS:
            continue
        column = movies.c[name]
        assert isinstance(column.type, COLUMN_TYPES[FIELD_TYPES[name]]), name
        assert column.nullable is (name not in REQUIRED_FIELDS), name
        if name in COLUMN_SIZES:
            assert column.type.length == COLUMN_SIZES[name], name


def validate(**fields):
    pipeline = ValidateMovie.from_crawler(get_crawler())
    return pipeline.process_item(Movie(subject_id="1", url="", source="top250", **fields))


def test_every_field_is_normalised_by_its_schema_type():
    typed = {
        int: ("1,234", 1234),
        float: (" 8.5 ", 8.5),
        list: ([" a ", "a", ""], ["a"]),
        str: ("  spaced   out ", "spaced out"),
    }
    for name, kind in FIELD_TYPES.items():
        if name in REQUIRED_FIELDS or name in (
            "kind",
            "imdb_id",
            "release_date",
            "title",
            "merged_ids",
        ):
            continue  # identity fields and the fields with a rule of their own
        raw, clean = typed[kind]
        if name in FIELD_BOUNDS and not FIELD_BOUNDS[name][0] <= clean <= FIELD_BOUNDS[name][1]:
            raw, clean = str(FIELD_BOUNDS[name][0]), FIELD_BOUNDS[name][0]
        film = validate(title="t", **{name: raw})
        assert getattr(film, name) == clean, name


def test_bounds_come_from_the_schema():
    assert validate(title="t", year="1850").year is None
    assert validate(title="t", rating="10.5").rating is None
    assert validate(title="t", votes="-3").votes is None


def test_the_canonical_url_is_the_sites():
    assert validate(title="t").url == "https://movie.douban.com/subject/1/"


def test_list_fields_default_to_empty_lists():
    assert all(getattr(Movie("1", "u", "top250"), name) == [] for name in LIST_FIELDS)
