"""Where Douban's pages live: every URL the spiders request is built here.

The base URL comes from the ``DOUBAN_BASE_URL`` setting so that a mirror, a recording or the
sandbox can stand in for movie.douban.com. Items always carry the canonical URL, whatever served
the page.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

CANONICAL_BASE_URL = "https://movie.douban.com"
# A Douban subject id: digits only; in a page's links and URLs after /subject/.
SUBJECT_ID = re.compile(r"\d+")
SUBJECT_IN_URL = re.compile(rf"/subject/({SUBJECT_ID.pattern})")
# The IMDb id a subject page links to.
IMDB_ID = re.compile(r"tt\d+")


def canonical_subject_url(subject_id: str) -> str:
    return f"{CANONICAL_BASE_URL}/subject/{subject_id}/"


class DoubanSite:
    """URL builder for one Douban-shaped site (the real one, a mirror or the sandbox)."""

    def __init__(self, base_url: str = CANONICAL_BASE_URL):
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"DOUBAN_BASE_URL must be an http(s) URL, got {base_url!r}")
        self.base_url = base_url.rstrip("/")

    def top250_url(self, start: int) -> str:
        return f"{self.base_url}/top250?start={start}&filter="

    def later_url(self, city: str) -> str:
        return f"{self.base_url}/cinema/later/{city}/"

    def nowplaying_url(self, city: str) -> str:
        return f"{self.base_url}/cinema/nowplaying/{city}/"

    def subject_url(self, subject_id: str) -> str:
        return f"{self.base_url}/subject/{subject_id}/"
