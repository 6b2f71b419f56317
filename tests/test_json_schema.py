"""The Movie JSON Schema: generated from the Movie dataclass, published in docs/schema.json and
by `scrapy schema`, and the schema Spidermon validates items against."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import jsonschema
import pytest
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler
from spidermon.contrib.scrapy.pipelines import ItemValidationPipeline
from spidermon.contrib.validation import JSONSchemaValidator

from moviespider.commands.schema import schema_text
from moviespider.items import MOVIE_FIELDS, Movie, item_dict
from moviespider.pipelines.schema import CompiledSchemaValidator
from moviespider.schema import movie_schema
from tests.helpers.crawl import ROOT

FILM = Movie(
    subject_id="1292052",
    url="https://movie.douban.com/subject/1292052/",
    source="top250",
    title="肖申克的救赎",
    year=1994,
    kind="movie",
    genres=["剧情", "犯罪"],
    release_date="1994-09-10",
    rating=9.7,
    rank=1,
    imdb_id="tt0111161",
)


def validator() -> jsonschema.Validator:
    schema = movie_schema()
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_the_published_schema_is_the_generated_one():
    assert (ROOT / "docs" / "schema.json").read_text(encoding="utf-8") == schema_text(), (
        "docs/schema.json is stale: python -m scrapy schema > docs/schema.json"
    )


def test_scrapy_schema_prints_it():
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "schema"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(done.stdout) == movie_schema()


def test_the_schema_has_every_movie_field_and_only_those():
    schema = movie_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert list(schema["properties"]) == list(MOVIE_FIELDS)
    assert schema["required"] == ["subject_id", "url", "source"]
    assert validator().is_valid(item_dict(FILM))
    assert validator().is_valid(
        item_dict(Movie("1", "https://movie.douban.com/subject/1/", "later"))
    )


BROKEN = [
    ("subject_id", "12a"),
    ("year", "1994"),
    ("year", 1700),  # outside what ValidateMovie lets through
    ("rating", 11.0),
    ("genres", "剧情"),
    ("genres", ["剧情", 1]),
    ("kind", "film"),
    ("source", "imdb"),
    ("imdb_id", "0111161"),
    ("release_date", "1994-13-40"),
    ("release_date", "2023-02-29"),  # the pattern's shape, not a date
    ("votes", -1),
    ("url", None),
    ("no_such_field", 1),
]


@pytest.mark.parametrize(("field", "value"), BROKEN)
def test_the_schema_refuses_what_validation_would_never_let_through(field, value):
    film = {**item_dict(FILM), field: value}
    assert not validator().is_valid(film)


@pytest.mark.parametrize(
    "film",
    [
        item_dict(FILM),
        item_dict(Movie("1", "https://movie.douban.com/subject/1/", "later")),
        {key: value for key, value in item_dict(FILM).items() if key != "source"},
        *({**item_dict(FILM), field: value} for field, value in BROKEN),
    ],
)
def test_the_compiled_schema_answers_as_spidermons_validator(film):
    compiled = CompiledSchemaValidator(movie_schema())
    assert compiled.validate(film) == JSONSchemaValidator(movie_schema()).validate(film)


def test_spidermon_validates_items_against_the_same_schema():
    project = get_project_settings()
    crawler = get_crawler(
        settings_dict={
            name: project[name] for name in ("SPIDERMON_ENABLED", "SPIDERMON_VALIDATION_SCHEMAS")
        }
    )
    pipeline = ItemValidationPipeline.from_crawler(crawler)
    (used,) = pipeline.validators["Item"]
    assert used._schema is movie_schema()
    crawler.stats.open_spider()
    pipeline.process_item(FILM)
    assert crawler.stats.get_value("spidermon/validation/fields/errors") is None
    bad = Movie(**{**item_dict(FILM), "rating": 42.0})
    pipeline.process_item(bad)
    assert crawler.stats.get_value("spidermon/validation/fields/errors") == 1
    assert any(key.endswith("/rating") for key in crawler.stats.get_stats())


@pytest.mark.parametrize(("sample", "checked"), [(1, 25), (10, 3)])
def test_the_project_validates_one_item_in_its_sample(sample, checked):
    from moviespider.pipelines.schema import SampledItemValidation

    project = get_project_settings()
    names = ("SPIDERMON_ENABLED", "SPIDERMON_VALIDATION_SCHEMAS")
    crawler = get_crawler(
        settings_dict={
            **{name: project[name] for name in names},
            "SCHEMA_VALIDATION_SAMPLE": sample,
        }
    )
    pipeline = SampledItemValidation.from_crawler(crawler)
    crawler.stats.open_spider()
    bad = Movie(**{**item_dict(FILM), "rating": 42.0})
    for _ in range(25):
        pipeline.process_item(bad)
    assert crawler.stats.get_value("spidermon/validation/items") == checked
    assert crawler.stats.get_value("spidermon/validation/fields/errors") == checked  # the first too
