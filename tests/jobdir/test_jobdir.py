"""The crash-safe JOBDIR pieces, one behaviour each. The SIGKILL crawl is in crawl/test_resume.py.

A "kill" here is dropping a component without closing it: nothing it buffers gets written.
"""

import json

import pytest
from scrapy import Request
from scrapy.exporters import JsonLinesItemExporter
from scrapy.utils.request import RequestFingerprinter
from scrapy.utils.test import get_crawler

from moviespider.errors import ConfigError
from moviespider.jobdir.dupefilter import FlushingDupeFilter, SiteRelativeFingerprinter
from moviespider.jobdir.feedstorage import AppendingFileFeedStorage, earlier_subject_ids
from moviespider.jobdir.scheduler import CrashSafeScheduler
from tests.helpers.jobdir import SANDBOX, FakeEngineRequests, FilmSpider, Run


def urls(requests):
    return sorted(request.url for request in requests)


def test_requests_never_started_are_there_after_a_kill(tmp_path):
    first = Run(tmp_path)
    first.schedule("1", "2", "3")
    # killed
    assert urls(Run(tmp_path).drain()) == urls([first.request(i) for i in ("1", "2", "3")])


def test_requests_in_flight_at_the_kill_are_fetched_again(tmp_path):
    first = Run(tmp_path)
    first.schedule("1", "2")
    first.start_next()
    first.start_next()
    # killed with both downloading
    assert len(Run(tmp_path).drain()) == 2


def test_requests_the_engine_finished_are_not_fetched_again(tmp_path):
    first = Run(tmp_path)
    first.schedule("1", "2", "3")
    done = first.start_next()
    first.finish(done)
    in_flight = first.start_next()  # the scheduler learns of the finished one here
    # killed
    resumed = Run(tmp_path).drain()
    assert done.url not in urls(resumed)
    assert in_flight.url in urls(resumed)
    assert len(resumed) == 2


def test_replayed_requests_keep_their_callback_and_arguments(tmp_path):
    Run(tmp_path).schedule("1292052")
    (request,) = Run(tmp_path).drain()
    assert request.callback.__name__ == "parse_details"
    assert request.cb_kwargs == {"listed": {"subject_id": "1292052"}}


def test_requests_seen_before_the_kill_stay_filtered(tmp_path):
    first = Run(tmp_path)
    first.schedule("1")
    first.finish(first.start_next())
    assert first.scheduler.next_request() is None  # and the scheduler learns it is finished
    # killed; a new run's start() yields the same request again
    second = Run(tmp_path)
    assert second.schedule("1") == [False]
    assert second.drain() == []


def test_a_filtered_duplicate_leaves_nothing_to_replay(tmp_path):
    first = Run(tmp_path)
    first.schedule("1")
    assert first.schedule("1") == [False]
    assert len(Run(tmp_path).drain()) == 1


def test_a_graceful_close_keeps_only_the_queued_requests(tmp_path):
    first = Run(tmp_path)
    first.schedule("1", "2", "3")
    first.finish(first.start_next())  # the engine finishes what it started before closing
    first.scheduler.close("shutdown")
    assert len(Run(tmp_path).drain()) == 2


def test_requests_move_to_a_new_base_url(tmp_path):
    first = Run(tmp_path, base_url="http://127.0.0.1:8001")
    first.scheduler.enqueue_request(first.request("1", base_url="http://127.0.0.1:8001"))
    # killed; the sandbox comes back on another port
    second = Run(tmp_path, base_url="http://127.0.0.1:9009")
    assert urls(second.drain()) == ["http://127.0.0.1:9009/subject/1/"]
    assert second.crawler.stats.get_value("moviespider/jobdir/replayed") == 1


def test_the_seen_set_holds_across_base_urls(tmp_path):
    first = Run(tmp_path, base_url="http://127.0.0.1:8001")
    first.scheduler.enqueue_request(first.request("1", base_url="http://127.0.0.1:8001"))
    first.finish(first.start_next())
    first.drain()
    second = Run(tmp_path, base_url="http://127.0.0.1:9009")
    again = second.request("1", base_url="http://127.0.0.1:9009")
    assert second.scheduler.enqueue_request(again) is False


def test_without_jobdir_it_is_scrapys_scheduler(tmp_path):
    crawler = get_crawler(
        FilmSpider, {"SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.ScrapyPriorityQueue"}
    )
    crawler.stats.open_spider()
    scheduler = CrashSafeScheduler.from_crawler(crawler)
    scheduler.open(FilmSpider.from_crawler(crawler))
    assert scheduler.enqueue_request(Request("http://127.0.0.1/a"))
    assert scheduler.next_request().url == "http://127.0.0.1/a"
    assert scheduler.journal is None
    assert not list(tmp_path.iterdir())


def test_each_new_fingerprint_is_on_disk_at_once(tmp_path):
    dupefilter = FlushingDupeFilter(str(tmp_path))
    dupefilter.request_seen(Request("http://127.0.0.1/a"))
    dupefilter.request_seen(Request("http://127.0.0.1/b"))
    # not closed: a kill now
    reopened = FlushingDupeFilter(str(tmp_path))
    assert reopened.request_seen(Request("http://127.0.0.1/a"))
    assert reopened.request_seen(Request("http://127.0.0.1/b"))
    assert not reopened.request_seen(Request("http://127.0.0.1/c"))


def fingerprint(base_url, url):
    crawler = get_crawler(settings_dict={"DOUBAN_BASE_URL": base_url})
    return SiteRelativeFingerprinter.from_crawler(crawler).fingerprint(Request(url))


def test_a_page_has_one_fingerprint_whatever_the_base_url():
    canonical = RequestFingerprinter().fingerprint(Request("https://movie.douban.com/subject/1/"))
    assert fingerprint(SANDBOX, f"{SANDBOX}/subject/1/") == canonical
    assert fingerprint("http://127.0.0.1:9/", "http://127.0.0.1:9/subject/1/") == canonical
    assert fingerprint(SANDBOX, f"{SANDBOX}/subject/2/") != canonical


def test_urls_off_the_site_keep_their_own_fingerprint():
    other = "http://img.example/subject/1/"
    assert fingerprint(SANDBOX, other) == RequestFingerprinter().fingerprint(Request(other))


# Feed storage


def storage(tmp_path, feed, feed_format="jsonlines", overwrite=False, jobdir=None):
    crawler = get_crawler(settings_dict={"JOBDIR": str(jobdir)} if jobdir else {})
    return AppendingFileFeedStorage.from_crawler(
        crawler, str(feed), feed_options={"format": feed_format, "overwrite": overwrite}
    )


def test_each_item_is_in_the_file_before_the_feed_closes(tmp_path):
    feed = tmp_path / "films.jsonl"
    file = storage(tmp_path, feed).open(FilmSpider())
    exporter = JsonLinesItemExporter(file)
    exporter.start_exporting()
    exporter.export_item({"subject_id": "1", "title": "Farewell My Concubine"})
    assert feed.read_text() == '{"subject_id": "1", "title": "Farewell My Concubine"}\n'
    file.close()


def test_a_resumed_run_appends_to_its_json_lines(tmp_path):
    job, feed = tmp_path / "job", tmp_path / "films.jsonl"
    Run(job).schedule("1")  # a first run happened
    feed.write_text('{"subject_id": "1"}\n', encoding="utf-8")
    file = storage(tmp_path, feed, jobdir=job).open(FilmSpider())
    file.write(b'{"subject_id": "2"}\n')
    file.close()
    assert feed.read_text(encoding="utf-8").splitlines() == [
        '{"subject_id": "1"}',
        '{"subject_id": "2"}',
    ]


@pytest.mark.parametrize(
    ("name", "feed_format", "overwrite", "message"),
    [
        ("films.jsonl", "jsonlines", True, "-O would overwrite them; resume with -o"),
        ("films.json", "json", False, "a json file cannot be resumed by appending"),
        ("films.csv", "csv", False, "a csv file cannot be resumed by appending"),
    ],
)
def test_resuming_into_a_feed_it_would_break_is_refused(
    tmp_path, name, feed_format, overwrite, message
):
    job, feed = tmp_path / "job", tmp_path / name
    Run(job).schedule("1")
    feed.write_text("[\n{}", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"setting FEEDS: .*{name} holds .*{message}"):
        storage(tmp_path, feed, feed_format, overwrite, jobdir=job)


def test_a_new_job_may_write_any_format(tmp_path):
    feed = tmp_path / "films.json"
    feed.write_text("[]", encoding="utf-8")  # from some other crawl
    storage(tmp_path, feed, "json", overwrite=True, jobdir=tmp_path / "new-job")


def test_a_resumed_job_may_start_a_new_file_in_any_format(tmp_path):
    job = tmp_path / "job"
    Run(job).schedule("1")
    storage(tmp_path, tmp_path / "films-2.json", "json", overwrite=True, jobdir=job)


def test_a_job_of_another_spider_is_refused(tmp_path):
    Run(tmp_path).schedule("1")

    class OtherSpider(FilmSpider):
        name = "other"

    crawler = get_crawler(
        OtherSpider,
        {"JOBDIR": str(tmp_path), "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.ScrapyPriorityQueue"},
    )
    crawler.stats.open_spider()
    scheduler = CrashSafeScheduler.from_crawler(crawler)
    scheduler.engine_requests = lambda crawler: FakeEngineRequests(set())
    with pytest.raises(ConfigError, match=f"setting JOBDIR: {tmp_path} is a job of spider films"):
        scheduler.open(OtherSpider.from_crawler(crawler))


@pytest.mark.parametrize(
    ("name", "feed_format", "holds"),
    [
        ("films.json", "json", "a JSON array"),
        ("films.xml", "xml", "an XML document"),
        ("films.csv", "csv", "a CSV header"),
    ],
)
def test_appending_to_a_whole_file_format_is_refused(tmp_path, name, feed_format, holds):
    feed = tmp_path / name
    feed.write_text("[\n{}\n]", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"{name} already holds {holds} and -o appends.*-O"):
        storage(tmp_path, feed, feed_format, overwrite=False)


@pytest.mark.parametrize(
    ("name", "feed_format", "overwrite", "content"),
    [
        ("films.json", "json", True, "[]"),  # -O
        ("films.json", "json", False, ""),  # empty: nothing to break
        ("films.jsonl", "jsonlines", False, "{}\n"),  # JSON Lines append cleanly
    ],
)
def test_overwriting_an_empty_file_or_json_lines_may_go_ahead(
    tmp_path, name, feed_format, overwrite, content
):
    feed = tmp_path / name
    feed.write_text(content, encoding="utf-8")
    storage(tmp_path, feed, feed_format, overwrite=overwrite)


# --- durability: a finished request stays until its items are durable in every sink ----------


def test_a_finished_request_stays_until_its_items_are_durable(tmp_path):
    from moviespider.durability import DurabilityTracker

    first = Run(tmp_path)
    tracker = DurabilityTracker.of(first.crawler)
    storage = tracker.sink("storage")
    first.schedule("1", "2")
    done = first.start_next()
    tracker.issue()  # its film enters the pipelines...
    storage.hold(tracker.issued)  # ...and waits in the storage's batch
    first.finish(done)
    first.start_next()  # the scheduler learns it finished: its film is not committed
    assert done.url in urls(Run(tmp_path).drain())  # a kill now fetches it again
    storage.release(None)  # the batch committed
    assert done.url not in urls(Run(tmp_path).drain())


def test_the_journal_holds_no_cookie_or_proxy_credentials(tmp_path, monkeypatch):
    monkeypatch.setenv("DOUBAN_COOKIES", 'dbcl2="1:login-secret"; ck=ck-secret')
    first = Run(tmp_path)
    retry = first.request("1").replace(
        headers={
            "Cookie": "bid=b-secret; dbcl2=login-secret",
            "Proxy-Authorization": "Basic cHJveHktc2VjcmV0",
            "Referer": f"{SANDBOX}/top250",
        },
        cookies={"dbcl2": '"1:login-secret"', "ck": "ck-secret", "bid": "b-secret", "own": "1"},
        meta={
            "proxy": "http://user:proxy-secret@127.0.0.1:1",
            "_auth_proxy": "127.0.0.1:1",
            "moviespider_session_proxy": True,
        },
        dont_filter=True,
    )
    first.scheduler.enqueue_request(retry)
    spied = first.request("2").replace(
        meta={"proxy": "http://user:proxy-secret@127.0.0.1:2"}, dont_filter=True
    )
    first.scheduler.enqueue_request(spied)
    for name in ("requests.journal", "requests.journal-wal"):
        data = (tmp_path / name).read_bytes() if (tmp_path / name).exists() else b""
        for secret in (b"login-secret", b"ck-secret", b"b-secret", b"proxy-secret", b"cHJveHkt"):
            assert secret not in data, (name, secret)
    resumed = {r.url: r for r in Run(tmp_path).drain()}
    replayed = resumed[retry.url]
    assert replayed.headers.get("Referer") == f"{SANDBOX}/top250".encode()
    assert replayed.cookies == {"own": "1"}
    assert "proxy" not in replayed.meta  # the session's: SessionMiddleware sets it again
    assert resumed[spied.url].meta["proxy"] == "http://127.0.0.1:2"


def test_jobdir_files_are_the_owners_only(tmp_path):
    job = tmp_path / "job"
    run = Run(job)
    run.schedule("1")
    assert job.stat().st_mode & 0o777 == 0o700
    for name in ("requests.journal", "requests.journal-wal", "requests.seen"):
        assert (job / name).stat().st_mode & 0o777 == 0o600, name


def test_a_feed_that_cannot_be_written_holds_the_watermark_and_says_so(tmp_path):
    from moviespider.durability import DurabilityTracker

    crawler = get_crawler(FilmSpider)
    crawler.stats.open_spider()
    storage = AppendingFileFeedStorage.from_crawler(
        crawler, str(tmp_path / "films.jsonl"), feed_options={"format": "jsonlines"}
    )
    file = storage.open(FilmSpider())
    tracker = DurabilityTracker.of(crawler)
    file.write(b'{"subject_id": "1"}\n')
    tracker.issue()
    assert tracker.watermark == 1
    file.close()  # a write now fails, as on a full disk
    with pytest.raises(ValueError):
        file.write(b'{"subject_id": "2"}\n')
    assert tracker.watermark < 1
    assert crawler.stats.get_value(f"moviespider/durability/failed/feed {tmp_path}/films.jsonl")
    assert (tmp_path / "films.jsonl").stat().st_mode & 0o777 == 0o600


def test_a_resumed_run_does_not_write_again_a_film_its_earlier_runs_wrote(tmp_path):
    job, feed = tmp_path / "job", tmp_path / "films.jsonl"
    Run(job).schedule("1")  # a first run happened, killed after writing film 1
    feed.write_text('{"subject_id": "1", "title": "a"}\n', encoding="utf-8")
    file = storage(tmp_path, feed, jobdir=job).open(FilmSpider())
    exporter = JsonLinesItemExporter(file)
    for subject_id in ("1", "2"):  # 1 replayed (in flight, or awaiting the database, at the kill)
        exporter.export_item({"subject_id": subject_id, "title": "a"})
    file.close()
    ids = [json.loads(line)["subject_id"] for line in feed.read_text().splitlines()]
    assert ids == ["1", "2"]


def test_a_line_cut_by_a_kill_does_not_count_as_written(tmp_path):
    feed = tmp_path / "films.jsonl"
    feed.write_text('{"subject_id": "1"}\n{"subject_id": "2", "ti', encoding="utf-8")
    assert earlier_subject_ids(feed) == {"1"}


def test_a_new_job_writes_every_film_even_into_a_file_that_has_them(tmp_path):
    feed = tmp_path / "films.jsonl"
    feed.write_text('{"subject_id": "1"}\n', encoding="utf-8")
    file = storage(tmp_path, feed, jobdir=tmp_path / "job").open(FilmSpider())
    JsonLinesItemExporter(file).export_item({"subject_id": "1"})
    file.close()
    assert feed.read_text(encoding="utf-8").count('"subject_id": "1"') == 2
