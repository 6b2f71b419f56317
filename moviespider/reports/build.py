"""What a report shows, gathered from the database (a stored crawl) or from the crawl itself.

Everything here blocks: the crawl calls it on a thread, `scrapy report` directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from moviespider.errors import ConfigError
from moviespider.storage.database import MovieStore, create_engine, database_url
from moviespider.storage.history import (
    ListChanges,
    Placing,
    compare,
    crawl_and_previous,
    has_history,
    list_changes,
    placings,
    recent_crawls,
)
from moviespider.storage.schema import crawls, movies, observations

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings
    from sqlalchemy.engine import Connection

RANKED_SOURCE = "top250"


@dataclass
class ReportData:
    spider: str
    crawl_id: str | None
    finish_reason: str | None
    films: list[dict[str, Any]]
    timeline: dict[str, Any] = field(default_factory=dict)
    changes: ListChanges | None = None


def save_timeline(settings: BaseSettings, crawl_id: str, timeline: dict[str, Any]) -> None:
    """Store *timeline* with crawl *crawl_id* (its row was made by the storage pipeline)."""
    url = database_url(settings)
    if url is None:
        return
    store = MovieStore.connect(url)
    try:
        with store.engine.begin() as connection:
            connection.execute(
                crawls.update().where(crawls.c.id == crawl_id).values(timeline=timeline)
            )
    finally:
        store.close()


def changes_since_previous(
    settings: BaseSettings, crawl_id: str, films: list[dict[str, Any]]
) -> ListChanges | None:
    """This crawl's Top250 against the last earlier crawl that finished and saw it."""
    url = database_url(settings)
    if url is None:
        return None
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if (pair := crawl_and_previous(connection, crawl_id, RANKED_SOURCE)) is None:
                return None
            latest, previous = pair
            before = placings(connection, previous.id, RANKED_SOURCE)
    finally:
        engine.dispose()
    after = {
        f["subject_id"]: Placing(f["subject_id"], f.get("title"), f.get("rank"), f.get("rating"))
        for f in films
        if f.get("source") == RANKED_SOURCE
    }
    return compare(previous, latest, before, after)


def load_report(settings: BaseSettings, crawl_id: str | None) -> ReportData:
    """A stored crawl (the last one when *crawl_id* is None) read back from the database;
    ConfigError when there is none."""
    url = database_url(settings)
    if url is None:
        raise ConfigError("setting DATABASE_URL: empty, so no crawl was stored")
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        raise ConfigError("no crawl is stored in the database yet")  # and none is created
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if not has_history(connection):
                raise ConfigError("no crawl is stored in the database yet")
            return read_crawl(connection, crawl_id)
    finally:
        engine.dispose()


def read_crawl(connection: Connection, crawl_id: str | None) -> ReportData:
    if crawl_id is None:
        found = recent_crawls(connection, 1)
        if not found:
            raise ConfigError("no crawl is stored in the database yet")
        crawl_id = found[0].id
    row = connection.execute(sa.select(*crawls.c).where(crawls.c.id == crawl_id)).first()
    if row is None:
        raise ConfigError(f"--crawl: no stored crawl has the id {crawl_id!r}")
    query = (
        sa.select(
            movies.c.subject_id,
            movies.c.title,
            observations.c.rating,
            movies.c.year,
            movies.c.genres,
            movies.c.countries,
            observations.c.rank,
            movies.c.release_date,
            observations.c.source,
        )
        .join(movies, movies.c.subject_id == observations.c.subject_id)
        .where(observations.c.crawl_id == crawl_id)
        .order_by(observations.c.rank, movies.c.subject_id)
    )
    films = [
        {**r._mapping, "genres": r.genres or [], "countries": r.countries or []}
        for r in connection.execute(query)
    ]
    changes = None
    if any(f["source"] == RANKED_SOURCE for f in films):
        changes = changes_up_to(connection, crawl_id)
    return ReportData(
        spider=row.spider,
        crawl_id=crawl_id,
        finish_reason=row.finish_reason,
        films=films,
        timeline=row.timeline or {},
        changes=changes,
    )


def changes_up_to(connection: Connection, crawl_id: str) -> ListChanges | None:
    """The Top250 changes between the last two complete crawls, when this crawl is the later
    of the two; the changes into this crawl from the complete one before it otherwise."""
    changes = list_changes(connection, RANKED_SOURCE)
    if changes is not None and changes.latest.id == crawl_id:
        return changes
    pair = crawl_and_previous(connection, crawl_id, RANKED_SOURCE)
    if pair is None or pair[0].finish_reason != "finished":
        return None
    latest, previous = pair
    return compare(
        previous,
        latest,
        placings(connection, previous.id, RANKED_SOURCE),
        placings(connection, latest.id, RANKED_SOURCE),
    )
