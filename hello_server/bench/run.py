"""``python -m hello_server.bench``: every server under the same load, side by side.

All servers run at once and are measured in turn at each point, so a neighbour's load on the
machine falls on all of them alike. For each point: the rate, p50/p99 latency, the client's CPU
(per client process, as a share of a core) and the server's CPU per connection or reply.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from hello_server.bench.launch import (
    ROOT,
    free_port,
    start_nginx,
    start_ours,
    start_peer,
    stop,
    tree_cpu,
    wait_ready,
)
from hello_server.bench.load import run_load
from hello_server.bench.peers import NGINX as NGINX_BINARY
from hello_server.bench.peers import NGINX_STREAM_MODULE
from hello_server.bench.uniqueness import check_uniqueness

NGINX = "nginx (C, 2 workers)"
GEVENT = "gevent StreamServer"
ASYNCIO = "asyncio, 1 process"


def ours(workers: int) -> str:
    return f"hello_server, {workers} worker{'s' if workers > 1 else ''}"


@dataclass
class Point:
    server: str
    mode: str
    concurrency: int
    rate: float
    p50_ms: float
    p99_ms: float
    client_cpu: float  # per client process, share of one core
    server_cpu_us: float  # server CPU (user + system) per connection or reply, microseconds
    done: int
    errors: dict[str, int]


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m hello_server.bench",
        description="Benchmark hello_server against nginx, gevent and asyncio on 127.0.0.1.",
    )
    parser.add_argument("--quick", action="store_true", help="one concurrency, 2 s points")
    parser.add_argument(
        "--seconds", type=float, default=None, help="seconds per point and round (1.5; --quick 1)"
    )
    parser.add_argument(
        "--rounds",
        type=positive_int,
        default=None,
        help="rounds over every point; the median round is reported (3; --quick 1)",
    )
    parser.add_argument("--clients", type=positive_int, default=2, help="client processes (2)")
    parser.add_argument(
        "--close",
        choices=["rst", "fin"],
        default="rst",
        help="how the client closes a connection in connect mode (rst: no TIME_WAIT; see doc)",
    )
    parser.add_argument(
        "--uniqueness",
        type=int,
        default=None,
        help="connections in the uniqueness check (200000; --quick: 20000; 0: skip)",
    )
    parser.add_argument(
        "--chart", type=Path, default=ROOT / "docs" / "hello_server.png", help="PNG to write"
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=ROOT / "bench-results" / "hello_server.json",
        help="where the figures go (bench-results/hello_server.json)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not (Path(NGINX_BINARY).exists() and Path(NGINX_STREAM_MODULE).exists()):
        parser.error(
            f"needs {NGINX_BINARY} and {NGINX_STREAM_MODULE}:"
            " apt-get install nginx libnginx-mod-stream"
        )
    seconds = args.seconds or (1.0 if args.quick else 1.5)
    rounds = args.rounds or (1 if args.quick else 3)
    connect_levels = [200] if args.quick else [50, 200, 1000]
    persistent_levels = [200] if args.quick else [50, 1000]
    uniqueness = (
        args.uniqueness if args.uniqueness is not None else (20_000 if args.quick else 200_000)
    )
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="hello-bench-") as temp:
        directory = Path(temp)
        servers = start_all(directory)
        try:
            points = measure(
                servers,
                connect_levels,
                persistent_levels,
                seconds,
                args.clients,
                args.close,
                rounds,
            )
        finally:
            for process, _port in servers.values():
                stop(process)
        unique = None
        if uniqueness:
            (directory / "unique").mkdir()
            unique = check_uniqueness(directory / "unique", uniqueness)
    load_after = load_average()
    report = summarize(points, unique)
    report += (
        f"\n\n{os.cpu_count()} cores; load average (1 min) {load_before} before,"
        f" {load_after} after: anything above the benchmark's own few processes is neighbours."
    )
    print(report)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "points": [asdict(p) for p in points],
                "uniqueness": asdict(unique) if unique else None,
                "seconds": seconds,
                "rounds": rounds,
                "clients": args.clients,
                "close": args.close,
                "cores": os.cpu_count(),
                "load_average": [load_before, load_after],
            },
            indent=1,
        )
    )
    chart(points, args.chart)
    print(f"\nfigures: {args.json}\nchart: {args.chart}")
    return 0 if unique is None or unique.ok else 1


def load_average() -> float:
    with open("/proc/loadavg") as handle:
        return float(handle.read().split()[0])


def start_all(directory: Path) -> dict[str, tuple[subprocess.Popen, int]]:
    servers: dict[str, tuple[subprocess.Popen, int]] = {}
    try:
        port = free_port()
        (directory / "nginx").mkdir()
        servers[NGINX] = (start_nginx(port, directory / "nginx"), port)
        port = free_port()
        servers[GEVENT] = (start_peer("gevent", port, directory / "gevent.log"), port)
        port = free_port()
        servers[ASYNCIO] = (start_peer("asyncio", port, directory / "asyncio.log"), port)
        for workers in (1, 2, 4):
            port = free_port()
            # Every guarantee on: persisted numbers, default limits and timeouts.
            process = start_ours(
                port,
                directory / f"state{workers}",
                directory / f"ours{workers}.log",
                workers=workers,
                extra=["--stats-interval", "0"],
            )
            servers[ours(workers)] = (process, port)
        for process, port in servers.values():
            wait_ready(port, process)
    except BaseException:
        for process, _port in servers.values():
            stop(process)
        raise
    return servers


def measure(
    servers: dict[str, tuple[subprocess.Popen, int]],
    connect_levels: list[int],
    persistent_levels: list[int],
    seconds: float,
    clients: int,
    close: str = "rst",
    rounds: int = 1,
) -> list[Point]:
    """Measure every point ROUNDS times, servers in turn; keep each point's median round.

    Neighbours on a shared machine come and go; rounds spread that over all servers alike.
    """
    plan = [("connect", level) for level in connect_levels]
    plan += [("persistent", level) for level in persistent_levels]
    samples: dict[tuple[str, str, int], list[Point]] = {}
    for _round in range(rounds):
        for point in measure_round(servers, plan, seconds, clients, close):
            samples.setdefault((point.server, point.mode, point.concurrency), []).append(point)
    return [sorted(group, key=lambda p: p.rate)[len(group) // 2] for group in samples.values()]


def measure_round(
    servers: dict[str, tuple[subprocess.Popen, int]],
    plan: list[tuple[str, int]],
    seconds: float,
    clients: int,
    close: str,
) -> list[Point]:
    points = []
    for mode, level in plan:
        for name, (process, port) in servers.items():
            if mode == "persistent" and name == NGINX:
                continue  # nginx's `return` answers once and closes: nothing long-lived
            before = tree_cpu(process.pid)
            result = run_load(
                "127.0.0.1",
                port,
                mode=mode,
                concurrency=level,
                processes=clients,
                duration=seconds,
                close=close,
            )
            used = tree_cpu(process.pid) - before
            point = Point(
                server=name,
                mode=mode,
                concurrency=result.concurrency,
                rate=result.rate,
                p50_ms=result.percentile(0.5) * 1e3,
                p99_ms=result.percentile(0.99) * 1e3,
                client_cpu=result.client_cpu_share,
                server_cpu_us=used / result.done * 1e6 if result.done else math.nan,
                done=result.done,
                errors=dict(result.errors),
            )
            points.append(point)
            print(
                f"{mode:10} c={point.concurrency:<5} {name:24} {point.rate:9.0f}/s"
                f" p50={point.p50_ms:6.2f} ms p99={point.p99_ms:7.2f} ms"
                f" client_cpu={point.client_cpu:4.0%} server={point.server_cpu_us:5.1f} us"
                f" errors={point.errors or 0}",
                flush=True,
            )
            time.sleep(0.3)  # let closing connections drain before the next point
    return points


def summarize(points: list[Point], unique) -> str:  # type: ignore[no-untyped-def]
    lines = ["", "| mode | clients | server | rate/s | p50 ms | p99 ms | client CPU | server µs |"]
    lines.append("|---|---|---|---|---|---|---|---|")
    for p in points:
        lines.append(
            f"| {p.mode} | {p.concurrency} | {p.server} | {p.rate:,.0f} | {p.p50_ms:.2f} |"
            f" {p.p99_ms:.2f} | {p.client_cpu:.0%} | {p.server_cpu_us:.1f} |"
        )
    lines.append("")
    by = {(p.mode, p.concurrency, p.server): p for p in points}
    for mode, level in sorted({(p.mode, p.concurrency) for p in points}):
        for peer in (NGINX, GEVENT, ASYNCIO):
            other = by.get((mode, level, peer))
            if not other or not other.rate:
                continue
            parts = []
            for workers in (1, 2, 4):
                mine = by.get((mode, level, ours(workers)))
                if mine:
                    parts.append(
                        f"{workers}w {mine.rate / other.rate:.2f}x"
                        f" (server CPU/op {mine.server_cpu_us:.0f} vs {other.server_cpu_us:.0f} µs)"
                    )
            lines.append(f"{mode} c={level} ours vs {peer}: " + ", ".join(parts))
    if unique is not None:
        verdict = "OK" if unique.ok else "FAILED"
        lines.append(
            f"\nuniqueness {verdict}: {unique.numbers:,} replies, {unique.distinct:,} distinct"
            f" numbers; worker killed: {unique.killed_worker}; restarted: {unique.restarted};"
            f" {unique.seconds:.1f} s; failed attempts retried: {unique.errors}"
        )
    return "\n".join(lines)


def chart(points: list[Point], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(dict.fromkeys(p.server for p in points))
    colours = {name: f"C{index}" for index, name in enumerate(names)}
    figure, axes = plt.subplots(1, 3, figsize=(16, 5))
    for axis, mode, title in (
        (axes[0], "connect", "new connections/s (connect, line, reply, close)"),
        (axes[1], "persistent", "replies/s on long-lived connections"),
    ):
        levels = sorted({p.concurrency for p in points if p.mode == mode})
        width = 0.8 / len(names)
        for index, name in enumerate(names):
            values = [
                next(
                    (
                        p.rate
                        for p in points
                        if (p.server, p.mode, p.concurrency) == (name, mode, level)
                    ),
                    0.0,
                )
                for level in levels
            ]
            axis.bar([x + index * width for x in range(len(levels))], values, width, label=name)
        axis.set_xticks([x + 0.4 - width / 2 for x in range(len(levels))])
        axis.set_xticklabels([f"{level} clients" for level in levels])
        axis.set_title(title, fontsize=10)
    axes[0].legend(fontsize=8)
    cpu = [
        (name, [p.server_cpu_us for p in points if p.server == name and p.mode == "connect"])
        for name in names
    ]
    axes[2].barh(
        [name for name, _ in cpu],
        [sum(values) / len(values) if values else 0.0 for _, values in cpu],
        color=[colours[name] for name, _ in cpu],
    )
    axes[2].set_title("server CPU µs per new connection (lower: better)", fontsize=10)
    axes[2].invert_yaxis()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=90)
    plt.close(figure)
