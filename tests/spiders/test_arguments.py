"""Spider arguments, declared once per spider: validated, refused when unknown, published."""

import json

import pytest
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from scrapy_spider_metadata import get_spider_metadata

from moviespider.errors import ConfigError
from moviespider.spiders.douban_later import DoubanLaterSpider
from moviespider.spiders.douban_subject import DoubanSubjectSpider
from moviespider.spiders.douban_top250 import DoubanTop250Spider


def project_spiders():
    loader = SpiderLoader.from_settings(Settings({"SPIDER_MODULES": ["moviespider.spiders"]}))
    return [loader.load(name) for name in loader.list()]


@pytest.mark.parametrize("spidercls", project_spiders(), ids=lambda cls: cls.name)
def test_an_unknown_argument_is_refused_naming_the_known_ones(spidercls):
    with pytest.raises(ConfigError) as refused:
        spidercls.check_arguments(town="shanghai")
    message = str(refused.value)
    assert message.startswith("argument town: unknown; ")
    for known in spidercls.args_model().model_fields:
        assert known in message


@pytest.mark.parametrize("spidercls", project_spiders(), ids=lambda cls: cls.name)
def test_every_argument_is_published_with_help(spidercls):
    schema = get_spider_metadata(spidercls, normalize=True)["param_schema"]
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == set(spidercls.args_model().model_fields)
    assert all(field.get("description") for field in schema["properties"].values())
    json.dumps(schema)  # publishable as it is


def test_scrapyds_own_arguments_pass():
    spider = DoubanTop250Spider(details="1", _job="6d1f0a")
    assert spider.details is True


@pytest.mark.parametrize(
    ("spidercls", "arguments", "message"),
    [
        (DoubanTop250Spider, {"details": "yes"}, "argument details: expected 0 or 1, got 'yes'"),
        (
            DoubanLaterSpider,
            {"city": "Bei Jing"},
            "argument city: 'Bei Jing' is not a Douban city slug (lowercase, like 'shanghai')",
        ),
        (
            DoubanSubjectSpider,
            {"ids": "1292052,12a"},
            "argument ids: '12a' is not a Douban subject id (digits only)",
        ),
        (DoubanSubjectSpider, {}, "argument ids: give ids=ID[,ID…] or ids_file=PATH"),
        (DoubanSubjectSpider, {"ids": ","}, "argument ids: no subject id given"),
        (
            DoubanSubjectSpider,
            {"ids_file": "/dev/null"},
            "argument ids_file: no subject id or subject URL in '/dev/null'",
        ),
    ],
)
def test_a_bad_value_is_one_line_naming_the_argument(spidercls, arguments, message):
    with pytest.raises(ConfigError) as refused:
        spidercls.check_arguments(**arguments)
    assert str(refused.value) == message


def test_arguments_become_typed_attributes(tmp_path):
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("# a comment\n3541415\nhttps://movie.douban.com/subject/1291546/\n")
    spider = DoubanSubjectSpider(ids="1292052,3541415", ids_file=str(ids_file))
    assert spider.subject_ids == ["1292052", "3541415", "1291546"]
    assert DoubanLaterSpider().city == "beijing"
    assert DoubanTop250Spider().details is False
