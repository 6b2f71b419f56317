"""The sandbox's command line: ``python -m douban_sandbox --help``."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, fields
from datetime import date
from typing import NoReturn

from douban_sandbox.catalog import DEFAULT_SIZE
from douban_sandbox.pages import MARKUPS

BAN_STYLES = ("403", "302", "page", "mixed")
BAN_SCOPES = ("session", "address")


@dataclass(frozen=True)
class SandboxOptions:
    """Everything that shapes what the sandbox serves. Defaults match the command line's."""

    host: str = "127.0.0.1"
    port: int = 8050
    catalog: int = DEFAULT_SIZE
    seed: int = 0
    drift: int = 0  # the Top250 some time later: rated films move up to this many places
    today: date | None = None  # None: the day the app is created
    markup: str = "2019"
    latency: float = 0.0
    # Faults: rates are probabilities per request attempt (see faults.py).
    fail_rate: float = 0.0
    reset_rate: float = 0.0
    slow_rate: float = 0.0
    slow_seconds: float = 60.0
    truncate_rate: float = 0.0
    login_wall_rate: float = 0.0
    self_redirect_rate: float = 0.0
    bomb_rate: float = 0.0
    odd_bytes_rate: float = 0.0
    require_browser_ua: bool = False
    ban_after: int = 0  # 0: never ban
    ban_style: str = "403"
    ban_scope: str = "session"  # "address": every session from the client's address
    ban_for: float = 0.0  # seconds a ban lasts; 0: for good
    # Client-side rendering: pages are shells that JavaScript fills (see the package docstring).
    js: bool = False
    cache_pages: int = 4096  # rendered pages kept per process (LRU)
    warm: bool = False  # render every list page before listening (benchmarks)
    access_log: bool = False
    exit_with_stdin: bool = False  # stop when stdin reaches EOF (the parent process died)


def _number(kind, text: str):
    try:
        return kind(text)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None


def _rate(text: str) -> float:
    value = _number(float, text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"a rate is between 0 and 1, got {text}")
    return value


def _non_negative(kind):
    def parse(text: str):
        value = _number(kind, text)
        if value < 0:
            raise argparse.ArgumentTypeError(f"must not be negative, got {text}")
        return value

    return parse


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def _port(text: str) -> int:
    value = _number(int, text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is from 0 to 65535, got {text}")
    return value


def _positive_int(text: str) -> int:
    value = _number(int, text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


class SandboxOptionError(ValueError):
    """A sandbox option has a value the sandbox cannot use (the message says which)."""


class _OneLineParser(argparse.ArgumentParser):
    """Bad options are one line, not the whole usage (--help shows that)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


class _RaisingParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise SandboxOptionError(message)


def build_parser(raising: bool = False) -> argparse.ArgumentParser:
    """The command-line parser; ``raising``: raise SandboxOptionError instead of exiting."""
    parser = (_RaisingParser if raising else _OneLineParser)(
        prog="python -m douban_sandbox",
        description="Serve a deterministic Douban look-alike (invented films, real markup).",
    )
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    add("--port", type=_port, default=8050, help="0 picks a free port")
    add("--catalog", type=_positive_int, default=DEFAULT_SIZE, help="number of films")
    add("--seed", type=int, default=0, help="the catalog and the faults follow from it")
    add(
        "--drift",
        type=_non_negative(int),
        default=0,
        help="the Top250 some time later: rated films move up to N places, ratings with them",
    )
    add("--today", type=_iso_date, default=None, help="reference date YYYY-MM-DD")
    add("--markup", choices=MARKUPS, default="2019", help="Douban markup generation")
    add("--latency", type=_non_negative(float), default=0.0, help="seconds before each page")
    faults = parser.add_argument_group("faults (deterministic under --seed)")
    fault = faults.add_argument
    fault("--fail-rate", type=_rate, default=0.0, help="answer 500/502/503")
    fault("--reset-rate", type=_rate, default=0.0, help="close the connection, no response")
    fault("--slow-rate", type=_rate, default=0.0, help="answer after --slow-seconds")
    fault("--slow-seconds", type=_non_negative(float), default=60.0)
    fault("--truncate-rate", type=_rate, default=0.0, help="send half of the page, status 200")
    fault("--login-wall-rate", type=_rate, default=0.0, help="302 to the login page")
    fault("--self-redirect-rate", type=_rate, default=0.0, help="302 a subject page to itself")
    fault(
        "--bomb-rate",
        type=_rate,
        default=0.0,
        help="a gzip bomb: 300 KB that decompress to 300 MB of zeros, status 200",
    )
    fault(
        "--odd-bytes-rate",
        type=_rate,
        default=0.0,
        help="the whole page with invalid UTF-8 and a NUL in it and 20 MB of blank lines after it",
    )
    fault("--require-browser-ua", action="store_true", help="418 for non-browser user agents")
    fault("--ban-after", type=_non_negative(int), default=0, help="ban a session after N requests")
    fault("--ban-style", choices=BAN_STYLES, default="403", help="how a banned session is told")
    fault(
        "--ban-scope",
        choices=BAN_SCOPES,
        default="session",
        help="what --ban-after counts and bans: a bid cookie, or the client's address (all its "
        "sessions, as Douban mostly does)",
    )
    fault(
        "--ban-for",
        type=_non_negative(float),
        default=0.0,
        help="seconds a ban lasts, then requests are served again (0: for good)",
    )
    add("--js", action="store_true", help="pages are shells that JavaScript fills from /j/ JSON")
    add("--cache-pages", type=_non_negative(int), default=4096, help="rendered pages to keep")
    add("--warm", action="store_true", help="render all list pages before announcing the URL")
    add("--access-log", action="store_true", help="log every request on stderr")
    add("--exit-with-stdin", action="store_true", help="stop when stdin closes (parent died)")
    return parser


def parse_options(argv: list[str] | None = None) -> SandboxOptions:
    """Options from the command line; a bad one prints the usage and exits with status 2."""
    return _options(build_parser().parse_args(argv))


def check_options(argv: list[str]) -> SandboxOptions:
    """Options from a list of arguments; raises SandboxOptionError for a bad one."""
    return _options(build_parser(raising=True).parse_args(argv))


def _options(namespace: argparse.Namespace) -> SandboxOptions:
    return SandboxOptions(**{f.name: getattr(namespace, f.name) for f in fields(SandboxOptions)})
