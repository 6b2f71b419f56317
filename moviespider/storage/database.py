"""Connecting to the database and writing films to it.

Everything here blocks: the pipeline calls it on its own writer thread, never on the reactor's.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import URL
from sqlalchemy.exc import (
    DBAPIError,
    InterfaceError,
    NoSuchModuleError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from moviespider.config import database_url
from moviespider.errors import ConfigError
from moviespider.items import LIST_FIELDS
from moviespider.storage.schema import (
    OBSERVED_FIELDS,
    WIDENED_COLUMNS,
    crawls,
    merges,
    metadata,
    movies,
    observations,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from scrapy.settings import BaseSettings
    from sqlalchemy.engine import Connection, Engine

logger = logging.getLogger(__name__)

# libpq waits for an unreachable host as long as TCP does (minutes); PyMySQL gives up after 10 s.
POSTGRESQL_CONNECT_TIMEOUT = 10

MOVIE_COLUMNS: tuple[str, ...] = tuple(
    column.name for column in movies.columns if column.name not in ("first_seen", "last_seen")
)


def check_database(settings: BaseSettings) -> None:
    """Connect to the configured database (creating missing tables), or raise ConfigError."""
    if (url := database_url(settings)) is not None:
        MovieStore.connect(url).close()


def safe_url(url: URL) -> str:
    """The URL as it may be shown: the password, if any, masked."""
    return url.render_as_string(hide_password=True)


def error_reason(error: BaseException) -> str:
    """A one-line reason for a database error: the driver's message, without SQLAlchemy's
    statement dump and documentation link."""
    original = getattr(error, "orig", None) or error
    return " ".join(line.strip() for line in str(original).splitlines() if line.strip())


def is_outage(error: BaseException) -> bool:
    """Whether *error* says the database is unavailable (down, unreachable, locked, restarted),
    so that the same write may succeed later, rather than that the data is wrong."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, (OperationalError, InterfaceError, PoolTimeoutError))


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def parse_crawled_at(value: str | None) -> datetime:
    """An item's ISO-8601 ``crawled_at`` as naive UTC (now when the item has none)."""
    if not value:
        return utc_now()
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def create_engine(url: URL) -> Engine:
    """An engine for *url*, or ConfigError naming what is wrong (never the password)."""
    connect_args: dict[str, Any] = {}
    if url.get_backend_name() == "postgresql" and "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = POSTGRESQL_CONNECT_TIMEOUT
    try:
        engine = sa.create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    except (NoSuchModuleError, ImportError) as error:
        raise ConfigError(
            f"setting DATABASE_URL: no driver for {url.drivername!r} ({error}); "
            "moviespider supports sqlite://, postgresql+psycopg:// and mysql+pymysql://"
        ) from None
    if engine.dialect.name not in UPSERTS:
        raise ConfigError(
            f"setting DATABASE_URL: {engine.dialect.name} is not supported; "
            "moviespider supports SQLite, PostgreSQL and MySQL/MariaDB"
        )
    return engine


class MovieStore:
    """The films of crawls, written to one database. Blocking: use it from one thread."""

    def __init__(self, engine: Engine):
        self.engine = engine
        upsert = UPSERTS[engine.dialect.name]
        # Built and compiled once, not per batch: that cost as much CPU as the writes themselves
        # (docs/performance.md, "Storage").
        self._movies = CompiledUpsert(upsert(movies, ("subject_id",), merge_movie), engine)
        self._observations = CompiledUpsert(
            upsert(observations, ("crawl_id", "subject_id"), replace_observation), engine
        )
        self._merges = CompiledUpsert(upsert(merges, ("old_id",), replace_merge), engine)

    @classmethod
    def connect(cls, url: URL) -> MovieStore:
        """Connect, create missing tables and columns; ConfigError if the database cannot be
        used."""
        store = cls(create_engine(url))
        try:
            with store.engine.connect():
                pass
        except SQLAlchemyError as error:
            store.close()
            raise ConfigError(
                f"setting DATABASE_URL: cannot connect to {safe_url(url)}: {error_reason(error)}"
            ) from None
        try:
            store.create_schema()
        except SQLAlchemyError as error:
            store.close()
            raise ConfigError(
                f"setting DATABASE_URL: cannot create the tables in {safe_url(url)}: "
                f"{error_reason(error)}"
            ) from None
        return store

    def create_schema(self) -> None:
        """Create the tables if missing, add columns a newer moviespider has introduced, and
        widen the text columns an older one made too narrow.

        Every column added after the first release is nullable, so adding it is all the
        migration there is; widening a column keeps every value (see docs/storage.md,
        "Upgrading").
        """
        # Crawls started together (Scrapyd jobs, cron) race to create the same tables, indexes
        # and columns, so one may fail on what another has just made. Try again while each
        # failure leaves more of the schema in place (at most once per part of it); an error
        # that changed nothing (no permission, a lock held) is the database's answer.
        while True:
            before = self._schema_in_place()
            try:
                self._create_missing_schema()
                return
            except SQLAlchemyError:
                if self._schema_in_place() <= before:
                    raise

    def _schema_in_place(self) -> int:
        """How many of the schema's tables, indexes and columns the database has."""
        inspector = sa.inspect(self.engine)
        tables = set(inspector.get_table_names())
        in_place = 0
        for table in metadata.sorted_tables:
            if table.name in tables:
                columns = {column["name"] for column in inspector.get_columns(table.name)}
                indexes = {index["name"] for index in inspector.get_indexes(table.name)}
                in_place += 1 + len(columns & set(table.columns.keys()))
                in_place += len(indexes & {index.name for index in table.indexes})
        return in_place

    def _create_missing_schema(self) -> None:
        metadata.create_all(self.engine)
        inspector = sa.inspect(self.engine)
        with self.engine.begin() as connection:
            for table in metadata.sorted_tables:
                present = {column["name"] for column in inspector.get_columns(table.name)}
                for column in table.columns:
                    if column.name not in present:
                        self._add_column(connection, column)
            self._widen_columns(connection, inspector)

    def _widen_columns(self, connection: Connection, inspector: sa.Inspector) -> None:
        """Give a text column made narrower by an older release (MySQL TEXT, VARCHAR) its
        current type. SQLite does not enforce text lengths: nothing to do there."""
        dialect = self.engine.dialect
        if dialect.name == "sqlite":
            return
        preparer = dialect.identifier_preparer
        for table_name, names in WIDENED_COLUMNS.items():
            table = metadata.tables[table_name]
            present = {
                column["name"]: column["type"].compile(dialect=dialect)
                for column in inspector.get_columns(table_name)
            }
            for name in names:
                column = table.c[name]
                wanted = column.type.compile(dialect=dialect)
                if present.get(name, wanted) == wanted:
                    continue
                target = f"{preparer.format_table(table)}"
                if dialect.name == "postgresql":
                    change = f"ALTER COLUMN {preparer.format_column(column)} TYPE {wanted}"
                else:  # MySQL, MariaDB: MODIFY restates the whole column
                    change = f"MODIFY COLUMN {preparer.format_column(column)} {wanted}"
                    change += " CHARACTER SET utf8mb4"
                connection.execute(sa.text(f"ALTER TABLE {target} {change}"))
                logger.info(
                    "Widened column %s.%s from %s to %s", table_name, name, present[name], wanted
                )

    def _add_column(self, connection: Connection, column: sa.Column[Any]) -> None:
        assert column.nullable, f"{column} added after release must be nullable"
        preparer = self.engine.dialect.identifier_preparer
        column_type = column.type.compile(dialect=self.engine.dialect)
        connection.execute(
            sa.text(
                f"ALTER TABLE {preparer.format_table(column.table)} "
                f"ADD COLUMN {preparer.format_column(column)} {column_type}"
            )
        )
        logger.info("Added column %s.%s to the database", column.table.name, column.name)

    def start_crawl(self, crawl_id: str, spider: str, started_at: datetime) -> bool:
        """Record the start of a crawl; for a crawl already recorded (a job resumed from its
        JOBDIR) mark it unfinished again and return True."""
        with self.engine.begin() as connection:
            resumed = connection.execute(
                crawls.update()
                .where(crawls.c.id == crawl_id)
                .values(finished_at=None, finish_reason=None)
            ).rowcount
            if not resumed:
                connection.execute(
                    crawls.insert().values(id=crawl_id, spider=spider, started_at=started_at)
                )
        return bool(resumed)

    def finish_crawl(self, crawl_id: str, finished_at: datetime, reason: str) -> None:
        """Record how the crawl (its last run) ended, and the films it stored over all its
        runs."""
        items = (
            sa.select(sa.func.count())
            .select_from(observations)
            .where(observations.c.crawl_id == crawl_id)
            .scalar_subquery()
        )
        with self.engine.begin() as connection:
            connection.execute(
                crawls.update()
                .where(crawls.c.id == crawl_id)
                .values(finished_at=finished_at, finish_reason=reason, items=items)
            )

    def store(self, crawl_id: str, films: Iterable[Mapping[str, Any]]) -> int:
        """Upsert *films* (Movie fields as a mapping) into movies and observations in one
        transaction; return how many distinct films that was.

        Storing the same films for the same crawl again changes nothing, so a batch whose
        commit was lost on the way back can be retried.
        """
        movie_rows: dict[str, dict[str, Any]] = {}
        observation_rows: dict[str, dict[str, Any]] = {}
        merge_rows: dict[str, dict[str, Any]] = {}
        for film in films:
            seen = parse_crawled_at(film.get("crawled_at"))
            row = movie_row(film, seen)
            subject_id = row["subject_id"]
            if subject_id in movie_rows:  # seen twice in one batch: merge, newest value wins
                earlier = movie_rows[subject_id]
                row = {
                    name: earlier[name] if value is None else value for name, value in row.items()
                }
                row["first_seen"] = min(earlier["first_seen"], seen)
            movie_rows[subject_id] = row
            observation_rows[subject_id] = {
                "crawl_id": crawl_id,
                "subject_id": subject_id,
                "source": film["source"],
                "crawled_at": seen,
                **{name: film.get(name) for name in OBSERVED_FIELDS},
            }
            for old_id in film.get("merged_ids") or ():
                merge_rows[old_id] = {
                    "old_id": old_id,
                    "subject_id": subject_id,
                    "first_seen": seen,
                    "last_seen": seen,
                }
        if not movie_rows:
            return 0
        with self.engine.begin() as connection:
            self._movies.execute(connection, movie_rows.values())
            self._observations.execute(connection, observation_rows.values())
            if merge_rows:
                self._merges.execute(connection, merge_rows.values())
        return len(movie_rows)

    def close(self) -> None:
        self.engine.dispose()


class CompiledUpsert:
    """An upsert compiled once for the engine's dialect, run with the driver's ``executemany``.

    SQLAlchemy's own ``execute(statement, rows)`` looks the statement up in its compiled cache
    and converts every row through its generic parameter machinery; this converts each row with
    the same per-column bind processors (JSON, dates) into the driver's parameter form, and
    nothing else.
    """

    def __init__(self, statement: Any, engine: Engine):
        dialect = engine.dialect
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        names = list(compiled.positiontup or ()) if compiled.positional else list(compiled.binds)
        self.columns = [compiled.binds[name].key for name in names]
        self.positional = compiled.positional
        self.names = names
        self.processors = [
            compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in names
        ]

    def parameters(self, row: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        values = [
            row[column] if process is None else process(row[column])
            for column, process in zip(self.columns, self.processors, strict=True)
        ]
        return tuple(values) if self.positional else dict(zip(self.names, values, strict=True))

    def execute(self, connection: Connection, rows: Iterable[Mapping[str, Any]]) -> None:
        connection.exec_driver_sql(self.sql, [self.parameters(row) for row in rows])


def movie_row(film: Mapping[str, Any], seen: datetime) -> dict[str, Any]:
    """The movies row for one film. Empty lists are stored as NULL: "not on the page"."""
    row = {
        name: (film.get(name) or None) if name in LIST_FIELDS else film.get(name)
        for name in MOVIE_COLUMNS
    }
    row["first_seen"] = row["last_seen"] = seen
    return row


# --- upserts ------------------------------------------------------------------------------------
# Each takes the table and the proposed row (`new`: EXCLUDED in SQLite and PostgreSQL, VALUES() in
# MySQL) and says what the existing row's columns become.


def merge_movie(table: sa.Table, new: Any) -> dict[str, Any]:
    """A field this crawl did not see keeps the value an earlier crawl saw; first_seen stays."""
    values: dict[str, Any] = {
        name: sa.func.coalesce(new[name], table.c[name])
        for name in MOVIE_COLUMNS
        if name != "subject_id"
    }
    # Batches retried after an outage may arrive after newer ones.
    values["last_seen"] = sa.case(
        (new.last_seen > table.c.last_seen, new.last_seen), else_=table.c.last_seen
    )
    return values


def replace_merge(table: sa.Table, new: Any) -> dict[str, Any]:
    """An old id points at the film it was last seen merged into; first_seen stays."""
    return {"subject_id": new.subject_id, "last_seen": new.last_seen}


def replace_observation(table: sa.Table, new: Any) -> dict[str, Any]:
    return {column.name: new[column.name] for column in table.columns if not column.primary_key}


def _upsert_on_conflict(insert: Callable[[sa.Table], Any]) -> Callable[..., Any]:
    def upsert(
        table: sa.Table, keys: tuple[str, ...], rule: Callable[[sa.Table, Any], dict[str, Any]]
    ) -> Any:
        statement = insert(table)
        return statement.on_conflict_do_update(
            index_elements=list(keys), set_=rule(table, statement.excluded)
        )

    return upsert


def _upsert_on_duplicate_key(
    table: sa.Table, keys: tuple[str, ...], rule: Callable[[sa.Table, Any], dict[str, Any]]
) -> Any:
    statement = mysql.insert(table)
    return statement.on_duplicate_key_update(rule(table, statement.inserted))


UPSERTS: dict[str, Callable[..., Any]] = {
    "sqlite": _upsert_on_conflict(sqlite.insert),
    "postgresql": _upsert_on_conflict(postgresql.insert),
    "mysql": _upsert_on_duplicate_key,
    "mariadb": _upsert_on_duplicate_key,
}
