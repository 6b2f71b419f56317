"""The Movie item: one schema for every spider.

Field order is the order feeds write columns in. A field the page does not have is ``None``
(scalars) or ``[]`` (lists); ``None`` always means "not on the page", never "zero".
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, field, fields
from typing import Any

from itemadapter import ItemAdapter

SOURCES = ("later", "top250", "subject", "nowplaying", "catalog")


@dataclass
class Movie:
    subject_id: str  # digits only
    url: str  # always the canonical https://movie.douban.com/subject/<id>/
    source: str  # one of SOURCES: the spider (list) that found the film
    title: str | None = None  # the Chinese title
    original_title: str | None = None  # None when there is none or it equals title
    aliases: list[str] = field(default_factory=list)
    year: int | None = None
    kind: str | None = None  # "movie" or "tv"
    directors: list[str] = field(default_factory=list)
    writers: list[str] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)
    genres: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    release_date: str | None = None  # YYYY-MM-DD (upcoming list, year inferred)
    release_dates: list[str] = field(default_factory=list)  # as shown: "1994-09-10(多伦多电影节)"
    runtime_minutes: int | None = None
    episodes: int | None = None
    imdb_id: str | None = None
    rating: float | None = None
    votes: int | None = None
    rank: int | None = None
    quote: str | None = None
    want_count: int | None = None
    city: str | None = None
    summary: str | None = None
    poster_url: str | None = None
    crawled_at: str | None = None  # ISO-8601 UTC, set by the spider when the item is made
    poster_path: str | None = None  # the stored poster, relative to IMAGES_STORE (DOWNLOAD_POSTERS)
    # Ids Douban merged into this film: asked for, they led (by redirect, or by serving this
    # film's page) to this one. Empty for a film found under its own id.
    merged_ids: list[str] = field(default_factory=list)


MOVIE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Movie))
LIST_FIELDS: frozenset[str] = frozenset(
    f.name
    for f in fields(Movie)
    if f.default_factory is list  # type: ignore[comparison-overlap]
)


def item_fields(item: Any) -> MutableMapping[str, Any]:
    """An item's fields as a mapping that reads and writes them.

    For a Movie that is its instance dict, which holds exactly its fields: the pipelines run
    25 times a list page, and ItemAdapter costs them more than their own work. Any other item
    goes through ItemAdapter.
    """
    return vars(item) if type(item) is Movie else ItemAdapter(item)


def item_dict(item: Any) -> dict[str, Any]:
    """A copy of an item's fields as a plain dict, lists copied: what ItemAdapter's asdict()
    returns, at a fraction of its cost for a Movie (whose fields hold no nested items)."""
    if type(item) is Movie:
        return {
            name: value.copy() if type(value) is list else value
            for name, value in vars(item).items()
        }
    return ItemAdapter(item).asdict()
