"""The four tables, in SQLAlchemy Core, portable across SQLite, PostgreSQL and MySQL/MariaDB.

``movies`` holds one row per film with every Movie field (``crawled_at`` becomes ``first_seen``
and ``last_seen``); ``observations`` holds what changes over time, one row per film per crawl;
``crawls`` records each crawl (and its timeline, for the report); ``merges`` maps each id Douban
merged into a film to that film's.
All times are naive UTC: SQLite and MySQL keep no time zone.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from moviespider.items import COLUMN_SIZES, FIELD_TYPES, MOVIE_FIELDS, REQUIRED_FIELDS

metadata = sa.MetaData()

# MySQL's DATETIME drops fractions of a second by default, and crawls started in the same second
# must still sort.
Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
# Text as long as a page gives it: MySQL's TEXT stops at 64 KB (a long summary is more), so
# LONGTEXT (4 GB) there; TEXT is unbounded on PostgreSQL and SQLite. Never indexed: MySQL cannot
# index a long text, and nothing looks films up by title.
LongText = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
# Python None is SQL NULL (not the JSON literal null), so COALESCE can tell "not seen" apart.
JsonList = sa.JSON(none_as_null=True)
# MySQL and MariaDB may default to a three-byte charset in which Chinese titles do not all fit.
TABLE_OPTIONS = {"mysql_charset": "utf8mb4", "mariadb_charset": "utf8mb4"}

crawls = sa.Table(
    "crawls",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),  # uuid4 hex
    sa.Column("spider", sa.String(64), nullable=False),
    sa.Column("started_at", Timestamp, nullable=False),
    sa.Column("finished_at", Timestamp),  # NULL while running, or if the crawl died
    sa.Column("finish_reason", sa.String(64)),  # Scrapy's: "finished", "shutdown", …
    sa.Column("items", sa.Integer),  # films stored by this crawl
    # What the HTML report draws besides the films: samples of the stats over time, blocks,
    # pages by kind and status, pages given up on, field coverage (extensions/timeline.py).
    sa.Column("timeline", sa.JSON(none_as_null=True)),
    sa.Index("ix_crawls_spider_started_at", "spider", "started_at"),
    **TABLE_OPTIONS,
)

# Movie fields that the movies table does not hold as columns of the same name.
NOT_MOVIE_COLUMNS = frozenset({"crawled_at", "merged_ids"})  # merged_ids: rows of merges
# Movie fields that change over time: observations keeps each crawl's.
OBSERVED_FIELDS = ("rank", "rating", "votes", "want_count")


def movie_column(name: str) -> sa.Column:
    """The column of Movie field *name*, from its type and size in moviespider.items."""
    kind = FIELD_TYPES[name]
    if kind is list:
        column_type = JsonList
    elif kind is int:
        column_type = sa.Integer()
    elif kind is float:
        column_type = sa.Double()
    elif name in COLUMN_SIZES:
        column_type = sa.String(COLUMN_SIZES[name])
    else:
        column_type = LongText
    primary_key = name == "subject_id"
    return sa.Column(
        name,
        column_type,
        primary_key=primary_key,
        nullable=not primary_key and name not in REQUIRED_FIELDS,
    )


movies = sa.Table(
    "movies",
    metadata,
    *(movie_column(name) for name in MOVIE_FIELDS if name not in NOT_MOVIE_COLUMNS),
    sa.Column("first_seen", Timestamp, nullable=False),
    sa.Column("last_seen", Timestamp, nullable=False),
    **TABLE_OPTIONS,
)

observations = sa.Table(
    "observations",
    metadata,
    sa.Column("crawl_id", sa.ForeignKey(crawls.c.id), primary_key=True),
    sa.Column("subject_id", sa.ForeignKey(movies.c.subject_id), primary_key=True),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("crawled_at", Timestamp, nullable=False),
    *(movie_column(name) for name in OBSERVED_FIELDS),
    sa.Index("ix_observations_subject_id", "subject_id"),
    **TABLE_OPTIONS,
)

# An old id Douban merged into another film (its page redirects there, or serves that film's
# page): a lookup of old_id finds subject_id. Not a foreign key to movies: the film kept is
# stored in the same transaction, and the old id may have a row of its own from before.
merges = sa.Table(
    "merges",
    metadata,
    sa.Column("old_id", sa.String(20), primary_key=True),
    sa.Column("subject_id", sa.String(20), nullable=False),  # the film it was merged into
    sa.Column("first_seen", Timestamp, nullable=False),
    sa.Column("last_seen", Timestamp, nullable=False),
    sa.Index("ix_merges_subject_id", "subject_id"),
    **TABLE_OPTIONS,
)

# Movie fields that the movies table does not hold as columns of the same name (merged_ids
# become rows of merges).

# Columns made wider since the first release: MovieStore.create_schema widens them in an existing
# database (a MariaDB TEXT title or summary would still refuse a long value).
WIDENED_COLUMNS = {
    movies.name: tuple(
        name
        for name in MOVIE_FIELDS
        if FIELD_TYPES[name] is str and name not in COLUMN_SIZES and name not in NOT_MOVIE_COLUMNS
    ),
}
