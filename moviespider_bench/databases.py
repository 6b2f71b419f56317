"""The server databases the storage scenario writes into: a database of the benchmark's own on
the PostgreSQL and MariaDB servers named by MOVIESPIDER_BENCH_POSTGRESQL_URL and
MOVIESPIDER_BENCH_MYSQL_URL (defaults: the local servers, user postgres / root, no password)."""

from __future__ import annotations

import os

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

DATABASE_NAME = "moviespider_bench"
SERVER_URLS = {
    "postgresql": ("MOVIESPIDER_BENCH_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1/"),
    "mariadb": ("MOVIESPIDER_BENCH_MYSQL_URL", "mysql+pymysql://root@127.0.0.1/"),
}
CLIENT_KINDS = {"moviespider_postgresql": "postgresql", "moviespider_mariadb": "mariadb"}


def server_url(kind: str) -> URL:
    variable, default = SERVER_URLS[kind]
    return make_url(os.environ.get(variable) or default)


def bench_database_url(kind: str) -> str:
    # The password, if any, is in the environment the client inherits, not on its command line.
    return server_url(kind).set(database=DATABASE_NAME).render_as_string(hide_password=False)


def reset_database(kind: str) -> None:
    """Create the benchmark's database if missing and drop its tables: every run starts empty,
    as the SQLite client's new file does. Raises SQLAlchemyError if the server is unreachable."""
    admin = server_url(kind)
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            if kind == "postgresql":
                exists = connection.scalar(
                    sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                    {"name": DATABASE_NAME},
                )
                if not exists:
                    connection.execute(sa.text(f'CREATE DATABASE "{DATABASE_NAME}"'))
            else:
                connection.execute(sa.text(f"CREATE DATABASE IF NOT EXISTS `{DATABASE_NAME}`"))
    finally:
        engine.dispose()
    from moviespider.storage.schema import metadata

    engine = sa.create_engine(server_url(kind).set(database=DATABASE_NAME))
    try:
        metadata.drop_all(engine)
    finally:
        engine.dispose()
