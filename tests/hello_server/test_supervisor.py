"""The supervisor: start report, stats per interval, a killed worker replaced, SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path

from hello_server.bench.launch import ask, worker_pids
from hello_server.config import cpu_count

REPLY = re.compile(rb"^Hello World\d+$")


def wait_for(condition, timeout: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_start_reports_defaults_and_syncookies(start_server):
    server = start_server("--stats-interval", "0", workers=1)
    first = server.log.read_text().splitlines()[0]
    assert "workers=1" in first
    assert re.search(r"max_connections=\d+ per_address=\d+ backlog=\d+", first)
    cookies = Path("/proc/sys/net/ipv4/tcp_syncookies").read_text().strip()
    assert f"syncookies={cookies}" in first


def test_workers_default_to_the_cores(start_server):
    server = start_server("--stats-interval", "0", workers=None)
    assert f"workers={cpu_count()} " in server.log.read_text().splitlines()[0]
    assert wait_for(lambda: len(worker_pids(server.log)) == cpu_count())


def test_each_worker_prints_stats_every_interval(start_server):
    server = start_server("--stats-interval", "0.5", workers=2)
    assert REPLY.match(ask(server.port))

    def lines_per_worker() -> dict[str, int]:
        counts: dict[str, int] = {}
        for pid in re.findall(r"hello_server: stats worker=\d+ pid=(\d+)", server.log.read_text()):
            counts[pid] = counts.get(pid, 0) + 1
        return counts

    assert wait_for(lambda: len(lines_per_worker()) == 2 and min(lines_per_worker().values()) >= 2)
    server.stop()
    assert server.stats()["accepted"] >= 1


def test_a_killed_worker_is_replaced_and_sigterm_stops_cleanly(start_server):
    server = start_server("--stats-interval", "0", workers=2)
    assert wait_for(lambda: len(worker_pids(server.log)) == 2)  # one may answer before the other
    victim = worker_pids(server.log)[0]
    os.kill(victim, signal.SIGKILL)
    assert wait_for(lambda: worker_pids(server.log).get(0, victim) != victim)
    replies = [ask(server.port) for _ in range(50)]
    assert all(REPLY.match(reply) for reply in replies)
    assert server.stop() == 0
    log = server.log.read_text()
    assert "killed by signal 9" in log
    assert log.rstrip().endswith("hello_server: stopped")
