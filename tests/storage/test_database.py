"""The storage pipeline against real databases: SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import sqlite3
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy as sa
from scrapy.exceptions import NotConfigured

import moviespider.storage.database as database
from moviespider.errors import ConfigError
from moviespider.items import MOVIE_FIELDS, Movie, item_dict
from moviespider.pipelines.storage import StoreMovies
from moviespider.site import canonical_subject_url
from moviespider.storage.schema import NOT_MOVIE_COLUMNS, crawls, metadata, movies, observations
from tests.helpers.storage import (
    Outage,
    count_rows,
    run_pipeline,
    storage_pipeline,
    top250_films,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from sqlalchemy.engine import URL

MONDAY = "2026-11-16T08:00:00+00:00"
TUESDAY = "2026-11-17T08:00:00+00:00"


def rows(url: URL, table: sa.Table, order_by: str | None = None) -> list[dict[str, Any]]:
    engine = sa.create_engine(url)
    query = table.select()
    if order_by:
        query = query.order_by(table.c[order_by])
    with engine.connect() as connection:
        result = [dict(row._mapping) for row in connection.execute(query)]
    engine.dispose()
    return result


def a_film(**fields: Any) -> Movie:
    subject_id = fields.pop("subject_id", "1292052")
    return Movie(
        subject_id=subject_id,
        url=canonical_subject_url(subject_id),
        source=fields.pop("source", "top250"),
        **fields,
    )


# --- what is stored ---------------------------------------------------------------------------


def test_the_same_crawl_twice_gives_one_movie_row_and_two_observations_per_film(
    database_url: URL, store_crawl: Callable[..., StoreMovies]
):
    first = store_crawl(database_url, top250_films(MONDAY))
    second = store_crawl(database_url, top250_films(TUESDAY))

    assert count_rows(database_url, movies) == 250
    assert count_rows(database_url, observations) == 500
    assert first.crawl_id != second.crawl_id
    recorded = rows(database_url, crawls, order_by="started_at")
    assert [(crawl["id"], crawl["spider"]) for crawl in recorded] == [
        (first.crawl_id, "douban_top250"),
        (second.crawl_id, "douban_top250"),
    ]
    assert [(crawl["items"], crawl["finish_reason"]) for crawl in recorded] == [
        (250, "finished"),
        (250, "finished"),
    ]
    assert all(crawl["finished_at"] >= crawl["started_at"] for crawl in recorded)


def test_every_movie_field_round_trips_through_the_movies_table(
    database_url: URL, store_crawl: Callable[..., StoreMovies]
):
    film = a_film(
        title="霸王别姬",
        original_title="Farewell My Concubine",
        aliases=["再见，我的妾", "Farewell to My Concubine"],
        year=1993,
        kind="movie",
        directors=["陈凯歌"],
        writers=["芦苇", "李碧华"],
        actors=["张国荣", "张丰毅", "巩俐"],
        genres=["剧情", "爱情", "同性"],
        countries=["中国大陆", "中国香港"],
        languages=["汉语普通话"],
        release_date="1993-07-26",
        release_dates=["1993-07-26(中国香港)", "1993-05-20(戛纳电影节)"],
        runtime_minutes=171,
        episodes=None,
        imdb_id="tt0106332",
        rating=9.6,
        votes=2_300_000,
        rank=2,
        quote="风华绝代。",
        want_count=None,
        city=None,
        summary="段小楼与程蝶衣……" * 40,
        poster_url="https://img1.doubanio.com/view/photo/s_ratio_poster/public/p2561716440.jpg",
        crawled_at=MONDAY,
        poster_path="full/0a1b2c.jpg",
    )
    store_crawl(database_url, [film])

    [row] = rows(database_url, movies)
    stored = {name: value for name, value in row.items() if name in MOVIE_FIELDS}
    expected = dataclasses.asdict(film)
    for name in NOT_MOVIE_COLUMNS:
        del expected[name]
    assert stored == expected
    assert row["first_seen"].isoformat() == row["last_seen"].isoformat() == "2026-11-16T08:00:00"


def test_every_movie_field_has_a_column():
    assert set(MOVIE_FIELDS) - NOT_MOVIE_COLUMNS <= set(movies.columns.keys())


def test_a_later_crawl_updates_what_it_saw_and_keeps_what_it_did_not(
    database_url: URL, store_crawl: Callable[..., StoreMovies]
):
    store_crawl(
        database_url,
        [a_film(title="霸王别姬", rating=9.6, votes=100, directors=["陈凯歌"], crawled_at=MONDAY)],
    )
    # A list page shows less than a subject page: no directors this time.
    store_crawl(database_url, [a_film(title="霸王别姬", rating=9.5, votes=120, crawled_at=TUESDAY)])

    [row] = rows(database_url, movies)
    assert (row["rating"], row["votes"], row["directors"]) == (9.5, 120, ["陈凯歌"])
    assert row["first_seen"].isoformat() == "2026-11-16T08:00:00"
    assert row["last_seen"].isoformat() == "2026-11-17T08:00:00"
    history = rows(database_url, observations, order_by="crawled_at")
    assert [(seen["rating"], seen["votes"]) for seen in history] == [(9.6, 100), (9.5, 120)]


def test_a_retried_older_batch_does_not_move_last_seen_back(
    database_url: URL, store_crawl: Callable[..., StoreMovies]
):
    store_crawl(database_url, [a_film(rating=9.5, crawled_at=TUESDAY)])
    store_crawl(database_url, [a_film(rating=9.6, crawled_at=MONDAY)])

    [row] = rows(database_url, movies)
    assert row["last_seen"].isoformat() == "2026-11-17T08:00:00"
    assert row["first_seen"].isoformat() == "2026-11-17T08:00:00"


def test_a_film_seen_twice_in_one_batch_is_one_row_with_the_newest_values(
    database_url: URL, store_crawl: Callable[..., StoreMovies]
):
    store_crawl(
        database_url,
        [
            a_film(rating=9.6, summary="长", crawled_at=MONDAY),
            a_film(rating=9.5, crawled_at=TUESDAY),
        ],
    )

    [row] = rows(database_url, movies)
    assert (row["rating"], row["summary"]) == (9.5, "长")
    [seen] = rows(database_url, observations)
    assert seen["rating"] == 9.5


def test_an_older_movies_table_gains_the_columns_added_since(
    database_url: URL, store_crawl: Callable[..., StoreMovies]
):
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        metadata.create_all(connection)
        connection.execute(sa.text("ALTER TABLE movies DROP COLUMN poster_path"))
    engine.dispose()

    store_crawl(database_url, [a_film(poster_path="full/abc.jpg", crawled_at=MONDAY)])

    [row] = rows(database_url, movies)
    assert row["poster_path"] == "full/abc.jpg"


def test_crawls_started_together_on_a_new_database_all_get_its_tables(tmp_path: Path):
    # Scrapyd starts the jobs it finds queued at once; on an empty database they race to create
    # the same tables. One round in three or so lost a crawl to "table … already exists".
    def race(url: URL, crawls: int = 4) -> list[str]:
        start = threading.Barrier(crawls)
        errors = []

        def open_crawl() -> None:
            start.wait()
            try:
                database.MovieStore.connect(url).close()
            except ConfigError as error:
                errors.append(str(error))

        threads = [threading.Thread(target=open_crawl) for _ in range(crawls)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return errors

    for round_ in range(10):
        url = sa.URL.create("sqlite", database=str(tmp_path / f"round{round_}.sqlite3"))
        assert race(url) == []
        engine = sa.create_engine(url)
        assert set(sa.inspect(engine).get_table_names()) == set(metadata.tables)
        engine.dispose()


def test_a_database_locked_by_another_program_stops_the_crawl_at_open_without_retrying(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    attempts = []
    create = database.MovieStore._create_missing_schema
    monkeypatch.setattr(
        database.MovieStore,
        "_create_missing_schema",
        lambda store: attempts.append(1) or create(store),
    )
    path = tmp_path / "locked.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # a sqlite3 shell in the middle of a transaction, say
    url = sa.URL.create("sqlite", database=str(path), query={"timeout": "0.1"})
    try:
        with pytest.raises(ConfigError) as raised:
            database.MovieStore.connect(url)
    finally:
        holder.close()

    assert str(raised.value) == (
        f"setting DATABASE_URL: cannot create the tables in {url}: database is locked"
    )
    assert len(attempts) <= 1  # a lock is no race with another crawl: once is enough


# Every control character but NUL (which PostgreSQL's text cannot hold: validation strips it).
CONTROL_CHARACTERS = "".join(map(chr, range(1, 32))) + "\x7f\x85"
EMOJI = "🎬🍿👨‍👩‍👧"


def test_long_text_emoji_and_control_characters_come_back_byte_for_byte(
    database_url: URL, store_crawl: Callable[..., StoreMovies], tmp_path: Path
):
    summary = ("二十世纪四十年代末，" * 3400 + EMOJI)[:-1]  # about 100 KB of UTF-8
    assert len(summary.encode("utf-8")) > 100_000
    title = ("肖申克" * 3334)[:10_000]
    film = a_film(
        title=title,
        original_title=f"The {EMOJI} {CONTROL_CHARACTERS} end",
        quote=CONTROL_CHARACTERS,
        summary=summary,
        aliases=[EMOJI, CONTROL_CHARACTERS],
        poster_url="https://img.example/" + "p" * 2000 + ".jpg",
        crawled_at=MONDAY,
    )
    pipeline = store_crawl(database_url, [film], DATABASE_UNSAVED_FILE=str(tmp_path / "unsaved.jl"))

    assert pipeline.crawler.stats.get_value("moviespider/storage/rejected") is None
    [row] = rows(database_url, movies)
    for name in ("title", "original_title", "quote", "summary", "aliases", "poster_url"):
        assert row[name] == getattr(film, name), name


def test_an_older_database_with_narrow_text_columns_is_widened(
    database_url: URL, store_crawl: Callable[..., StoreMovies], tmp_path: Path
):
    engine = sa.create_engine(database_url)
    narrow = {  # what the first release created
        "mysql": [
            "ALTER TABLE movies MODIFY COLUMN title TEXT",
            "ALTER TABLE movies MODIFY COLUMN summary TEXT",
            "ALTER TABLE movies MODIFY COLUMN poster_url VARCHAR(512)",
        ],
        "postgresql": ["ALTER TABLE movies ALTER COLUMN poster_url TYPE VARCHAR(512)"],
        "sqlite": [],
    }[database_url.get_backend_name()]
    with engine.begin() as connection:
        metadata.create_all(connection)
        for statement in narrow:
            connection.execute(sa.text(statement))
    engine.dispose()
    long_film = a_film(
        summary="长" * 40_000, poster_url="https://img.example/" + "p" * 600, crawled_at=MONDAY
    )

    unsaved = str(tmp_path / "unsaved.jl")
    store_crawl(database_url, [long_film], DATABASE_UNSAVED_FILE=unsaved)
    store_crawl(database_url, [long_film], DATABASE_UNSAVED_FILE=unsaved)  # nothing to widen

    [row] = rows(database_url, movies)
    assert (row["summary"], row["poster_url"]) == (long_film.summary, long_film.poster_url)


# --- batching, off the reactor thread ------------------------------------------------------


def test_films_are_written_in_batches(database_url: URL, store_crawl: Callable[..., StoreMovies]):
    pipeline = store_crawl(database_url, top250_films(MONDAY, 95), DATABASE_BATCH_SIZE=20)

    stats = pipeline.crawler.stats
    assert stats.get_value("moviespider/storage/batches") == 5  # 4 full batches and the rest
    assert stats.get_value("moviespider/storage/films") == 95
    assert count_rows(database_url, observations) == 95


def test_items_do_not_wait_for_the_database(tmp_path: Path):
    url = sa.URL.create("sqlite", database=str(tmp_path / "slow.sqlite3"), query={"timeout": "1"})
    pipeline = storage_pipeline(url, DATABASE_BATCH_SIZE=10)

    async def crawl() -> float:
        await pipeline.open_spider()
        blocker = sqlite3.connect(url.database)
        blocker.execute("BEGIN EXCLUSIVE")  # every write now waits a second, then fails
        started = time.perf_counter()
        for film in top250_films(MONDAY, 50):
            await pipeline.process_item(film)
        elapsed = time.perf_counter() - started
        blocker.rollback()
        blocker.close()
        await pipeline.close_spider()
        await pipeline.spider_closed("finished")
        return elapsed

    assert asyncio.run(crawl()) < 0.2
    assert pipeline.crawler.stats.get_value("moviespider/storage/films") == 50


def test_a_partial_batch_is_written_after_the_flush_interval(database_url: URL):
    pipeline = storage_pipeline(database_url, DATABASE_BATCH_SIZE=100, DATABASE_FLUSH_INTERVAL=0.2)

    async def crawl() -> int:
        await pipeline.open_spider()
        for film in top250_films(MONDAY, 5):
            await pipeline.process_item(film)
        await asyncio.sleep(0.6)
        written = await asyncio.to_thread(count_rows, database_url, observations)
        await pipeline.close_spider()
        await pipeline.spider_closed("finished")
        return written

    assert asyncio.run(crawl()) == 5


# --- nothing lost -------------------------------------------------------------------------------


def test_films_written_while_the_database_is_down_are_kept_and_retried(
    outage: Outage, caplog: pytest.LogCaptureFixture
):
    pipeline = storage_pipeline(outage.url, DATABASE_BATCH_SIZE=10, DATABASE_FLUSH_INTERVAL=0.2)
    films = top250_films(MONDAY, 40)

    async def crawl() -> None:
        await pipeline.open_spider()
        for film in films[:20]:
            await pipeline.process_item(film)
        await asyncio.sleep(0.3)
        outage.begin()
        for film in films[20:]:
            await pipeline.process_item(film)
        await asyncio.sleep(0.5)
        outage.end()
        await asyncio.sleep(0.5)
        await pipeline.close_spider()
        await pipeline.spider_closed("finished")

    asyncio.run(crawl())

    stats = pipeline.crawler.stats
    assert stats.get_value("moviespider/storage/write_failures") >= 1
    assert stats.get_value("moviespider/storage/films") == 40
    assert stats.get_value("moviespider/storage/unsaved") is None
    assert count_rows(outage.url, observations) == 40
    assert "Could not store" in caplog.text


def test_films_the_database_never_took_go_to_a_json_lines_file(
    outage: Outage, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    unsaved = tmp_path / "unsaved" / "%(name)s-%(crawl_id)s.jl"
    pipeline = storage_pipeline(
        outage.url,
        DATABASE_BATCH_SIZE=10,
        DATABASE_FLUSH_INTERVAL=0.1,
        DATABASE_UNSAVED_FILE=str(unsaved),
    )
    films = top250_films(MONDAY, 25)

    async def crawl() -> None:
        await pipeline.open_spider()
        for film in films[:10]:
            await pipeline.process_item(film)
        await asyncio.sleep(0.2)
        outage.begin()
        try:
            for film in films[10:]:
                await pipeline.process_item(film)
            with caplog.at_level(logging.ERROR):
                await pipeline.close_spider()
        finally:
            outage.end()
        await pipeline.spider_closed("finished")

    asyncio.run(crawl())

    path = tmp_path / "unsaved" / f"douban_top250-{pipeline.crawl_id}.jl"
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [line["subject_id"] for line in lines] == [film.subject_id for film in films[10:]]
    assert lines[0] == {"crawl_id": pipeline.crawl_id, **dataclasses.asdict(films[10])}
    assert str(path) in caplog.text
    assert pipeline.crawler.stats.get_value("moviespider/storage/unsaved") == 15
    assert count_rows(outage.url, observations) == 10


def test_the_crawl_gets_its_finish_reason_when_the_database_comes_back_only_at_the_end(
    outage: Outage, tmp_path: Path
):
    pipeline = storage_pipeline(
        outage.url,
        DATABASE_BATCH_SIZE=10,
        DATABASE_FLUSH_INTERVAL=0.5,
        DATABASE_UNSAVED_FILE=str(tmp_path / "unsaved.jsonl"),
    )
    films = top250_films(MONDAY, 10)

    async def crawl() -> None:
        await pipeline.open_spider()
        for film in films:
            await pipeline.process_item(film)
        await pipeline.close_spider()  # all ten stored
        outage.begin()
        # Back while the end of the crawl is being recorded: after its first try.
        asyncio.get_running_loop().call_later(0.25, outage.end)
        await pipeline.spider_closed("shutdown")

    asyncio.run(crawl())

    [crawl_row] = rows(outage.url, crawls)
    assert (crawl_row["finish_reason"], crawl_row["items"]) == ("shutdown", 10)
    assert crawl_row["finished_at"] is not None
    assert not (tmp_path / "unsaved.jsonl").exists()


def test_when_the_database_never_comes_back_the_unsaved_file_holds_the_crawls_end(
    outage: Outage, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    pipeline = storage_pipeline(
        outage.url,
        DATABASE_BATCH_SIZE=10,
        DATABASE_FLUSH_INTERVAL=0.1,
        DATABASE_UNSAVED_FILE=str(tmp_path / "unsaved.jsonl"),
    )
    films = top250_films(MONDAY, 15)

    async def crawl() -> None:
        await pipeline.open_spider()
        outage.begin()
        try:
            for film in films:
                await pipeline.process_item(film)
            with caplog.at_level(logging.ERROR):
                await pipeline.close_spider()
                await pipeline.spider_closed("finished")
        finally:
            outage.end()

    asyncio.run(crawl())

    path = tmp_path / "unsaved.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [record["subject_id"] for record in records[:-1]] == [f.subject_id for f in films]
    assert records[-1]["crawl_id"] == pipeline.crawl_id
    assert records[-1]["crawl"]["finish_reason"] == "finished"
    assert records[-1]["crawl"]["items"] == 0
    assert path.stat().st_mode & 0o777 == 0o600
    assert f"Could not record the end of crawl {pipeline.crawl_id} (finished)" in caplog.text
    assert str(path) in caplog.text


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"FEEDS": {"out/films.jsonl": {"format": "jsonlines"}}}, "out/films.unsaved.jsonl"),
        (
            {"FEEDS": {"stdout:": {"format": "jsonlines"}}, "JOBDIR": "jobs/top"},
            "jobs/top/unsaved.jsonl",
        ),
        (
            {"FEEDS": {"s3://bucket/films.jl": {"format": "jsonlines"}}},
            "moviespider-unsaved-douban_top250-{id}.jsonl",
        ),
        ({}, "moviespider-unsaved-douban_top250-{id}.jsonl"),
    ],
)
def test_the_unsaved_file_goes_beside_the_feed_else_the_jobdir_else_the_current_directory(
    settings: dict[str, Any], expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(tmp_path)
    pipeline = storage_pipeline(sa.engine.make_url("sqlite://"), **settings)
    pipeline._write_unsaved([{"subject_id": "1"}])
    path = tmp_path / expected.format(id=pipeline.crawl_id)
    assert json.loads(path.read_text(encoding="utf-8")) == {
        "crawl_id": pipeline.crawl_id,
        "subject_id": "1",
    }


@pytest.mark.parametrize(
    "defect",
    [{"source": None}, {"crawled_at": "a week ago"}],
    ids=["refused-by-the-database", "unreadable-crawled-at"],
)
def test_a_film_that_cannot_be_stored_does_not_hold_up_the_others(
    defect: dict[str, Any], database_url: URL, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    films = top250_films(MONDAY, 10)
    films[4] = dataclasses.replace(films[4], **defect)
    pipeline = storage_pipeline(
        database_url, DATABASE_BATCH_SIZE=10, DATABASE_UNSAVED_FILE=str(tmp_path / "unsaved.jl")
    )

    asyncio.run(run_pipeline(pipeline, films))

    assert count_rows(database_url, observations) == 9
    [line] = (tmp_path / "unsaved.jl").read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["subject_id"] == films[4].subject_id
    assert f"Film {films[4].subject_id} cannot be stored" in caplog.text
    assert pipeline.crawler.stats.get_value("moviespider/storage/rejected") == 1


# --- configuration ------------------------------------------------------------------------------


def test_an_empty_database_url_switches_storage_off(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(NotConfigured):
        storage_pipeline(sa.URL.create("sqlite"), DATABASE_URL="")


def test_the_environment_variable_wins_over_the_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/from-environment.sqlite3")
    pipeline = storage_pipeline(sa.URL.create("sqlite", database=str(tmp_path / "setting.db")))
    assert pipeline.url.database == f"{tmp_path}/from-environment.sqlite3"


def test_an_empty_environment_variable_switches_storage_off(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DATABASE_URL", "")
    with pytest.raises(NotConfigured):
        storage_pipeline(sa.URL.create("sqlite", database="movies.sqlite3"))


def test_a_password_in_the_setting_is_refused_without_repeating_it(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    url = sa.make_url("postgresql+psycopg://crawler:s3cret@db.example/movies")
    with pytest.raises(ConfigError, match=r"^setting DATABASE_URL: .*environment") as raised:
        storage_pipeline(url)
    assert "s3cret" not in str(raised.value)


@pytest.mark.parametrize(
    ("setting", "value"), [("DATABASE_BATCH_SIZE", 0), ("DATABASE_FLUSH_INTERVAL", -1)]
)
def test_a_batch_setting_must_be_positive(
    setting: str, value: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(ConfigError, match=f"^setting {setting}: "):
        storage_pipeline(
            sa.URL.create("sqlite", database=str(tmp_path / "m.db")), **{setting: value}
        )


def test_an_unknown_driver_is_a_config_error(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+nosuchdriver://u:s3cret@127.0.0.1/test")
    pipeline = storage_pipeline(sa.URL.create("sqlite"))
    with pytest.raises(ConfigError, match=r"^setting DATABASE_URL: no driver") as raised:
        asyncio.run(pipeline.open_spider())
    assert "s3cret" not in str(raised.value)


@pytest.mark.parametrize(
    "unreachable",
    [
        "postgresql+psycopg://crawler:s3cret@127.0.0.1:9/test",
        "mysql+pymysql://crawler:s3cret@127.0.0.1:9/test",
    ],
)
def test_an_unreachable_database_stops_the_crawl_at_open_without_showing_the_password(
    unreachable: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    monkeypatch.setenv("DATABASE_URL", unreachable)
    pipeline = storage_pipeline(sa.URL.create("sqlite"))
    with pytest.raises(ConfigError) as raised:
        asyncio.run(pipeline.open_spider())

    message = str(raised.value)
    assert message.startswith("setting DATABASE_URL: cannot connect to ")
    assert "crawler:***@127.0.0.1:9/test: " in message
    assert "\n" not in message
    assert "s3cret" not in message + caplog.text


def test_a_password_from_the_environment_is_never_logged(
    postgresql_url: URL, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    # The test server trusts local connections, so any password is accepted.
    url = postgresql_url.set(password="s3cret")
    monkeypatch.setenv("DATABASE_URL", url.render_as_string(hide_password=False))
    pipeline = storage_pipeline(sa.URL.create("sqlite"))

    with caplog.at_level(logging.DEBUG):
        asyncio.run(run_pipeline(pipeline, top250_films(MONDAY, 3)))

    assert count_rows(postgresql_url, movies) == 3
    assert f"{url.username}:***@" in caplog.text
    assert "s3cret" not in caplog.text


def test_a_database_that_refuses_the_tables_stops_the_crawl_at_open(
    postgresql_url: URL, monkeypatch: pytest.MonkeyPatch
):
    # PostgreSQL 15 lets only the owner of schema public create tables in it.
    role = f"reader_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(postgresql_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE ROLE {role} LOGIN"))
    reader_url = postgresql_url.set(username=role)
    monkeypatch.setenv("DATABASE_URL", reader_url.render_as_string(hide_password=False))
    pipeline = storage_pipeline(sa.URL.create("sqlite"))
    try:
        with pytest.raises(ConfigError) as raised:
            asyncio.run(pipeline.open_spider())
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP ROLE {role}"))
        admin.dispose()

    assert str(raised.value).startswith(
        f"setting DATABASE_URL: cannot create the tables in {reader_url}: "
    )
    assert "permission denied" in str(raised.value)


# --- merges -------------------------------------------------------------------------------------


def test_a_merged_id_is_recorded_against_the_film_kept(
    database_url: URL, store_crawl: Callable[..., StoreMovies]
):
    from moviespider.storage.schema import merges

    store_crawl(database_url, [a_film(title="肖申克的救赎", crawled_at=MONDAY)])
    kept = a_film(title="肖申克的救赎", merged_ids=["26000001", "26000002"], crawled_at=TUESDAY)
    store_crawl(database_url, [kept])
    # A later crawl finds the old id merged into another film (merged again on Douban).
    store_crawl(
        database_url,
        [
            a_film(
                subject_id="3541415", title="盗梦空间", merged_ids=["26000002"], crawled_at=TUESDAY
            )
        ],
    )

    assert [row["subject_id"] for row in rows(database_url, movies, order_by="subject_id")] == [
        "1292052",
        "3541415",
    ]
    recorded = {row["old_id"]: row["subject_id"] for row in rows(database_url, merges)}
    assert recorded == {"26000001": "1292052", "26000002": "3541415"}


# --- durability: the pipeline is a sink (moviespider.durability) --------------------------------


def test_films_hold_the_watermark_until_their_batch_is_committed(tmp_path: Path):
    from moviespider.durability import DurabilityTracker, NumberItems

    url = sa.URL.create("sqlite", database=str(tmp_path / "movies.sqlite3"))
    pipeline = storage_pipeline(url, DATABASE_BATCH_SIZE=5, DATABASE_FLUSH_INTERVAL=60)
    tracker = DurabilityTracker.of(pipeline.crawler)
    numbering = NumberItems(tracker)
    films = top250_films(MONDAY, 7)
    seen: list[tuple[int, int]] = []

    async def crawl() -> None:
        await pipeline.open_spider()
        for film in films[:4]:
            await pipeline.process_item(numbering.process_item(film))
        seen.append((tracker.issued, tracker.watermark))  # 4 films in memory only
        await pipeline.process_item(numbering.process_item(films[4]))  # a full batch: written
        await pipeline._write
        seen.append((tracker.issued, tracker.watermark))
        for film in films[5:]:
            await pipeline.process_item(numbering.process_item(film))
        seen.append((tracker.issued, tracker.watermark))
        await pipeline.close_spider()
        seen.append((tracker.issued, tracker.watermark))
        await pipeline.spider_closed("finished")

    asyncio.run(crawl())
    assert seen == [(4, 0), (5, 5), (7, 5), (7, 7)]


def test_the_unsaved_file_is_the_owners_only(tmp_path: Path):
    films = top250_films(MONDAY, 3)
    films[1] = dataclasses.replace(films[1], source=None)  # rejected by the database
    url = sa.URL.create("sqlite", database=str(tmp_path / "movies.sqlite3"))
    pipeline = storage_pipeline(url, DATABASE_UNSAVED_FILE=str(tmp_path / "unsaved.jl"))
    asyncio.run(run_pipeline(pipeline, films))
    assert (tmp_path / "unsaved.jl").stat().st_mode & 0o777 == 0o600


def test_a_resumed_job_is_one_crawl(tmp_path: Path):
    url = sa.URL.create("sqlite", database=str(tmp_path / "movies.sqlite3"))
    job = {"JOBDIR": str(tmp_path / "job")}
    first = storage_pipeline(url, **job)
    films = top250_films(MONDAY, 10)
    asyncio.run(run_pipeline(first, films[:4], reason="shutdown"))
    resumed = storage_pipeline(url, **job)
    asyncio.run(run_pipeline(resumed, films[3:]))
    assert resumed.crawl_id == first.crawl_id
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(sa.select(crawls.c.finish_reason, crawls.c["items"])).all()
    engine.dispose()
    assert [tuple(row) for row in rows] == [("finished", 10)]


# --- the write path ---------------------------------------------------------------------------


def test_upserts_are_built_once_per_store_and_run_as_one_executemany_per_table(
    database_url: URL, monkeypatch: pytest.MonkeyPatch
):
    original = database.merge_movie
    built = []

    def counted_merge_movie(table: sa.Table, new: Any) -> dict[str, Any]:
        built.append(table.name)
        return original(table, new)

    monkeypatch.setattr(database, "merge_movie", counted_merge_movie)
    store = database.MovieStore.connect(database_url)
    store.start_crawl("crawl-1", "douban_top250", database.utc_now())
    executions = []
    sa.event.listen(
        store.engine,
        "before_cursor_execute",
        lambda conn, cursor, sql, params, context, many: executions.append((sql, many)),
    )
    try:
        films = [item_dict(film) for film in top250_films(MONDAY, 60)]
        for start in range(0, 60, 20):
            assert store.store("crawl-1", films[start : start + 20]) == 20
    finally:
        store.close()

    assert built == ["movies"]  # once, when the store was made; not per batch
    writes = [(sql, many) for sql, many in executions if sql.lstrip().upper().startswith("INSERT")]
    assert len(writes) == 6  # movies and observations, per batch
    assert all(many for _, many in writes)
    assert len({sql for sql, _ in writes}) == 2
    assert count_rows(database_url, movies) == 60
