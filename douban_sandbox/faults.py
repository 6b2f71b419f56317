"""Deterministic faults: the ways Douban fails or pushes back, on demand.

Every decision is a pure function of ``--seed`` and what the sandbox has seen, never of the clock
or of request interleaving (docs/sandbox.md, "Faults").
"""

from __future__ import annotations

import gzip
import hashlib
import math
import time
from collections import Counter
from functools import cache

from douban_sandbox.options import SandboxOptions

FAIL_STATUSES = (500, 502, 503)
BAN_STYLES_MIXED = ("403", "302", "page")
# Substrings of user agents that are not desktop browsers (compared in lower case).
NON_BROWSER_AGENTS = ("scrapy", "python", "curl", "wget", "go-http-client", "java/", "okhttp")


BOMB_SIZE = 300 * 1024 * 1024  # bytes a gzip bomb decompresses to
ODD_BYTES = b"\xff\xfe\xfd\xfc\x00"  # four bytes that are not UTF-8 and a NUL
ODD_PADDING = 20 * 1024 * 1024  # blank lines after </html>: a 20 MB page


def with_odd_bytes(page: bytes) -> bytes:
    """The whole page, with ODD_BYTES just inside <body> and ODD_PADDING after its end."""
    at = page.index(b">", page.index(b"<body")) + 1
    return page[:at] + ODD_BYTES + page[at:] + b"\n" * ODD_PADDING


@cache
def gzip_bomb() -> bytes:
    """A gzip stream of BOMB_SIZE zero bytes, about 300 KB: one gzip member of a megabyte of
    zeros, repeated (members follow one another in a valid gzip stream; compressing 300 MB in
    one takes seconds)."""
    megabyte = gzip.compress(bytes(1024 * 1024), compresslevel=9, mtime=0)
    return megabyte * (BOMB_SIZE // (1024 * 1024))


def draw(seed: int, *key: object) -> float:
    """A uniform number in [0, 1) that depends only on the seed and the key."""
    text = "/".join(str(part) for part in (seed, *key)).encode()
    digest = hashlib.blake2b(text, digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def looks_like_browser(user_agent: str) -> bool:
    lowered = user_agent.lower()
    return "mozilla/" in lowered and not any(agent in lowered for agent in NON_BROWSER_AGENTS)


class FaultPlan:
    """Decides, request by request, which fault (if any) the sandbox plays."""

    def __init__(self, options: SandboxOptions):
        self.options = options
        self.seed = options.seed
        self.attempts: Counter[str] = Counter()
        self.session_requests: Counter[str] = Counter()
        self.banned_until: dict[str, float] = {}  # session or address -> monotonic end of its ban
        self.bans = 0  # bans begun (a session or address banned again counts again)

    def next_attempt(self, url: str) -> int:
        """Count one more request for this URL; return its attempt number (0 for the first)."""
        attempt = self.attempts[url]
        self.attempts[url] = attempt + 1
        return attempt

    def hits(self, fault: str, rate: float, url: str, attempt: int) -> bool:
        return rate > 0 and draw(self.seed, fault, url, attempt) < rate

    def fail_status(self, url: str, attempt: int) -> int:
        index = int(draw(self.seed, "status", url, attempt) * len(FAIL_STATUSES))
        return FAIL_STATUSES[index]

    def ban_style(self, session: str, address: str = "unknown") -> str | None:
        """None while the client may go on; else how to tell it that it is banned."""
        if not self.options.ban_after:
            return None
        key = address if self.options.ban_scope == "address" else session
        until = self.banned_until.get(key)
        now = time.monotonic()
        if until is not None and now >= until:  # the ban is over: a clean slate
            del self.banned_until[key]
            self.session_requests[key] = 0
            until = None
        if until is None:
            self.session_requests[key] += 1
            if self.session_requests[key] <= self.options.ban_after:
                return None
            self.banned_until[key] = (
                now + self.options.ban_for if self.options.ban_for else math.inf
            )
            self.bans += 1
        if self.options.ban_style != "mixed":
            return self.options.ban_style
        index = int(draw(self.seed, "ban-style", key) * len(BAN_STYLES_MIXED))
        return BAN_STYLES_MIXED[index]
