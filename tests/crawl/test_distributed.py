"""Distributed crawls: workers sharing one Redis frontier, killed, restarted, Redis gone away."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa
from redis import Redis

from douban_sandbox import SandboxProcess
from douban_sandbox.catalog import build_catalog
from moviespider.frontier.store import Frontier
from moviespider.storage.schema import movies
from tests.helpers.crawl import ROOT, project_env, read_feed, run_crawl
from tests.helpers.docs import documented_commands

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

pytestmark = pytest.mark.crawl

REDIS = "redis://127.0.0.1:6379/15"
SIZE, SEED = 150, 21
CATALOG = build_catalog(SIZE, seed=SEED)
ALL_FILMS = {CATALOG.by_rank(rank).subject_id for rank in range(1, SIZE + 1)}
CONCURRENCY = 4
LEASE = 4  # seconds


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxProcess]:
    # Slow enough that a worker is killed with requests in flight.
    with SandboxProcess(
        args=["--catalog", str(SIZE), "--seed", str(SEED), "--latency", "0.2"]
    ) as s:
        yield s


@pytest.fixture
def crawl_name() -> Iterator[str]:
    name = f"test-{uuid.uuid4().hex[:10]}"
    yield name
    Frontier(Redis.from_url(REDIS), name).clear()


class Worker:
    """One `scrapy crawl douban_catalog` worker of the distributed crawl."""

    def __init__(self, tmp_path: Path, name: str, crawl: str, sandbox_url: str, redis: str = REDIS,
                 database_url: str = "", settings: dict[str, object] | None = None):  # fmt: skip
        self.feed = tmp_path / f"{name}.jsonl"
        self.log = tmp_path / f"{name}.log"
        command = [
            sys.executable, "-m", "scrapy", "crawl", "douban_catalog",
            "-a", "seeds=none", "-a", f"ids={CATALOG.by_rank(1).subject_id}", "-a", "max_films=0",
            "-o", str(self.feed),
            "-s", f"DOUBAN_BASE_URL={sandbox_url}",
            "-s", f"DISTRIBUTED={redis}", "-s", f"DISTRIBUTED_CRAWL={crawl}",
            "-s", f"DISTRIBUTED_LEASE={LEASE}",
            "-s", f"CONCURRENT_REQUESTS={CONCURRENCY}",
            "-s", "DATABASE_FLUSH_INTERVAL=0.5",
            "-s", "LOG_LEVEL=INFO",
            *(arg for name, value in (settings or {}).items() for arg in ("-s", f"{name}={value}")),
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            cwd=tmp_path,
            env={
                **os.environ,
                "PYTHONPATH": str(ROOT),
                "SCRAPY_SETTINGS_MODULE": "moviespider.settings",
                "DATABASE_URL": database_url,
            },
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("w"),
        )

    def items(self) -> list[dict]:
        return read_feed(self.feed)

    def wait_for_items(self, count: int, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while len(self.items()) < count:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the worker made no progress"
            time.sleep(0.2)

    def wait(self, timeout: float = 300) -> int:
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)


def leases_of(frontier: Frontier, worker: Worker) -> int:
    """The leases a worker holds in the frontier (its id holds its pid)."""
    leased = frontier.status().leased
    return sum(n for name, n in leased.items() if f"-{worker.process.pid}-" in name)


def feed_ids(*workers: Worker) -> list[str]:
    return [item["subject_id"] for worker in workers for item in worker.items()]


def stored_ids(url: URL) -> set[str]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        found = set(connection.scalars(sa.select(movies.c.subject_id)))
    engine.dispose()
    return found


def test_two_workers_share_the_catalog_each_film_once(tmp_path, sandbox, crawl_name):
    workers = [Worker(tmp_path, f"w{n}", crawl_name, sandbox.url) for n in (1, 2)]
    assert [worker.wait() for worker in workers] == [0, 0]
    ids = feed_ids(*workers)
    assert sorted(ids) == sorted(ALL_FILMS)  # every film, none twice
    assert all(worker.items() for worker in workers)  # both took a share
    status = Frontier(Redis.from_url(REDIS), crawl_name).status()
    assert status.queued == 0 and status.leased == {} and status.done >= SIZE


def test_a_killed_worker_loses_nothing_in_the_feeds_or_the_database(
    tmp_path, sandbox, crawl_name, postgresql_url
):
    url = postgresql_url.render_as_string(hide_password=False)
    survivor = Worker(tmp_path, "survivor", crawl_name, sandbox.url, database_url=url)
    victim = Worker(tmp_path, "victim", crawl_name, sandbox.url, database_url=url)
    victim.wait_for_items(10)
    frontier = Frontier(Redis.from_url(REDIS), crawl_name)
    requeued_before = frontier.status().requeued
    victim.kill()
    killed_at = time.monotonic()
    # Its leases stay in Redis until they expire: those it held when it died (requests under
    # way, and done ones whose items were not yet durable).
    held = leases_of(frontier, victim)
    assert held, "the victim held no lease when killed"
    # The survivor requeues the victim's requests within lease + lease/3 (its reaper's period)
    # + 5 s (docs/distributed.md).
    while frontier.status().requeued == requeued_before:
        assert time.monotonic() - killed_at <= LEASE + LEASE / 3 + 5, "not requeued in time"
        time.sleep(0.1)
    restarted = Worker(tmp_path, "restarted", crawl_name, sandbox.url, database_url=url)
    assert survivor.wait() == 0 and restarted.wait() == 0
    ids = feed_ids(survivor, victim, restarted)
    assert set(ids) == ALL_FILMS  # nothing missing in the feeds
    assert len(ids) - len(ALL_FILMS) <= held  # duplicates: at most the victim's leases
    assert stored_ids(postgresql_url) == ALL_FILMS  # nothing missing in the database


def test_every_worker_killed_then_restarted_loses_nothing(
    tmp_path, sandbox, crawl_name, postgresql_url
):
    url = postgresql_url.render_as_string(hide_password=False)
    first = [
        Worker(tmp_path, f"first{n}", crawl_name, sandbox.url, database_url=url) for n in (1, 2)
    ]
    for worker in first:
        worker.wait_for_items(5)
    for worker in first:
        worker.kill()
    frontier = Frontier(Redis.from_url(REDIS), crawl_name)
    held = sum(leases_of(frontier, worker) for worker in first)
    # The new workers requeue the dead ones' leases once they expire: no seeding, no command.
    second = [
        Worker(tmp_path, f"second{n}", crawl_name, sandbox.url, database_url=url) for n in (1, 2)
    ]
    assert [worker.wait() for worker in second] == [0, 0]
    ids = feed_ids(*first, *second)
    assert set(ids) == ALL_FILMS
    assert len(ids) - len(ALL_FILMS) <= held  # at most the killed workers' leases
    assert stored_ids(postgresql_url) == ALL_FILMS
    assert frontier.status().requeued >= held > 0


def test_a_distributed_crawl_raises_no_deprecation_warning_from_moviespider(
    tmp_path, sandbox, crawl_name
):
    # Every warning shown, whatever Python's default filters hide (DeprecationWarning outside
    # __main__); Scrapy logs them with the file they are attributed to.
    result = run_crawl(
        "douban_catalog",
        tmp_path,
        args={"seeds": "none", "ids": CATALOG.by_rank(1).subject_id, "max_films": "20"},
        settings={"DOUBAN_BASE_URL": sandbox.url, "DISTRIBUTED": REDIS,
                  "DISTRIBUTED_CRAWL": crawl_name, "DISTRIBUTED_LEASE": str(LEASE)},
        env={"PYTHONWARNINGS": "always"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(result.items) == 20
    warnings = [line for line in result.stderr.splitlines() if "Deprecat" in line]
    assert not [line for line in warnings if "/moviespider/" in line], warnings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A Redis server of the test's own, to take away and bring back."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while True:
            try:
                Redis.from_url(self.url).ping()
                return
            except Exception:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.1)

    def stop(self) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout=30)


def test_a_redis_outage_of_30_s_loses_nothing_and_kills_no_worker(tmp_path, sandbox):
    """Two workers through 30 s without Redis: one rides it out on what it holds, the other
    pauses after 2 s (DISTRIBUTED_OUTAGE_PAUSE); both finish the crawl, each film once."""
    redis = PrivateRedis(tmp_path)
    redis.start()
    try:
        # Its pause is past the outage (the default, 30 s, would be at its very edge).
        rider = Worker(tmp_path, "rider", "outage", sandbox.url, redis=redis.url,
                       settings={"DISTRIBUTED_OUTAGE_PAUSE": 45})  # fmt: skip
        pauser = Worker(tmp_path, "pauser", "outage", sandbox.url, redis=redis.url,
                        settings={"DISTRIBUTED_OUTAGE_PAUSE": 2})  # fmt: skip
        rider.wait_for_items(10)
        pauser.wait_for_items(5)
        redis.stop()
        time.sleep(30)  # the outage: longer than the leases (4 s), which must not expire for it
        for worker in (rider, pauser):
            assert worker.process.poll() is None, worker.log.read_text()[-3000:]
        redis.start()
        assert rider.wait() == 0, rider.log.read_text()[-3000:]
        assert pauser.wait() == 0, pauser.log.read_text()[-3000:]
    finally:
        redis.stop()
    ids = feed_ids(rider, pauser)
    assert set(ids) == ALL_FILMS
    # No lease of a live worker was taken for expired because Redis was away.
    assert len(ids) == len(ALL_FILMS)
    for worker in (rider, pauser):
        log = worker.log.read_text()
        assert "Redis at redis://127.0.0.1" in log and "is unreachable" in log
        assert "Redis is back" in log
    assert "this worker pauses until it is back" in pauser.log.read_text()
    assert "this worker pauses" not in rider.log.read_text()


def test_a_finished_crawl_run_again_says_it_crawled_nothing(tmp_path, sandbox, crawl_name):
    def crawl(run: str):
        return run_crawl(
            "douban_catalog",
            tmp_path / run,
            args={"seeds": "none", "ids": CATALOG.by_rank(1).subject_id, "max_films": "5"},
            settings={"DOUBAN_BASE_URL": sandbox.url, "DISTRIBUTED": REDIS,
                      "DISTRIBUTED_CRAWL": crawl_name},
        )  # fmt: skip

    first = crawl("first")
    assert first.returncode == 0, first.stderr[-3000:]
    assert len(first.items) == 5
    assert "This worker crawled nothing" not in first.stderr
    again = crawl("again")
    assert again.returncode == 0, again.stderr[-3000:]
    assert again.items == []
    warning = f"This worker crawled nothing: distributed crawl {crawl_name!r} has nothing queued"
    assert warning in again.stderr
    assert "scrapy frontier clear" in again.stderr


def test_jobdir_and_distributed_together_are_one_line(tmp_path):
    result = run_crawl(
        "douban_top250",
        tmp_path,
        settings={"DISTRIBUTED": REDIS, "JOBDIR": str(tmp_path / "job")},
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "moviespider: error: setting JOBDIR: a distributed crawl keeps its requests in Redis "
        "(DISTRIBUTED), not in a JOBDIR; give one or the other"
    ]


def test_seeding_twice_queues_the_start_requests_once(crawl_name):
    def seed() -> str:
        done = subprocess.run(
            [sys.executable, "-m", "scrapy", "frontier", "seed", "douban_top250",
             "-s", f"DISTRIBUTED={REDIS}", "-s", f"DISTRIBUTED_CRAWL={crawl_name}"],
            cwd=ROOT, capture_output=True, text=True, timeout=120, check=True,
            env={**os.environ, "DATABASE_URL": ""},
        )  # fmt: skip
        return done.stdout.strip()

    assert seed() == "Seeded 10 requests (0 were in the frontier already)."
    assert seed() == "Seeded 0 requests (10 were in the frontier already)."
    status = json.loads(json.dumps(Frontier(Redis.from_url(REDIS), crawl_name).status().queued))
    assert status == 10


DOCS = ROOT / "docs" / "distributed.md"
DOCUMENTED_REDIS = "redis://127.0.0.1:6379/0"
DOCUMENTED_SANDBOX = "http://127.0.0.1:8050"


def test_documented_workers_on_one_machine_crawl_the_catalog_once(
    tmp_path, module_sandbox, crawl_name
):
    """docs/distributed.md's seeding and its shell loop of workers, as written; the settings
    module its scrapy commands load points them at a sandbox (the loop names no site)."""
    commands = documented_commands(DOCS.read_text("utf-8"))
    (start_sandbox,) = [c for c in commands if c.startswith("python -m douban_sandbox")]
    (seed,) = [c for c in commands if "frontier seed" in c and DOCUMENTED_SANDBOX in c]
    (loop,) = [c for c in commands if c.startswith("for ") and "scrapy crawl douban_catalog" in c]
    options = start_sandbox.split("--port 8050", 1)[1].split("&")[0].split()
    site = module_sandbox(*options)
    catalog = build_catalog(
        int(options[options.index("--catalog") + 1]), int(options[options.index("--seed") + 1])
    )
    films = {catalog.by_rank(rank).subject_id for rank in range(1, catalog.size + 1)}
    (tmp_path / "sandbox_settings.py").write_text(
        f"from moviespider.settings import *  # noqa: F403\n"
        f"DOUBAN_BASE_URL = {site.url!r}\nDOUBAN_PROFILE = 'fast'\n"
    )
    env = project_env({"PYTHONPATH": f"{ROOT}{os.pathsep}{tmp_path}",
                       "SCRAPY_SETTINGS_MODULE": "sandbox_settings"})  # fmt: skip

    def run(command: str) -> subprocess.CompletedProcess[str]:
        command = (
            command.replace(DOCUMENTED_SANDBOX, site.url)
            .replace(DOCUMENTED_REDIS, REDIS)
            .replace("DISTRIBUTED_CRAWL=catalog-1", f"DISTRIBUTED_CRAWL={crawl_name}")
        )
        return subprocess.run(["/bin/sh", "-c", command], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=600)  # fmt: skip

    seeded = run(seed)
    assert seeded.returncode == 0, seeded.stderr
    crawled = run(loop)
    assert crawled.returncode == 0, crawled.stderr[-3000:]
    feeds = sorted(tmp_path.glob("films-*.jsonl"))
    assert len(feeds) == 4
    ids = [item["subject_id"] for feed in feeds for item in read_feed(feed)]
    assert sorted(ids) == sorted(films)  # every film, once, between the four workers
    status = Frontier(Redis.from_url(REDIS), crawl_name).status()
    assert status.queued == 0 and status.leased == {} and status.done == len(films)
    assert status.films == 0  # max_films=0: no budget to count against
