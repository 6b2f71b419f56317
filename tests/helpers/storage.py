"""Storage test support: databases on real servers, films, and the pipeline built as a crawl
builds it. Loaded as a pytest plugin by conftest.py.

Each test session (each pytest-xdist worker) creates a database of its own on PostgreSQL and
MariaDB and drops it at the end; each test starts with no tables. Where a server cannot be
reached the tests are skipped, except in CI (``CI=true``), where that is a failure.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import uuid
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy as sa
from scrapy import Spider
from scrapy.utils.test import get_crawler
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError

from moviespider.items import Movie
from moviespider.pipelines.storage import StoreMovies
from moviespider.site import canonical_subject_url
from moviespider.storage.schema import metadata

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from pathlib import Path

SERVER_URLS = {
    "postgresql": os.environ.get(
        "MOVIESPIDER_TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    ),
    "mariadb": os.environ.get(
        "MOVIESPIDER_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test"
    ),
}
DATABASE_KINDS = ("sqlite", "postgresql", "mariadb")


def _unreachable(kind: str, url: URL, error: Exception) -> None:
    message = f"{kind} at {url.render_as_string(hide_password=True)} unreachable: {error}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI must test against it; is the server running?)")
    pytest.skip(message)


class ServerDatabase:
    """A database of this test session's own on a real server."""

    def __init__(self, kind: str):
        self.kind = kind
        self.admin_url = make_url(SERVER_URLS[kind])
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        self.name = f"moviespider_test_{worker}_{uuid.uuid4().hex[:8]}"
        self.url = self.admin_url.set(database=self.name)
        self.admin = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")

    def create(self) -> None:
        suffix = " CHARACTER SET utf8mb4" if self.kind == "mariadb" else ""
        with self.admin.connect() as connection:
            connection.execute(sa.text(f"CREATE DATABASE {self.name}{suffix}"))

    def drop(self) -> None:
        force = " WITH (FORCE)" if self.kind == "postgresql" else ""
        with self.admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {self.name}{force}"))
        self.admin.dispose()

    def empty(self) -> None:
        engine = sa.create_engine(self.url)
        with engine.begin() as connection:
            metadata.drop_all(connection)
        engine.dispose()


@pytest.fixture(scope="session")
def server_databases() -> Iterator[dict[str, ServerDatabase | Exception]]:
    """Per server kind: this session's database, or why the server could not be reached."""
    databases: dict[str, ServerDatabase | Exception] = {}
    for kind in SERVER_URLS:
        database = ServerDatabase(kind)
        try:
            database.create()
        except OperationalError as error:
            databases[kind] = error
        else:
            databases[kind] = database
    yield databases
    for database in databases.values():
        if isinstance(database, ServerDatabase):
            database.drop()


def database_for(
    kind: str, server_databases: dict[str, ServerDatabase | Exception], tmp_path: Path
) -> URL:
    """An empty database of *kind* for one test."""
    if kind == "sqlite":
        return URL.create("sqlite", database=str(tmp_path / "movies.sqlite3"))
    database = server_databases[kind]
    if isinstance(database, Exception):
        _unreachable(kind, make_url(SERVER_URLS[kind]), database)
    assert isinstance(database, ServerDatabase)
    database.empty()
    return database.url


@pytest.fixture(params=DATABASE_KINDS)
def database_url(
    request: pytest.FixtureRequest,
    server_databases: dict[str, ServerDatabase | Exception],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> URL:
    """An empty database, once per kind: SQLite, PostgreSQL, MariaDB."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return database_for(request.param, server_databases, tmp_path)


@pytest.fixture
def postgresql_url(
    server_databases: dict[str, ServerDatabase | Exception],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> URL:
    """An empty PostgreSQL database."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return database_for("postgresql", server_databases, tmp_path)


@pytest.fixture
def store_crawl() -> Callable[..., StoreMovies]:
    """Store *films* in the database at *url* as one crawl; returns the closed pipeline."""

    def store(
        url: URL, films: Iterable[Any], *, reason: str = "finished", **settings: Any
    ) -> StoreMovies:
        pipeline = storage_pipeline(url, **settings)
        asyncio.run(run_pipeline(pipeline, films, reason))
        return pipeline

    return store


# --- films, and the pipeline as a crawl builds it ----------------------------------------------


class Top250Spider(Spider):
    name = "douban_top250"


def count_rows(url: URL, table: sa.Table) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        result = connection.scalar(sa.select(sa.func.count()).select_from(table))
    engine.dispose()
    return result


def top250_films(crawled_at: str, count: int = 250, *, shift: int = 0) -> list[Movie]:
    """A Top250-like list: film i ranked i + 1. *shift* moves every subject id up, so the last
    *shift* films of one list are new entrants in the next."""
    films = []
    for rank in range(1, count + 1):
        subject_id = str(1291000 + rank + shift)
        films.append(
            Movie(
                subject_id=subject_id,
                url=canonical_subject_url(subject_id),
                source="top250",
                title=f"影片{rank + shift}",
                year=1990 + rank % 30,
                directors=[f"导演{rank % 7}"],
                genres=["剧情", "爱情"][: 1 + rank % 2],
                rating=round(9.7 - rank / 100, 1),
                votes=3_000_000 - rank * 1000,
                rank=rank,
                quote=f"第{rank}句",
                crawled_at=crawled_at,
            )
        )
    return films


def storage_pipeline(
    url: URL, spidercls: type[Spider] = Top250Spider, **settings: Any
) -> StoreMovies:
    """The pipeline, built as a crawl builds it, for *url*."""
    crawler = get_crawler(
        spidercls, {"DATABASE_URL": url.render_as_string(hide_password=False), **settings}
    )
    crawler.spider = spidercls.from_crawler(crawler)
    return StoreMovies.from_crawler(crawler)


async def run_pipeline(
    pipeline: StoreMovies, films: Iterable[Any], reason: str = "finished"
) -> None:
    """Open the pipeline, pass *films* through it and close it, as the engine does."""
    await pipeline.open_spider()
    for film in films:
        assert await pipeline.process_item(film) is film
    await pipeline.close_spider()
    await pipeline.spider_closed(reason)


# --- a database going down ----------------------------------------------------------------------


class Outage:
    """A real database refusing writes: SQLite locked by another connection; PostgreSQL not
    accepting connections to the database; MariaDB with the crawl's account locked. Each also
    drops the connections the crawl has open."""

    def __init__(self, url: URL):
        self.kind = url.get_backend_name()
        self.url = url
        self._admin_url = url
        self._blocker: sqlite3.Connection | None = None
        if self.kind == "sqlite":
            self.url = url.update_query_dict({"timeout": "0.1"})  # fail fast while locked
        elif self.kind == "mysql":
            self.url = url.set(username=f"crawler_{uuid.uuid4().hex[:8]}")
            self._admin_sql(
                f"CREATE USER '{self.url.username}'@'%'",
                f"GRANT ALL ON {url.database}.* TO '{self.url.username}'@'%'",
            )

    def begin(self) -> None:
        if self.kind == "sqlite":
            self._blocker = sqlite3.connect(self.url.database)
            self._blocker.execute("BEGIN EXCLUSIVE")
        elif self.kind == "postgresql":
            self._admin_sql(
                f"ALTER DATABASE {self.url.database} ALLOW_CONNECTIONS false",
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                f" WHERE datname = '{self.url.database}' AND pid <> pg_backend_pid()",
            )
        else:
            self._admin_sql(f"ALTER USER '{self.url.username}'@'%' ACCOUNT LOCK")
            engine = sa.create_engine(self._admin_url)
            with engine.connect() as connection:
                for (thread,) in connection.execute(
                    sa.text("SELECT id FROM information_schema.processlist WHERE user = :user"),
                    {"user": self.url.username},
                ):
                    connection.execute(sa.text(f"KILL {int(thread)}"))
            engine.dispose()

    def end(self) -> None:
        if self.kind == "sqlite":
            assert self._blocker is not None
            self._blocker.rollback()
            self._blocker.close()
        elif self.kind == "postgresql":
            self._admin_sql(f"ALTER DATABASE {self.url.database} ALLOW_CONNECTIONS true")
        else:
            self._admin_sql(f"ALTER USER '{self.url.username}'@'%' ACCOUNT UNLOCK")

    def close(self) -> None:
        if self.kind == "mysql":
            self._admin_sql(f"DROP USER '{self.url.username}'@'%'")

    def _admin_sql(self, *statements: str) -> None:
        admin_url = self._admin_url
        if self.kind == "postgresql":
            admin_url = admin_url.set(database="postgres")
        engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            for statement in statements:
                connection.execute(sa.text(statement))
        engine.dispose()


@pytest.fixture
def outage(database_url: URL) -> Iterator[Outage]:
    outage = Outage(database_url)
    yield outage
    outage.close()
