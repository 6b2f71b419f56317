"""Server settings and the defaults derived from this machine."""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass
from pathlib import Path


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def read_proc_int(path: str) -> int | None:
    try:
        return int(Path(path).read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def raise_fd_limit() -> int:
    """Raise the soft file-descriptor limit to the hard one; return the soft limit in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = 1_048_576 if hard == resource.RLIM_INFINITY else hard
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return soft


def default_max_connections(fd_limit: int) -> int:
    # Each connection is one descriptor; keep some for the listener, the state file, the pool.
    return max(16, min(fd_limit - 64, 65_536))


def default_per_address(max_connections: int) -> int:
    # One address may take a sixteenth of a process's slots: a flood from one host leaves the rest.
    return max(16, max_connections // 16)


def default_backlog() -> int:
    # listen() is capped by net.core.somaxconn anyway; asking for that is asking for the most.
    return read_proc_int("/proc/sys/net/core/somaxconn") or 4096


@dataclass(frozen=True)
class Config:
    host: str
    port: int
    workers: int
    state_dir: Path
    block: int
    max_connections: int
    per_address: int
    backlog: int
    read_timeout: float
    idle_timeout: float
    write_timeout: float
    max_line: int
    stats_interval: float
    grace: float
