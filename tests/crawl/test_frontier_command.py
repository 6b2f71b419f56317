"""`scrapy frontier status|requeue-expired|export-failed|clear`, run as commands against Redis
database 15, each test with a crawl name of its own (removed after)."""

from __future__ import annotations

import os
import pty
import re
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator

import pytest
from redis import Redis

from douban_sandbox.catalog import build_catalog
from moviespider.frontier.store import Frontier
from tests.helpers.crawl import project_env, run_crawl, run_project, scrapy_command

pytestmark = pytest.mark.crawl

REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture
def frontier() -> Iterator[Frontier]:
    frontier = Frontier(Redis.from_url(REDIS), f"test-{uuid.uuid4().hex[:10]}")
    yield frontier
    frontier.clear()
    frontier.server.close()


def frontier_command(frontier: Frontier, *args: str, cwd, **options) -> subprocess.CompletedProcess:
    return run_project(
        [
            "frontier",
            *args,
            "-s",
            f"DISTRIBUTED={REDIS}",
            "-s",
            f"DISTRIBUTED_CRAWL={frontier.crawl}",
        ],
        cwd,
        **options,
    )


def status_lines(output: str) -> dict[str, str]:
    return dict(line.split(None, 1) for line in output.splitlines() if line.strip())


def test_status_counts_each_part_of_the_frontier(tmp_path, frontier):
    for n in range(6):
        frontier.enqueue(f"request-{n}".encode(), 0, f"fp-{n}".encode())
    frontier.enqueue(b"request-0", 0, b"fp-0")  # seen already: not queued again
    done, _ = frontier.take("worker-a", 60_000)
    frontier.take("worker-a", 60_000)
    frontier.take("worker-b", 60_000)
    frontier.take("worker-gone", 1)  # expires at once
    frontier.ack([done])
    frontier.record_failure("http://127.0.0.1:1/subject/1292052/\t500\t")
    frontier.take_film("1292052", 100)
    time.sleep(0.05)

    result = frontier_command(frontier, "status", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    status = status_lines(result.stdout)
    assert status["crawl"] == frontier.crawl
    assert status["queued"] == "2"
    # worker-a's acknowledged lease is gone; worker-gone's expired one is still counted as held.
    assert status["leased"] == "3 (worker-a: 1, worker-b: 1, worker-gone: 1)"
    assert status["expired"] == "1"
    assert status["seen"] == "6"
    assert status["done"] == "1"
    assert status["requeued"] == "0"
    assert status["failed"] == "1"
    assert status["films"] == "1 (counted against max_films; none when it is 0)"
    memory = re.fullmatch(
        r"([\d.]+) MB in Redis; (\d+) B a queued request, (\d+) B a fingerprint", status["memory"]
    )
    assert memory, status["memory"]
    assert float(memory[1]) > 0 and 0 < int(memory[2]) <= 400 and 0 < int(memory[3]) <= 120


def test_status_of_an_empty_frontier_measures_no_entry(tmp_path, frontier):
    result = frontier_command(frontier, "status", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"[\d.]+ MB in Redis", status_lines(result.stdout)["memory"])


def test_requeue_expired_puts_back_only_the_expired_leases(tmp_path, frontier):
    for n in range(3):
        frontier.enqueue(f"request-{n}".encode(), 0, f"fp-{n}".encode())
    frontier.take("worker-gone", 1)
    frontier.take("worker-gone", 1)
    frontier.take("worker-alive", 60_000)
    time.sleep(0.05)

    result = frontier_command(frontier, "requeue-expired", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Requeued 2 requests of expired leases."
    status = frontier.status()
    assert status.queued == 2 and status.leased == {"worker-alive": 1}
    assert status.requeued == 2 and status.expired == 0
    assert frontier_command(frontier, "requeue-expired", cwd=tmp_path).stdout.strip() == (
        "Requeued 0 requests of expired leases."
    )


SIZE, SEED = 40, 3
CATALOG = build_catalog(SIZE, seed=SEED)
ALL_FILMS = {CATALOG.by_rank(rank).subject_id for rank in range(1, SIZE + 1)}


def test_export_failed_is_a_file_douban_subject_crawls_again(tmp_path, frontier, sandbox):
    catalog = ["--catalog", str(SIZE), "--seed", str(SEED)]
    failing = sandbox(*catalog, "--fail-rate", "0.3")
    crawled = run_crawl(
        "douban_catalog",
        tmp_path / "crawl",
        args={"seeds": "none", "ids": CATALOG.by_rank(1).subject_id, "max_films": "0"},
        settings={
            "DOUBAN_BASE_URL": failing.url,
            "DOUBAN_PROFILE": "fast",
            "RETRY_TIMES": "0",
            "DISTRIBUTED": REDIS,
            "DISTRIBUTED_CRAWL": frontier.crawl,
        },
    )
    found = {item["subject_id"] for item in crawled.items}
    assert found and found < ALL_FILMS, crawled.stderr[-3000:]  # some pages were given up on

    exported = frontier_command(frontier, "export-failed", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    failed_file = tmp_path / "failed.txt"
    failed_file.write_text(exported.stdout)
    assert len(exported.stdout.splitlines()) == frontier.status().failed > 0

    healthy = sandbox(*catalog)
    retried = run_crawl(
        "douban_subject",
        tmp_path / "retry",
        args={"ids_file": str(failed_file)},
        settings={"DOUBAN_BASE_URL": healthy.url, "DOUBAN_PROFILE": "fast"},
    )
    assert retried.returncode == 0, retried.stderr[-3000:]
    retried_ids = {item["subject_id"] for item in retried.items}
    assert retried_ids and not retried_ids & found
    # The first crawl gave up on subject pages only: the retry gets each film they name.
    named = set(re.findall(r"/subject/(\d+)/", exported.stdout))
    assert retried_ids == named


def test_clear_with_yes_deletes_every_key_of_the_crawl_only(tmp_path, frontier):
    other = Frontier(frontier.server, f"{frontier.crawl}-other")
    try:
        for f in (frontier, other):
            f.enqueue(b"request", 0, b"fp")
            f.take("worker", 60_000)
            f.enqueue(b"request-2", 0, b"fp-2")
        result = frontier_command(frontier, "clear", "--yes", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("Deleted ")
        keys = frontier.keys()
        assert not frontier.server.exists(*keys)
        assert other.status().queued == 1 and other.status().seen == 2
    finally:
        other.clear()


def test_clear_without_a_terminal_and_without_yes_refuses_in_one_line(tmp_path, frontier):
    frontier.enqueue(b"request", 0, b"fp")
    result = frontier_command(frontier, "clear", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "moviespider: error: clear: give --yes to delete the frontier without asking"
    ]
    assert frontier.status().queued == 1


@pytest.mark.parametrize(
    "action",
    [["status"], ["seed", "douban_catalog", "-a", "seeds=top250"], ["requeue-expired"],
     ["export-failed"], ["clear", "--yes"]],
    ids=lambda action: action[0],
)  # fmt: skip
def test_every_action_against_a_redis_that_is_down_is_one_line(tmp_path, action):
    with socket.socket() as unused:  # a port nothing listens on
        unused.bind(("127.0.0.1", 0))
        down = f"redis://127.0.0.1:{unused.getsockname()[1]}/0"
    command = ["frontier", *action, "-s", f"DISTRIBUTED={down}", "-s", "DISTRIBUTED_CRAWL=x"]
    result = run_project(command, tmp_path)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"moviespider: error: setting DISTRIBUTED: cannot reach Redis at {down}")


def run_in_terminal(frontier: Frontier, answer: str, cwd) -> tuple[int, str]:
    """`scrapy frontier clear` with a terminal as its stdin, answering its question."""
    main, terminal = pty.openpty()
    command = scrapy_command(
        "frontier",
        "clear",
        "-s",
        f"DISTRIBUTED={REDIS}",
        "-s",
        f"DISTRIBUTED_CRAWL={frontier.crawl}",
    )
    process = subprocess.Popen(
        command, cwd=cwd, env=project_env(), stdin=terminal, stdout=terminal, stderr=terminal
    )
    os.close(terminal)
    output = b""
    try:
        while b"?" not in output:
            output += os.read(main, 1024)
        os.write(main, answer.encode() + b"\n")
        returncode = process.wait(timeout=60)
        while True:
            try:
                chunk = os.read(main, 1024)
            except OSError:  # the terminal is closed once the command has exited
                break
            if not chunk:
                break
            output += chunk
    finally:
        os.close(main)
    return returncode, output.decode()


@pytest.mark.parametrize(("answer", "deleted"), [("n", False), ("yes", True)])
def test_clear_in_a_terminal_asks_first(tmp_path, frontier, answer, deleted):
    frontier.enqueue(b"request", 0, b"fp")
    returncode, output = run_in_terminal(frontier, answer, tmp_path)
    assert returncode == 0, output
    assert f"Delete every request, lease and fingerprint of {frontier.crawl!r}?" in output
    assert ("Deleted " in output) is deleted
    assert ("Nothing deleted." in output) is not deleted
    assert bool(frontier.server.exists(frontier.queue_key)) is not deleted
