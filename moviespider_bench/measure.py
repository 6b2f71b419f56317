"""Running one client process and measuring it from outside."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

LAUNCHER = Path(__file__).resolve().parent / "launch.py"


@dataclass
class Run:
    """One run of one client: what was asked and what it cost."""

    scenario: str
    client: str
    pages: int
    latency: float
    concurrency: int
    expected_items: int
    wall_seconds: float = 0.0  # process start to exit
    crawl_seconds: float = 0.0  # the client's own: first request to last item
    cpu_seconds: float = 0.0  # user+sys of the client process (and any children it reaped)
    crawl_cpu_seconds: float = 0.0  # the client's own, over the crawl only
    peak_rss_mb: float = 0.0
    items: int = 0  # films in the client's output file
    distinct_ids: int = 0
    mismatches: int = 0  # sampled films whose fields differ from the sandbox's ground truth
    server_cpu_seconds: float | None = None
    exit_code: int | None = None
    problem: str | None = None  # why the run does not count, if it does not
    log: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.crawl_seconds if self.crawl_seconds else 0.0

    @property
    def items_per_second(self) -> float:
        return self.items / self.crawl_seconds if self.crawl_seconds else 0.0

    @property
    def cpu_ms_per_page(self) -> float:
        return 1000 * self.cpu_seconds / self.pages if self.pages else 0.0

    @property
    def crawl_cpu_ms_per_page(self) -> float:
        return 1000 * self.crawl_cpu_seconds / self.pages if self.pages else 0.0

    def as_dict(self) -> dict[str, Any]:
        figures = asdict(self)
        for name in ("pages_per_second", "items_per_second", "cpu_ms_per_page", "ok"):
            figures[name] = getattr(self, name)
        return figures


@dataclass
class Usage:
    exit_code: int
    wall_seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    timed_out: bool = field(default=False)


def run_process(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    log: Path,
    timeout: float,
    pin: str | None = None,
) -> Usage:
    """Run ``argv`` to its end and measure it: user+sys CPU and peak RSS from wait4.

    The client is started by ``launch.py`` (see there why), in a session of its own so that a
    client still running after ``timeout`` seconds is killed with everything it started. Its
    output goes to ``log``. *pin* (a ``taskset -c`` CPU list) keeps the client on those CPUs,
    so that every client of a comparison is measured on the same core.
    """
    if pin:
        argv = ["taskset", "-c", pin, *argv]
    usage_file = log.with_suffix(".usage.json")
    usage_file.unlink(missing_ok=True)
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, str(LAUNCHER), str(usage_file), *argv],
            cwd=cwd,
            env=dict(env),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            process.wait(timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            timed_out = True
    figures = read_report(usage_file)
    return Usage(
        exit_code=figures.get("exit_code", -signal.SIGKILL if timed_out else process.returncode),
        wall_seconds=figures.get("wall_seconds", timeout if timed_out else 0.0),
        cpu_seconds=figures.get("cpu_seconds", 0.0),
        peak_rss_mb=figures.get("peak_rss_mb", 0.0),
        timed_out=timed_out,
    )


def read_report(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def read_items(path: Path) -> list[dict[str, Any]]:
    """The films a client wrote: JSON lines, or one JSON array (Crawlee's export)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return []
    if text.lstrip().startswith("["):
        return json.loads(text)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def process_cpu_seconds(pid: int) -> float | None:
    """User+sys CPU of a running process, from /proc (Linux), or None if unreadable."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()  # the command name may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
