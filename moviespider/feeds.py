"""Where a crawl's side files go: beside its first local feed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from w3lib.url import file_uri_to_path

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


def first_local_feed(settings: BaseSettings) -> Path | None:
    """The path of the first feed written to a local file, or None (no feed, ``-o -``, only
    remote feeds, or a name only known when the feed opens)."""
    for uri in settings.getdict("FEEDS"):
        uri = str(uri)
        scheme = urlsplit(uri).scheme
        if "%(" in uri or scheme not in ("", "file"):
            continue
        return Path(file_uri_to_path(uri) if scheme == "file" else uri)
    return None


def beside_first_feed(settings: BaseSettings, suffix: str) -> Path | None:
    """``films.jsonl`` → ``films<suffix>``, or None without a local feed."""
    feed = first_local_feed(settings)
    return None if feed is None else feed.with_name(feed.stem + suffix)
