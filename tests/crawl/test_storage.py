"""Storage in real `scrapy crawl` runs against the sandbox."""

from __future__ import annotations

import re
import subprocess
import threading
import time
from typing import TYPE_CHECKING

import sqlalchemy as sa

from moviespider.storage.schema import crawls, movies, observations
from tests.helpers.crawl import project_env, run_crawl, run_project, scrapy_command
from tests.helpers.storage import Outage, count_rows

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.engine import URL


SANDBOX = {"DOUBAN_SANDBOX": "1", "DOUBAN_SANDBOX_ARGS": "--catalog 300 --seed 5"}


def stored_so_far(url: URL) -> int:
    """Observations stored by a crawl still running (0 until it has created the tables)."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table(observations.name):
            return 0
        result = connection.scalar(sa.select(sa.func.count()).select_from(observations))
    engine.dispose()
    return result


def stat(log: str, name: str) -> int | None:
    """A value from the stats Scrapy dumps at the end of the crawl."""
    found = re.search(rf"'{re.escape(name)}': (\d+)", log)
    return int(found.group(1)) if found else None


def environment(url: URL) -> dict[str, str]:
    return {"DATABASE_URL": url.render_as_string(hide_password=False)}


def test_crawling_the_top250_twice_gives_250_movies_and_500_observations(
    database_url: URL, tmp_path: Path
):
    for _ in range(2):
        crawl = run_crawl(
            "douban_top250", tmp_path, settings=SANDBOX, env=environment(database_url)
        )
        assert crawl.returncode == 0, crawl.log[-3000:]
        assert len(crawl.items) == 250

    assert count_rows(database_url, movies) == 250
    assert count_rows(database_url, observations) == 500
    assert count_rows(database_url, crawls) == 2
    history = run_project(["history", "--top250"], tmp_path, env=environment(database_url))
    assert history.returncode == 0, history.stderr
    assert history.stdout.endswith("\n\nNo film changed rank or rating, entered or left.\n")


def test_a_crawl_of_1200_films_stores_them_in_batches(postgresql_url: URL, tmp_path: Path):
    crawl = run_crawl(
        "douban_top250",
        tmp_path,
        settings={
            "DOUBAN_SANDBOX": "1",
            "DOUBAN_SANDBOX_ARGS": "--catalog 1500 --seed 5",
            "DOUBAN_TOP250_SIZE": "1200",
            "DATABASE_BATCH_SIZE": "100",
        },
        env=environment(postgresql_url),
    )

    assert crawl.returncode == 0, crawl.log[-3000:]
    assert len(crawl.items) == 1200
    assert count_rows(postgresql_url, observations) == 1200
    assert stat(crawl.log, "moviespider/storage/films") == 1200
    # Full batches, plus the odd partial one the flush interval sent: not one write per film.
    assert 12 <= stat(crawl.log, "moviespider/storage/batches") <= 20


def test_films_scraped_while_the_database_is_down_are_stored_when_it_is_back(
    postgresql_url: URL, tmp_path: Path
):
    outage = Outage(postgresql_url)
    command = scrapy_command(
        "crawl", "douban_top250",
        "-O", str(tmp_path / "items.jsonl"),
        "-s", "DOUBAN_SANDBOX=1",
        # Slow enough (20 pages, one at a time, 0.3 s each) to take the database away meanwhile.
        "-s", "DOUBAN_SANDBOX_ARGS=--catalog 600 --seed 5 --latency 0.3",
        "-s", "DOUBAN_TOP250_SIZE=500",
        "-s", "CONCURRENT_REQUESTS=1",
        "-s", "DATABASE_BATCH_SIZE=25",
        "-s", "DATABASE_FLUSH_INTERVAL=0.5",
        "-s", "CLOSE_STATS_LOG_LEVEL=INFO",  # the raw stats, read below
    )  # fmt: skip
    crawl = subprocess.Popen(
        command,
        cwd=tmp_path,
        env=project_env(environment(postgresql_url)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    log_lines: list[str] = []
    failed_write = threading.Event()

    def read_log() -> None:
        assert crawl.stderr is not None
        for line in crawl.stderr:
            log_lines.append(line)
            if "Could not store" in line:
                failed_write.set()

    reader = threading.Thread(target=read_log, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 120
        while stored_so_far(postgresql_url) < 25:  # the first batch is in
            assert crawl.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        outage.begin()
        # Down until the crawl has met the outage, however slowly a loaded machine crawls.
        met = failed_write.wait(timeout=120)
        outage.end()
        assert met, "".join(log_lines)[-3000:]
        crawl.wait(timeout=240)
        reader.join(timeout=30)
        log = "".join(log_lines)
    finally:
        if crawl.poll() is None:
            crawl.kill()
            crawl.wait()

    assert crawl.returncode == 0, log[-3000:]
    assert "Could not store" in log
    assert stat(log, "moviespider/storage/write_failures") >= 1
    assert stat(log, "moviespider/storage/unsaved") is None
    assert count_rows(postgresql_url, observations) == 500


def test_an_unreachable_database_stops_the_crawl_before_any_request(tmp_path: Path):
    crawl = run_crawl(
        "douban_top250",
        tmp_path,
        settings=SANDBOX,
        env={"DATABASE_URL": "postgresql+psycopg://crawler:s3cret@127.0.0.1:9/movies"},
    )

    assert crawl.returncode == 2
    [error] = [line for line in crawl.log.splitlines() if line.startswith("moviespider: error:")]
    assert error.startswith(
        "moviespider: error: setting DATABASE_URL: cannot connect to "
        "postgresql+psycopg://crawler:***@127.0.0.1:9/movies: "
    )
    assert "Connection refused" in error
    assert "Crawled (" not in crawl.log
    assert "s3cret" not in crawl.log + crawl.stdout
    assert crawl.items == []


def test_a_password_in_the_database_url_is_never_printed(postgresql_url: URL, tmp_path: Path):
    # The test server trusts local connections, so any password is accepted.
    url = postgresql_url.set(password="s3cret")

    crawl = run_crawl(
        "douban_top250",
        tmp_path,
        settings={**SANDBOX, "LOG_LEVEL": "DEBUG"},
        env=environment(url),
    )

    assert crawl.returncode == 0, crawl.log[-3000:]
    assert count_rows(postgresql_url, observations) == 250
    assert f"Storing films in {url.render_as_string(hide_password=True)} as crawl " in crawl.log
    assert "s3cret" not in crawl.log + crawl.stdout
