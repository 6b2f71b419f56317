"""Bad spider arguments stop `scrapy crawl` before any request: one line, exit status 2."""

from __future__ import annotations

import pytest

from tests.helpers.crawl import run_crawl
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
