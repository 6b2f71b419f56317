"""Deterministic faults: the ways Douban fails or pushes back, on demand.

Every decision is a pure function of ``--seed`` and what the sandbox has seen, never of the
clock or of request interleaving:

- per-URL faults (``--fail-rate``, ``--reset-rate``, ``--slow-rate``, ``--truncate-rate``,
  ``--login-wall-rate``, ``--self-redirect-rate`` for subject pages) draw from
  ``hash(seed, fault, URL, attempt)`` where ``attempt`` counts the earlier requests for the
  same URL (path and query). A URL's attempts draw independently, so at any rate below 1 a
  retried URL gets through eventually, and a crawl that requests the same URLs meets the same
  faults on the same attempts whatever its concurrency;
- bans (``--ban-after N``) count requests per session, in arrival order: the ``bid`` cookie when
  the request carries one, else the client address. The request after the Nth is banned, and so
  is every later one of that session. A client that drops its cookies and takes the fresh ``bid``
  the sandbox hands out starts a new count (its first, cookie-less request counts against its
  address);
- ``--require-browser-ua`` looks only at the User-Agent header.

Faults apply to pages (HTML and the /j/ JSON of JS mode), not to robots.txt, posters, the
challenge and login pages or the stats endpoint; the User-Agent check applies to everything but
the stats endpoint.
"""

from __future__ import annotations

import hashlib
from collections import Counter

from douban_sandbox.options import SandboxOptions

FAIL_STATUSES = (500, 502, 503)
BAN_STYLES_MIXED = ("403", "302", "page")
# Substrings of user agents that are not desktop browsers (compared in lower case).
NON_BROWSER_AGENTS = ("scrapy", "python", "curl", "wget", "go-http-client", "java/", "okhttp")


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
        self.banned: set[str] = set()

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

    def ban_style(self, session: str) -> str | None:
        """None while the session may go on; else how to tell it that it is banned."""
        if not self.options.ban_after:
            return None
        self.session_requests[session] += 1
        if self.session_requests[session] <= self.options.ban_after:
            return None
        self.banned.add(session)
        if self.options.ban_style != "mixed":
            return self.options.ban_style
        index = int(draw(self.seed, "ban-style", session) * len(BAN_STYLES_MIXED))
        return BAN_STYLES_MIXED[index]
