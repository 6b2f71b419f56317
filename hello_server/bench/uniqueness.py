"""The uniqueness check: many clients, a worker killed, the server restarted; no number twice."""

from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from hello_server.bench.launch import free_port, start_ours, stop, wait_ready, worker_pids
from hello_server.bench.load import LoadResult, run_load


@dataclass
class UniquenessResult:
    connections: int
    numbers: int
    distinct: int
    killed_worker: bool
    restarted: bool
    errors: dict[str, int]
    seconds: float

    @property
    def ok(self) -> bool:
        return self.numbers == self.distinct and self.numbers > 0


def check_uniqueness(
    directory: Path,
    connections: int = 200_000,
    *,
    workers: int = 2,
    processes: int = 4,
    concurrency: int = 200,
    block: int = 1000,
) -> UniquenessResult:
    """Drive CONNECTIONS connections; kill a worker at a third, restart the server at two thirds.

    State and logs go under DIRECTORY. Small blocks make the workers reserve often, so the
    reservations of different processes interleave many times during the run.
    """
    state = directory / "state"
    log = directory / "server.log"
    port = free_port()
    server = start_ours(port, state, log, workers=workers, extra=["--block", str(block)])
    outcome: dict[str, LoadResult] = {}
    begin = time.monotonic()
    killed = restarted = False
    try:
        wait_ready(port, server)

        def drive() -> None:
            outcome["load"] = run_load(
                "127.0.0.1",
                port,
                concurrency=concurrency,
                processes=processes,
                duration=600.0,
                limit=connections,
                collect=True,
            )

        driver = threading.Thread(target=drive)
        driver.start()
        # The clients send nothing back until the end, so watch progress through the state file.
        first = _next_number(state)
        killed = _wait_then(
            lambda: _next_number(state) - first >= connections // 3,
            driver,
            lambda: _kill_a_worker(log),
        )
        if killed:
            restarted = _wait_then(
                lambda: _next_number(state) - first >= 2 * connections // 3,
                driver,
                lambda: None,
            )
            if restarted:
                stop(server)
                server = start_ours(
                    port, state, log, workers=workers, extra=["--block", str(block)]
                )
        driver.join(900)
    finally:
        stop(server)
    load = outcome.get("load")
    numbers = load.numbers if load else []
    return UniquenessResult(
        connections=connections,
        numbers=len(numbers),
        distinct=len(set(numbers)),
        killed_worker=killed,
        restarted=restarted,
        errors=dict(load.errors) if load else {},
        seconds=time.monotonic() - begin,
    )


def _next_number(state: Path) -> int:
    try:
        return int((state / "next-number").read_text())
    except (OSError, ValueError):
        return 1


def _wait_then(condition, driver: threading.Thread, action) -> bool:  # type: ignore[no-untyped-def]
    """When CONDITION holds while DRIVER runs, do ACTION; False if the driver ended first."""
    while driver.is_alive():
        if condition():
            return action() is not False
        time.sleep(0.02)
    return False


def _kill_a_worker(log: Path) -> bool:
    pids = worker_pids(log)
    if not pids:
        return False
    os.kill(min(pids.values()), signal.SIGKILL)
    return True
