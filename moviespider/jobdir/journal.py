"""The journal of a job's unfinished requests, and what a JOBDIR says about its job."""

from __future__ import annotations

import pickle
import sqlite3
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.utils.request import request_from_dict

from moviespider.errors import ConfigError
from moviespider.files import private_dir, touch_private

if TYPE_CHECKING:
    from scrapy import Request, Spider

JOURNAL_FILE = "requests.journal"
SEEN_FILE = "requests.seen"  # RFPDupeFilter's
# Headers that carry secrets the middlewares add again on the next run: the log-in and session
# cookies (CookiesMiddleware), proxy credentials (HttpProxyMiddleware).


class RequestJournal:
    """The requests a crawl has accepted and not finished with, in an SQLite database.

    Each change is its own transaction in a write-ahead log, written through to the operating
    system (``synchronous=NORMAL``): it survives the process being killed, not necessarily a
    power cut, and the database is consistent either way.
    """

    def __init__(self, path: Path):
        self.path = path
        # SQLite gives its -wal and -shm files the database file's mode.
        touch_private(path)
        self.db = sqlite3.connect(path, isolation_level=None)  # autocommit: one change, one commit
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS requests (id INTEGER PRIMARY KEY, request BLOB NOT NULL)"
        )
        self.db.execute("CREATE TABLE IF NOT EXISTS job (key TEXT PRIMARY KEY, value TEXT)")

    def add(self, record: bytes) -> int:
        row = self.db.execute("INSERT INTO requests (request) VALUES (?)", (record,)).lastrowid
        assert row is not None
        return row

    def remove(self, rows: Collection[int]) -> None:
        self.db.execute("BEGIN")  # one transaction for the lot
        try:
            self.db.executemany("DELETE FROM requests WHERE id = ?", ((row,) for row in rows))
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def replace(self, row: int, record: bytes) -> None:
        self.db.execute("UPDATE requests SET request = ? WHERE id = ?", (record, row))

    def __iter__(self) -> Iterator[tuple[int, bytes]]:
        return iter(self.db.execute("SELECT id, request FROM requests ORDER BY id").fetchall())

    def get(self, key: str) -> str | None:
        found = self.db.execute("SELECT value FROM job WHERE key = ?", (key,)).fetchone()
        return found[0] if found else None

    def set(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO job (key, value) VALUES (?, ?)", (key, value))

    def close(self) -> None:
        self.db.close()


def job_value(jobdir: Path, key: str, default: str) -> str:
    """The job's *key* (kept in the journal), set to *default* on its first run."""
    private_dir(jobdir)
    journal = RequestJournal(jobdir / JOURNAL_FILE)
    try:
        value = journal.get(key)
        if value is None:
            journal.set(key, default)
            value = default
        return value
    finally:
        journal.close()


def check_job(journal: RequestJournal, spider: Spider) -> None:
    job_spider = journal.get("spider")
    if job_spider not in (None, spider.name):
        raise ConfigError(
            f"setting JOBDIR: {journal.path.parent} is a job of spider {job_spider}; "
            f"give {spider.name} a JOBDIR of its own"
        )


def load_request(record: bytes, spider: Spider, journal: RequestJournal) -> Request:
    try:
        return request_from_dict(pickle.loads(record), spider=spider)
    except (ValueError, AttributeError, pickle.UnpicklingError) as error:
        raise ConfigError(
            f"setting JOBDIR: {journal.path.parent} holds a request this spider cannot take "
            f"back ({error}); was its code changed? Start a new JOBDIR"
        ) from None


def job_started(jobdir: Path) -> bool:
    """Whether an earlier run of this job left anything to resume."""
    seen = jobdir / SEEN_FILE
    return (jobdir / JOURNAL_FILE).exists() or (seen.exists() and seen.stat().st_size > 0)
