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

metadata = sa.MetaData()

# MySQL's DATETIME drops fractions of a second by default, and crawls started in the same second
# must still sort.
Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
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

movies = sa.Table(
    "movies",
    metadata,
    sa.Column("subject_id", sa.String(20), primary_key=True),
    sa.Column("url", sa.String(255), nullable=False),
    sa.Column("source", sa.String(16), nullable=False),  # the list it was last seen in
    sa.Column("title", sa.Text),
    sa.Column("original_title", sa.Text),
    sa.Column("aliases", JsonList),
    sa.Column("year", sa.Integer),
    sa.Column("kind", sa.String(8)),
    sa.Column("directors", JsonList),
    sa.Column("writers", JsonList),
    sa.Column("actors", JsonList),
    sa.Column("genres", JsonList),
    sa.Column("countries", JsonList),
    sa.Column("languages", JsonList),
    sa.Column("release_date", sa.String(10)),
    sa.Column("release_dates", JsonList),
    sa.Column("runtime_minutes", sa.Integer),
    sa.Column("episodes", sa.Integer),
    sa.Column("imdb_id", sa.String(16)),
    sa.Column("rating", sa.Double),
    sa.Column("votes", sa.Integer),
    sa.Column("rank", sa.Integer),
    sa.Column("quote", sa.Text),
    sa.Column("want_count", sa.Integer),
    sa.Column("city", sa.String(64)),
    sa.Column("summary", sa.Text),
    sa.Column("poster_url", sa.String(512)),
    sa.Column("poster_path", sa.String(255)),  # under IMAGES_STORE, with DOWNLOAD_POSTERS
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
    sa.Column("rank", sa.Integer),
    sa.Column("rating", sa.Double),
    sa.Column("votes", sa.Integer),
    sa.Column("want_count", sa.Integer),
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
NOT_MOVIE_COLUMNS = frozenset({"crawled_at", "merged_ids"})
OBSERVED_FIELDS = ("rank", "rating", "votes", "want_count")
