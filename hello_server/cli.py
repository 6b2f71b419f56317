"""``python -m hello_server --port PORT --workers N``: argument parsing and the start report."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import NoReturn

from hello_server.config import (
    Config,
    cpu_count,
    default_backlog,
    default_max_connections,
    default_per_address,
    raise_fd_limit,
    read_proc_int,
)
from hello_server.numbers import BlockStore, StateError
from hello_server.server import log


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return value


def port_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number (0-65535): {value}")
    return value


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds: {text}")
    return value


def seconds_or_zero(text: str) -> float:
    return 0.0 if text.strip() in ("0", "0.0") else seconds(text)


def default_state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "hello_server"


class OneLineParser(argparse.ArgumentParser):
    """Bad options are one line, not the whole usage (--help shows that)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="python -m hello_server",
        description="Answer every line a client sends with 'Hello World<N>', N the client's "
        "number, never repeated (docs/hello_server.md).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=port_number, required=True, help="TCP port; 0: any free")
    parser.add_argument(
        "--workers", type=positive_int, default=None, help="worker processes (default: cores)"
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=None,
        help="where the next number is kept durably "
        "(default: $XDG_STATE_HOME/hello_server or ~/.local/state/hello_server)",
    )
    parser.add_argument(
        "--block", type=positive_int, default=10_000, help="numbers reserved per fsync (10000)"
    )
    parser.add_argument(
        "--max-connections",
        type=positive_int,
        default=None,
        help="open connections per worker (default: from the file-descriptor limit)",
    )
    parser.add_argument(
        "--per-address",
        type=positive_int,
        default=None,
        help="open connections per client address per worker (default: max-connections/16)",
    )
    parser.add_argument(
        "--backlog",
        type=positive_int,
        default=None,
        help="listen backlog per worker (default: net.core.somaxconn)",
    )
    parser.add_argument(
        "--read-timeout",
        type=seconds,
        default=5.0,
        help="seconds to complete a line, counted from the connection or the last reply (5)",
    )
    parser.add_argument(
        "--idle-timeout", type=seconds, default=30.0, help="seconds with nothing pending (30)"
    )
    parser.add_argument(
        "--write-timeout",
        type=seconds,
        default=10.0,
        help="seconds a client may leave its replies unread (10)",
    )
    parser.add_argument(
        "--max-line", type=positive_int, default=4096, help="longest line in bytes (4096)"
    )
    parser.add_argument(
        "--stats-interval",
        type=seconds_or_zero,
        default=10.0,
        help="seconds between stats lines per worker; 0: only at exit (10)",
    )
    parser.add_argument(
        "--grace", type=seconds, default=5.0, help="seconds to finish connections on SIGTERM (5)"
    )
    return parser


def syncookies_report() -> str:
    value = read_proc_int("/proc/sys/net/ipv4/tcp_syncookies")
    if value is None:
        return "syncookies=unknown (no /proc/sys/net/ipv4/tcp_syncookies)"
    if value == 0:
        return "syncookies=0 OFF: turn on with `sysctl -w net.ipv4.tcp_syncookies=1`"
    meaning = "when the SYN queue overflows" if value == 1 else "always"
    return f"syncookies={value} ({meaning})"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    fd_limit = raise_fd_limit()
    max_connections = args.max_connections or default_max_connections(fd_limit)
    config = Config(
        host=args.host,
        port=args.port,
        workers=args.workers or cpu_count(),
        state_dir=args.state_dir or default_state_dir(),
        block=args.block,
        max_connections=max_connections,
        per_address=args.per_address or default_per_address(max_connections),
        backlog=args.backlog or default_backlog(),
        read_timeout=args.read_timeout,
        idle_timeout=args.idle_timeout,
        write_timeout=args.write_timeout,
        max_line=args.max_line,
        stats_interval=args.stats_interval,
        grace=args.grace,
    )
    try:
        next_number = BlockStore(config.state_dir).check()
    except StateError as exc:
        parser.exit(2, f"{parser.prog}: error: {exc}\n")
    log(
        f"hello_server: workers={config.workers} next_number={next_number}"
        f" state={config.state_dir} block={config.block} max_connections={config.max_connections}"
        f" per_address={config.per_address} backlog={config.backlog}"
        f" (somaxconn={read_proc_int('/proc/sys/net/core/somaxconn')})"
        f" max_syn_backlog={read_proc_int('/proc/sys/net/ipv4/tcp_max_syn_backlog')}"
        f" fd_limit={fd_limit} {syncookies_report()}"
    )
    from hello_server.supervisor import supervise

    try:
        return supervise(config)
    except OSError as exc:
        parser.exit(
            2,
            f"{parser.prog}: error: cannot listen on {config.host}:{config.port}: {exc.strerror}\n",
        )
