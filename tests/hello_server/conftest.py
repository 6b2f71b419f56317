"""Fixtures for the hello_server tests: a real server in a subprocess, always stopped."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hello_server.bench.launch import free_port, start_ours, stop, wait_ready


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    log: Path
    state_dir: Path

    def stop(self) -> int:
        return stop(self.process)

    def stats(self) -> dict[str, int]:
        """Totals over the workers' last stats lines (each worker's latest line counts once)."""
        latest: dict[str, dict[str, int]] = {}
        for line in self.log.read_text(errors="replace").splitlines():
            if "hello_server: stats " not in line:
                continue
            fields = dict(re.findall(r"(\w+)=(\d+)", line))
            latest[fields["pid"]] = {key: int(value) for key, value in fields.items()}
        totals: dict[str, int] = {}
        for fields in latest.values():
            for key, value in fields.items():
                totals[key] = totals.get(key, 0) + value
        return totals


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Start hello_server with extra arguments; every server started is stopped at teardown."""
    started: list[Server] = []

    def start(*args: str, workers: int | None = 2, state_dir: Path | None = None) -> Server:
        """Start a server; workers=None leaves --workers out (the default: the cores)."""
        port = free_port()
        state = state_dir or tmp_path / "state"
        log = tmp_path / f"server-{len(started)}.log"
        process = start_ours(port, state, log, workers=workers, extra=list(args))
        server = Server(port, process, log, state)
        started.append(server)
        wait_ready(port, process)
        return server

    yield start
    for server in started:
        stop(server.process, timeout=10)
