"""The parent process: binds one SO_REUSEPORT socket per worker slot, forks the workers, restarts
any that die, and stops them all on SIGTERM or SIGINT.

The parent keeps every slot's listening socket open, so a worker that dies does not take its
accept queue with it: connections queued there wait for the replacement, which inherits the
same socket.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time

from hello_server.config import Config
from hello_server.server import log, run_worker

HANDLED = {signal.SIGCHLD, signal.SIGTERM, signal.SIGINT}
# A worker that exits with this status found a fault restarting cannot fix (e.g. the state file).
FATAL = 3


def bind_slots(config: Config) -> list[socket.socket]:
    sockets: list[socket.socket] = []
    port = config.port
    try:
        for _ in range(config.workers):
            sock = socket.socket(socket.AF_INET6 if ":" in config.host else socket.AF_INET)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((config.host, port))
            sock.listen(config.backlog)
            sock.setblocking(False)
            port = sock.getsockname()[1]  # --port 0: every slot shares the port the first got
            sockets.append(sock)
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def spawn(config: Config, slot: int, sockets: list[socket.socket]) -> int:
    pid = os.fork()
    if pid:
        return pid
    status = 1
    try:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, HANDLED)
        for index, sock in enumerate(sockets):
            if index != slot:
                sock.close()
        status = run_worker(config, slot, sockets[slot])
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


def describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


def supervise(config: Config) -> int:
    """Run the workers until SIGTERM or SIGINT; return the process's exit status."""
    signal.pthread_sigmask(signal.SIG_BLOCK, HANDLED)
    sockets = bind_slots(config)
    port = sockets[0].getsockname()[1]
    log(f"hello_server: listening on {config.host}:{port} pid={os.getpid()}")
    workers: dict[int, int] = {}  # pid -> slot
    started: dict[int, float] = {}
    quick_deaths = 0
    status = 0
    for slot in range(config.workers):
        pid = spawn(config, slot, sockets)
        workers[pid] = slot
        started[slot] = time.monotonic()
    stopping = False
    while workers and not stopping:
        info = signal.sigtimedwait(HANDLED, 1.0)
        if info is not None and info.si_signo in (signal.SIGTERM, signal.SIGINT):
            stopping = True
            break
        while workers:
            try:
                pid, wait_status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            slot = workers.pop(pid)
            log(f"hello_server: worker={slot} pid={pid} {describe(wait_status)}")
            if os.WIFEXITED(wait_status) and os.WEXITSTATUS(wait_status) == FATAL:
                stopping, status = True, 1
                break
            lived = time.monotonic() - started[slot]
            quick_deaths = quick_deaths + 1 if lived < 1.0 else 0
            if quick_deaths > 5:
                log("hello_server: workers keep dying at start; stopping")
                stopping, status = True, 1
                break
            pid = spawn(config, slot, sockets)
            workers[pid] = slot
            started[slot] = time.monotonic()
            log(f"hello_server: worker={slot} restarted as pid={pid}")
    # Stop accepting first, then let every worker finish its connections.
    for sock in sockets:
        sock.close()
    for pid in workers:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + config.grace + 5.0
    while workers and time.monotonic() < deadline:
        try:
            pid, wait_status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            signal.sigtimedwait({signal.SIGCHLD}, 0.1)
            continue
        workers.pop(pid, None)
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    log("hello_server: stopped")
    return status
