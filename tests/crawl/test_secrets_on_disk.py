"""Nothing secret reaches the disk: a crawl killed and resumed with every kind of secret planted.

The database URL's password, proxy credentials (the sandbox also serves as the proxy: it
answers absolute-URI requests), log-in cookies and the Scrapyd password come from the
environment; the crawl logs at DEBUG, is killed with SIGKILL midway (the journal's WAL then holds
what it held) and resumed. Every file under tmp_path, and a dump of the database, is searched.
"""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from douban_sandbox import SandboxProcess
from moviespider.storage.schema import metadata
from tests.helpers.crawl import ROOT
from tests.helpers.storage import ServerDatabase, database_for

pytestmark = pytest.mark.crawl

TOP = 100
PROXY_USER, PROXY_PASSWORD = "proxyuser", f"proxy-pw-{uuid.uuid4().hex[:10]}"
LOGIN = f"login-{uuid.uuid4().hex[:10]}"
CK = f"ck{uuid.uuid4().hex[:8]}"
SCRAPYD_PASSWORD = f"scrapyd-{uuid.uuid4().hex[:10]}"
DATABASE_PASSWORD = f"db-pw-{uuid.uuid4().hex[:10]}"


def feed_lines(feed: Path) -> int:
    return len(feed.read_bytes().splitlines()) if feed.exists() else 0


@pytest.fixture
def role_url(server_databases, tmp_path, monkeypatch):
    """The test's PostgreSQL database, reached as a role with a password."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    url = database_for("postgresql", server_databases, tmp_path)
    database = server_databases["postgresql"]
    assert isinstance(database, ServerDatabase)
    role = f"crawler_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(
        database.admin_url.set(database=url.database), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE ROLE {role} LOGIN PASSWORD '{DATABASE_PASSWORD}'"))
        connection.execute(sa.text(f"GRANT ALL ON DATABASE {url.database} TO {role}"))
        connection.execute(sa.text(f"GRANT ALL ON SCHEMA public TO {role}"))
    yield url.set(username=role, password=DATABASE_PASSWORD)
    with admin.connect() as connection:
        connection.execute(sa.text(f"DROP OWNED BY {role}"))
        connection.execute(sa.text(f"DROP ROLE {role}"))
    admin.dispose()


def dump(url) -> bytes:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = [
            repr(tuple(row)).encode()
            for table in metadata.sorted_tables
            for row in connection.execute(table.select())
        ]
    engine.dispose()
    return b"\n".join(rows)


def test_no_secret_in_any_file_a_killed_and_resumed_crawl_wrote(role_url, tmp_path):
    feed, jobdir = tmp_path / "films.jsonl", tmp_path / "job"
    with SandboxProcess(
        args=["--catalog", "300", "--seed", "7", "--latency", "0.2", "--fail-rate", "0.15"]
    ) as site:
        host = site.url.split("://", 1)[1].rstrip("/")
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "SCRAPY_SETTINGS_MODULE": "moviespider.settings",
            "DATABASE_URL": role_url.render_as_string(hide_password=False),
            "PROXY_LIST": f"http://{PROXY_USER}:{PROXY_PASSWORD}@{host}",
            "DOUBAN_COOKIES": f'dbcl2="12345:{LOGIN}"; ck={CK}',
            "SCRAPYD_USERNAME": "deployer",
            "SCRAPYD_PASSWORD": SCRAPYD_PASSWORD,
        }
        command = [sys.executable, "-m", "scrapy", "crawl", "douban_top250", "-a", "details=1"]
        command += ["-o", str(feed), "--logfile", str(tmp_path / "crawl.log")]
        for setting in (
            f"JOBDIR={jobdir}",
            f"DOUBAN_BASE_URL={site.url}",
            f"DOUBAN_TOP250_SIZE={TOP}",
            "DOUBAN_PROFILE=fast",
            "CONCURRENT_REQUESTS=8",
            "LOG_LEVEL=DEBUG",
            "DATABASE_BATCH_SIZE=20",
        ):
            command += ["-s", setting]
        with (tmp_path / "first.stderr").open("w") as stderr:
            crawl = subprocess.Popen(command, cwd=tmp_path, env=env, stderr=stderr)
        try:
            deadline = time.monotonic() + 180
            while feed_lines(feed) < TOP // 2:
                assert crawl.poll() is None, (tmp_path / "crawl.log").read_text()
                assert time.monotonic() < deadline
                time.sleep(0.02)
            crawl.send_signal(signal.SIGKILL)
            crawl.wait()
            # What the kill left, the WAL included, before the resumed run checkpoints it.
            killed = {p: p.read_bytes() for p in jobdir.iterdir()}
        finally:
            if crawl.poll() is None:
                crawl.kill()
                crawl.wait()
        with (tmp_path / "second.stderr").open("w") as stderr:
            command[command.index(str(tmp_path / "crawl.log"))] = str(tmp_path / "resumed.log")
            done = subprocess.run(command, cwd=tmp_path, env=env, stderr=stderr, timeout=300)
        assert done.returncode == 0, (tmp_path / "resumed.log").read_text()
    log = (tmp_path / "crawl.log").read_text() + (tmp_path / "resumed.log").read_text()
    assert "Proxy" in log or "proxy" in log  # the proxy was used...
    assert "Retrying" in log  # ...and retries (copies of sent requests) were journaled
    written = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert jobdir / "requests.journal" in killed
    sources = {**{Path(f"killed:{p}"): data for p, data in killed.items()}, **written}
    sources[Path("database dump")] = dump(role_url)
    basic = base64.b64encode(f"{PROXY_USER}:{PROXY_PASSWORD}".encode())
    secrets = [PROXY_PASSWORD.encode(), basic, LOGIN.encode(), CK.encode()]
    secrets += [SCRAPYD_PASSWORD.encode(), DATABASE_PASSWORD.encode()]
    leaks = [(str(p), s) for p, data in sources.items() for s in secrets if s in data]
    assert leaks == []
    # Scrapy's own spider.state is inside the 0700 JOBDIR.
    failed_list = (
        [tmp_path / "films.failed.tsv"] if (tmp_path / "films.failed.tsv").exists() else []
    )
    for path in (feed, *failed_list, *jobdir.glob("requests.*")):
        assert path.stat().st_mode & 0o777 == 0o600, path
    assert jobdir.stat().st_mode & 0o777 == 0o700
