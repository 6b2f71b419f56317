"""Bad spider arguments stop `scrapy crawl` before any request: one line, exit status 2."""

from __future__ import annotations

import json

import pytest

from tests.helpers.crawl import run_crawl, run_project
from tests.helpers.mockserver import MockServer


@pytest.mark.parametrize(
    ("spider", "args", "named"),
    [
        ("douban_subject", {"ids": "1292052,12a"}, "argument ids"),
        ("douban_subject", {}, "argument ids"),
        ("douban_subject", {"ids_file": "/nonexistent/ids.txt"}, "argument ids_file"),
        ("douban_later", {"city": "Bei Jing"}, "argument city"),
        ("douban_nowplaying", {"city": "../beijing"}, "argument city"),
        ("douban_top250", {"details": "yes"}, "argument details"),
    ],
)
def test_bad_argument_is_one_line_and_exit_2(tmp_path, spider, args, named):
    with MockServer() as site:
        result = run_crawl(spider, tmp_path, args=args, settings={"DOUBAN_BASE_URL": site.url})
        assert site.hits == []
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"moviespider: error: {named}")
    assert "Traceback" not in result.stderr


def test_ids_file_line_that_is_not_an_id_names_its_line(tmp_path):
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("1292052\nshawshank\n", encoding="utf-8")
    result = run_crawl("douban_subject", tmp_path, args={"ids_file": str(ids_file)})
    assert result.returncode == 2
    assert "line 2" in result.stderr


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"DOUBAN_BASE_URL": "movie.douban.com"}, "setting DOUBAN_BASE_URL"),
        ({"DOUBAN_PROFILE": "turbo"}, "setting DOUBAN_PROFILE"),
        ({"DOUBAN_REFERENCE_DATE": "03/14"}, "setting DOUBAN_REFERENCE_DATE"),
        (
            {"DOUBAN_SANDBOX": "1", "DOUBAN_SANDBOX_ARGS": "--fail-rate 2"},
            "setting DOUBAN_SANDBOX_ARGS",
        ),
    ],
)
def test_bad_setting_stops_the_crawl_with_one_error_line(tmp_path, settings, named):
    result = run_crawl("douban_later", tmp_path, settings=settings)
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if "error" in line.lower()]
    assert errors == [f"moviespider: error: {errors[0].split('error: ', 1)[1]}"], result.stderr
    assert named in errors[0]
    assert "Traceback" not in result.stderr
    assert "Crawled" not in result.stderr


def test_an_unknown_spider_is_one_line_listing_the_spiders(tmp_path):
    result = run_project(["crawl", "douban_top25"], tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "moviespider: error: no spider 'douban_top25'; the spiders are: douban_catalog, "
        "douban_later, douban_nowplaying, douban_subject, douban_top250"
    ]


@pytest.mark.parametrize(
    ("setting", "value"),
    [("DOWNLOAD_SLOTS", "[1, 2]"), ("DOWNLOAD_SLOTS", '{"movie.douban.com":'),
     ("COVERAGE_THRESHOLDS", "title=0.9")],
    ids=["a-list", "bad-json", "not-json"],
)  # fmt: skip
def test_a_dict_setting_that_is_no_json_object_is_one_line(tmp_path, setting, value):
    # Scrapy's own: a TypeError traceback for the list, "Invalid -s value" for the others.
    result = run_project(["crawl", "douban_top250", "-s", f"{setting}={value}"], tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"moviespider: error: setting {setting}: expected a JSON object, got {value!r}"
    ]


def test_an_argument_the_spider_does_not_take_is_refused_not_ignored(tmp_path):
    with MockServer() as site:
        result = run_crawl(
            "douban_later",
            tmp_path,
            args={"town": "shanghai"},
            settings={"DOUBAN_BASE_URL": site.url},
        )
        assert site.hits == []
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "moviespider: error: argument town: unknown; douban_later takes city"
    ]


def test_scrapy_spiders_lists_each_spider_with_its_arguments(tmp_path):
    listed = run_project(["spiders"], tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "douban_top250: " in listed.stdout
    assert "-a details=…  (0 or 1, default 0)" in listed.stdout
    assert "-a ids_file=…" in listed.stdout
    published = json.loads(run_project(["spiders", "--json"], tmp_path).stdout)
    assert set(published) == {
        "douban_catalog",
        "douban_later",
        "douban_nowplaying",
        "douban_subject",
        "douban_top250",
    }
    assert set(published["douban_subject"]["param_schema"]["properties"]) == {"ids", "ids_file"}


def test_an_unreachable_database_is_one_line_before_the_start_up_log(tmp_path):
    result = run_crawl(
        "douban_top250",
        tmp_path,
        env={"DATABASE_URL": "postgresql://crawler:s3cret@127.0.0.1:1/movies"},
    )
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("moviespider: error: setting DATABASE_URL: cannot connect to ")
    assert "s3cret" not in line


@pytest.mark.parametrize("scheme", ["mysql", "mariadb"])
def test_mysql_urls_as_people_write_them_use_the_bundled_driver(tmp_path, scheme, monkeypatch):
    from scrapy.settings import Settings

    from moviespider.config import database_url
    from moviespider.storage.database import create_engine

    monkeypatch.setenv("DATABASE_URL", f"{scheme}://root@127.0.0.1:3306/mysql")
    engine = create_engine(database_url(Settings()))
    assert engine.dialect.driver == "pymysql"
