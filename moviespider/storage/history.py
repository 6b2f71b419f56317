"""What the stored crawls saw over time: read-only queries behind `scrapy history`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa

from moviespider.storage.schema import crawls, merges, movies, observations

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.engine import Connection


# The timeline is the report's (moviespider.reports), read by itself: it can be large.
CRAWL_COLUMNS = tuple(column for column in crawls.c if column.name != "timeline")


@dataclass(frozen=True)
class Crawl:
    id: str
    spider: str
    started_at: datetime
    finished_at: datetime | None
    finish_reason: str | None
    items: int | None


@dataclass(frozen=True)
class Placing:
    """A film as one crawl of a ranked list saw it."""

    subject_id: str
    title: str | None
    rank: int | None
    rating: float | None


@dataclass(frozen=True)
class Change:
    before: Placing
    after: Placing


@dataclass(frozen=True)
class ListChanges:
    """How a ranked list changed from one crawl to the next."""

    previous: Crawl
    latest: Crawl
    changed: list[Change]  # rank or rating differ; by the latest rank
    entered: list[Placing]  # in the latest crawl only; by rank
    left: list[Placing]  # in the previous crawl only; by the rank it had


@dataclass(frozen=True)
class Sighting:
    """One observation of a film, with the crawl that made it."""

    crawl: Crawl
    source: str
    rank: int | None
    rating: float | None
    votes: int | None
    want_count: int | None


def has_history(connection: Connection) -> bool:
    """Whether any crawl was stored in this database (the tables exist)."""
    return sa.inspect(connection).has_table(crawls.name)


def recent_crawls(connection: Connection, limit: int) -> list[Crawl]:
    """The last *limit* crawls, newest first."""
    query = sa.select(*CRAWL_COLUMNS).order_by(crawls.c.started_at.desc()).limit(limit)
    return [Crawl(**row._mapping) for row in connection.execute(query)]


def finished_with(source: str) -> sa.ColumnElement[bool]:
    """Crawls that finished normally and stored films from *source*: an interrupted crawl saw
    part of the list, so comparing with it would be wrong."""
    saw_source = (
        sa.select(observations.c.crawl_id)
        .where(observations.c.crawl_id == crawls.c.id, observations.c.source == source)
        .exists()
    )
    return sa.and_(crawls.c.finish_reason == "finished", saw_source)


def last_two_crawls_of(connection: Connection, source: str) -> list[Crawl]:
    """The last two crawls that finished normally and stored films from *source*; newest
    first."""
    query = (
        sa.select(*CRAWL_COLUMNS)
        .where(finished_with(source))
        .order_by(crawls.c.started_at.desc())
        .limit(2)
    )
    return [Crawl(**row._mapping) for row in connection.execute(query)]


def crawl_and_previous(
    connection: Connection, crawl_id: str, source: str
) -> tuple[Crawl, Crawl] | None:
    """Crawl *crawl_id* (finished or not) and the last crawl before it that finished normally
    and stored films from *source*; None if either is missing."""
    this = connection.execute(sa.select(*CRAWL_COLUMNS).where(crawls.c.id == crawl_id)).first()
    if this is None:
        return None
    query = (
        sa.select(*CRAWL_COLUMNS)
        .where(
            finished_with(source),
            crawls.c.id != crawl_id,
            crawls.c.started_at <= this.started_at,
        )
        .order_by(crawls.c.started_at.desc())
        .limit(1)
    )
    previous = connection.execute(query).first()
    if previous is None:
        return None
    return Crawl(**this._mapping), Crawl(**previous._mapping)


def placings(connection: Connection, crawl_id: str, source: str) -> dict[str, Placing]:
    query = (
        sa.select(
            observations.c.subject_id, movies.c.title, observations.c.rank, observations.c.rating
        )
        .join(movies, movies.c.subject_id == observations.c.subject_id)
        .where(observations.c.crawl_id == crawl_id, observations.c.source == source)
    )
    return {row.subject_id: Placing(**row._mapping) for row in connection.execute(query)}


def list_changes(connection: Connection, source: str = "top250") -> ListChanges | None:
    """How the *source* list changed between its last two finished crawls; None if fewer than
    two are stored."""
    found = last_two_crawls_of(connection, source)
    if len(found) < 2:
        return None
    latest, previous = found
    after = placings(connection, latest.id, source)
    before = placings(connection, previous.id, source)
    return compare(previous, latest, before, after)


def compare(
    previous: Crawl, latest: Crawl, before: dict[str, Placing], after: dict[str, Placing]
) -> ListChanges:
    """What changed from the placings *before* (crawl *previous*) to *after* (*latest*)."""
    return ListChanges(
        previous=previous,
        latest=latest,
        changed=sorted(
            (
                Change(before[subject_id], placing)
                for subject_id, placing in after.items()
                if subject_id in before
                and (before[subject_id].rank, before[subject_id].rating)
                != (placing.rank, placing.rating)
            ),
            key=lambda change: _by_rank(change.after),
        ),
        entered=sorted(
            (placing for subject_id, placing in after.items() if subject_id not in before),
            key=_by_rank,
        ),
        left=sorted(
            (placing for subject_id, placing in before.items() if subject_id not in after),
            key=_by_rank,
        ),
    )


MAX_MERGE_HOPS = 10  # an old id merged into a film later merged again; bounded against cycles


def merged_into(connection: Connection, subject_id: str) -> str | None:
    """The film an id now is, following merges (A merged into B merged into C: C); None when
    the id was never merged into another."""
    if not sa.inspect(connection).has_table(merges.name):  # a database older than merges
        return None
    found = None
    for _ in range(MAX_MERGE_HOPS):
        target = connection.scalar(
            sa.select(merges.c.subject_id).where(merges.c.old_id == (found or subject_id))
        )
        if target is None or target in (subject_id, found):
            break
        found = target
    return found


def film_history(connection: Connection, subject_id: str) -> tuple[str | None, list[Sighting]]:
    """A film's title and every observation of it, oldest first."""
    title = connection.scalar(sa.select(movies.c.title).where(movies.c.subject_id == subject_id))
    query = (
        sa.select(
            *CRAWL_COLUMNS,
            observations.c.source,
            observations.c.rank,
            observations.c.rating,
            observations.c.votes,
            observations.c.want_count,
        )
        .join(crawls, crawls.c.id == observations.c.crawl_id)
        .where(observations.c.subject_id == subject_id)
        .order_by(observations.c.crawled_at)
    )
    sightings = []
    for row in connection.execute(query):
        values = dict(row._mapping)
        crawl = Crawl(**{column.name: values.pop(column.name) for column in CRAWL_COLUMNS})
        sightings.append(Sighting(crawl=crawl, **values))
    return title, sightings


def _by_rank(placing: Placing) -> tuple[bool, int, str]:
    return (placing.rank is None, placing.rank or 0, placing.subject_id)
