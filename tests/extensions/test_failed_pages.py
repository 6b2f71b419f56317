"""FailedPages: the list of pages given up on, written as they fail (docs/resume.md)."""

import logging
from pathlib import Path

import pytest
from scrapy import Request, Spider, signals
from scrapy.http import HtmlResponse
from twisted.python.failure import Failure

from moviespider.extensions.failures import FailedPages
from moviespider.signals import report_page_failed
from tests.helpers.components import open_crawler, send

URL = "https://movie.douban.com/subject/1292052/"
OTHER_URL = "https://movie.douban.com/subject/3541415/"


class FilmSpider(Spider):
    name = "films"


def make_crawler(spidercls=FilmSpider, **settings):
    return open_crawler(spidercls, **settings)


def open_recorder(tmp_path, **settings):
    settings.setdefault("FAILED_URLS_FILE", str(tmp_path / "failed.tsv"))
    crawler = make_crawler(**settings)
    recorder = FailedPages.from_crawler(crawler)
    send(crawler, signals.spider_opened, spider=crawler.spider)
    return crawler, recorder


def close(crawler):
    send(crawler, signals.spider_closed, spider=crawler.spider, reason="finished")


def rows(path):
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [line.split("\t")[:3] for line in lines if not line.startswith("#")]


def response(url=URL, status=200, **meta):
    request = Request(url, meta=meta)
    return HtmlResponse(url, status=status, body=b"<html></html>", request=request)


def test_a_failure_is_in_the_file_at_once(tmp_path):
    crawler, _ = open_recorder(tmp_path)
    report_page_failed(crawler, URL, status=503)
    report_page_failed(crawler, OTHER_URL, error="TimeoutError: took longer than 30.0 seconds")
    # Still crawling: a SIGKILL now must not lose the list.
    assert rows(tmp_path / "failed.tsv") == [
        [URL, "503", "-"],
        [OTHER_URL, "-", "TimeoutError: took longer than 30.0 seconds"],
    ]


def test_at_close_each_url_has_one_line_with_what_every_report_knew(tmp_path):
    crawler, _ = open_recorder(tmp_path)
    report_page_failed(crawler, URL, error="blocked: 403 three times")
    report_page_failed(crawler, URL, status=403)
    close(crawler)
    assert rows(tmp_path / "failed.tsv") == [[URL, "403", "blocked: 403 three times"]]
    assert crawler.stats.get_value("moviespider/failed_pages") == 1


def test_the_file_appears_with_the_first_page_given_up_on(tmp_path):
    crawler, _ = open_recorder(tmp_path)
    assert not (tmp_path / "failed.tsv").exists()
    report_page_failed(crawler, URL, status=503)
    assert rows(tmp_path / "failed.tsv") == [[URL, "503", "-"]]


def test_a_crawl_that_never_opened_leaves_an_earlier_list_alone(tmp_path):
    earlier = tmp_path / "failed.tsv"
    earlier.write_text(f"{URL}\t503\t-\t2026-01-01T00:00:00+00:00\n", encoding="utf-8")
    crawler = make_crawler(FAILED_URLS_FILE=str(earlier))
    FailedPages.from_crawler(crawler)
    close(crawler)  # e.g. refused at start
    assert rows(earlier) == [[URL, "503", "-"]]


def test_close_logs_a_summary_naming_the_file_and_pages(tmp_path, caplog):
    crawler, _ = open_recorder(tmp_path)
    report_page_failed(crawler, URL, status=404)
    close(crawler)
    (summary,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    message = summary.getMessage()
    assert f"1 page given up on (listed in {tmp_path / 'failed.tsv'})" in message
    assert f"{URL}  HTTP 404" in message


def test_a_clean_crawl_leaves_no_file_and_no_warning(tmp_path, caplog):
    stale = tmp_path / "failed.tsv"
    stale.write_text(f"{URL}\t503\t-\t2026-01-01T00:00:00+00:00\n", encoding="utf-8")
    crawler, _ = open_recorder(tmp_path)
    assert not stale.exists()  # an earlier crawl's list is not this crawl's
    close(crawler)
    assert not stale.exists()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_page_that_arrives_later_is_taken_off_the_list(tmp_path):
    crawler, _ = open_recorder(tmp_path)
    report_page_failed(crawler, URL, status=403)
    report_page_failed(crawler, OTHER_URL, status=403)
    later = response(OTHER_URL)
    send(crawler, signals.response_received, response=later, request=later.request, spider=None)
    close(crawler)
    assert rows(tmp_path / "failed.tsv") == [[URL, "403", "-"]]


def test_a_resumed_job_takes_off_an_earlier_runs_page_that_arrives_now(tmp_path):
    first, _ = open_recorder(tmp_path, JOBDIR=str(tmp_path / "job"))
    report_page_failed(first, URL, status=500)
    start_job(tmp_path / "job")
    second, _ = open_recorder(tmp_path, JOBDIR=str(tmp_path / "job"))
    now = response(URL)
    send(second, signals.response_received, response=now, request=now.request, spider=None)
    close(second)
    assert not (tmp_path / "failed.tsv").exists()


def start_job(jobdir):
    """What the first run of a job leaves in JOBDIR: its seen-set."""
    jobdir.mkdir(exist_ok=True)
    (jobdir / "requests.seen").write_bytes(b"\x00\x01x")


def test_a_resumed_job_keeps_the_pages_its_earlier_runs_gave_up_on(tmp_path):
    first, _ = open_recorder(tmp_path, JOBDIR=str(tmp_path / "job"))
    report_page_failed(first, URL, status=500)
    start_job(tmp_path / "job")
    # killed: no close
    second, _ = open_recorder(tmp_path, JOBDIR=str(tmp_path / "job"))
    report_page_failed(second, OTHER_URL, status=502)
    close(second)
    assert rows(tmp_path / "failed.tsv") == [[URL, "500", "-"], [OTHER_URL, "502", "-"]]


def test_a_new_job_starts_a_new_list(tmp_path):
    (tmp_path / "failed.tsv").write_text(f"{URL}\t500\t-\t2026-01-01T00:00:00+00:00\n")
    crawler, _ = open_recorder(tmp_path, JOBDIR=str(tmp_path / "new-job"))
    close(crawler)
    assert not (tmp_path / "failed.tsv").exists()


def test_a_callback_that_raised_is_a_failed_page(tmp_path):
    crawler, _ = open_recorder(tmp_path)
    page = response(URL)
    try:
        raise KeyError("title")
    except KeyError:
        failure = Failure()
    send(crawler, signals.spider_error, failure=failure, response=page, spider=None)
    close(crawler)
    assert rows(tmp_path / "failed.tsv") == [[URL, "200", "callback raised KeyError: 'title'"]]


@pytest.mark.parametrize(
    ("feed", "expected"),
    [
        ("out/films.jl", "out/films.failed.tsv"),
        ("films.csv", "films.failed.tsv"),
        ("file://{tmp}/films.json", "{tmp}/films.failed.tsv"),
        ("s3://bucket/films.jl", "failed_urls.tsv"),
        ("films-%(time)s.jl", "failed_urls.tsv"),
    ],
)
def test_default_file_is_beside_the_feed(tmp_path, monkeypatch, feed, expected):
    monkeypatch.chdir(tmp_path)
    feed = feed.format(tmp=tmp_path)
    recorder = FailedPages.from_crawler(make_crawler(FEEDS={feed: {"format": "jsonlines"}}))
    assert recorder.path == Path(expected.format(tmp=tmp_path))


def test_without_a_feed_the_file_is_failed_urls_tsv(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert FailedPages.from_crawler(make_crawler()).path == Path("failed_urls.tsv")


# ReportGiveUps: what reaches it has been through RetryMiddleware already.
