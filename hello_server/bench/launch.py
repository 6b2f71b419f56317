"""Starting, probing and stopping servers for the benchmark and the tests."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ask(port: int, line: bytes = b"hi\n", timeout: float = 5.0) -> bytes:
    """One client: connect, send LINE, return the first reply line (b'' if none)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(line)
        data = b""
        while b"\n" not in data:
            chunk = sock.recv(256)
            if not chunk:
                break
            data += chunk
        return data.split(b"\n", 1)[0]


def wait_ready(port: int, process: subprocess.Popen | None = None, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with status {process.returncode} before serving")
        try:
            if ask(port, timeout=2.0):
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"nothing answering on 127.0.0.1:{port} after {timeout:.0f} s")
        time.sleep(0.1)


def start_ours(
    port: int, state_dir: Path, log: Path, workers: int | None = 2, extra: list[str] | None = None
) -> subprocess.Popen:
    command = [sys.executable, "-m", "hello_server", "--port", str(port)]
    if workers is not None:
        command += ["--workers", str(workers)]
    command += ["--state-dir", str(state_dir), *(extra or [])]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with open(log, "ab") as stderr:
        return subprocess.Popen(command, stderr=stderr, stdout=subprocess.DEVNULL, env=env)


def start_peer(kind: str, port: int, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "hello_server.bench.peers", kind, "--port", str(port)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with open(log, "ab") as stderr:
        return subprocess.Popen(command, stderr=stderr, stdout=subprocess.DEVNULL, env=env)


def start_nginx(port: int, directory: Path) -> subprocess.Popen:
    from hello_server.bench.peers import NGINX, nginx_config

    config = nginx_config(directory, port)
    with open(directory / "stderr.log", "ab") as stderr:
        return subprocess.Popen(
            [NGINX, "-c", str(config), "-p", str(directory)],
            stderr=stderr,
            stdout=subprocess.DEVNULL,
        )


def stop(process: subprocess.Popen, timeout: float = 20.0) -> int:
    """SIGTERM, then SIGKILL after TIMEOUT; return the exit status."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by PID and its live descendants."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    stack = [pid]
    while stack:
        current = stack.pop()
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        stack.extend(children(current))
    return total


WORKER_READY = re.compile(r"worker=(\d+) pid=(\d+) ready")


def worker_pids(log: Path) -> dict[int, int]:
    """Slot -> pid of the latest worker that said it was ready, from a server's log."""
    pids: dict[int, int] = {}
    for match in WORKER_READY.finditer(log.read_text(errors="replace")):
        pids[int(match.group(1))] = int(match.group(2))
    return pids
