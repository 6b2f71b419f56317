"""The Movie item: one schema for every spider.

Field order is the order feeds write columns in. A field the page does not have is ``None``
(scalars) or ``[]`` (lists); ``None`` always means "not on the page", never "zero".
"""

from __future__ import annotations

import math
from collections.abc import MutableMapping
from dataclasses import MISSING, dataclass, field, fields
from types import UnionType
from typing import Any, get_args, get_origin, get_type_hints

from itemadapter import ItemAdapter

SOURCES = ("later", "top250", "subject", "nowplaying", "catalog")


def _text(size: int | None = None) -> Any:
    """An optional text field; *size*: the longest it gets, for the storage column."""
    return field(default=None, metadata={"column_size": size} if size else {})


def _number(low: float = 0, high: float = math.inf) -> Any:
    """An optional number field; outside [low, high] it is a parsing error, not data."""
    return field(default=None, metadata={"bounds": (low, high)})


# The field types drive validation (moviespider.pipelines.validate) and the storage columns
# (moviespider.storage.schema).
@dataclass
class Movie:
    subject_id: str = field(metadata={"column_size": 20})  # digits only (site.SUBJECT_ID)
    url: str = field(metadata={"column_size": 255})  # canonical: site.canonical_subject_url
    source: str = field(metadata={"column_size": 16})  # one of SOURCES: the spider that found it
    title: str | None = None  # the Chinese title
    original_title: str | None = None  # None when there is none or it equals title
    aliases: list[str] = field(default_factory=list)
    year: int | None = _number(1870, 2100)
    kind: str | None = _text(8)  # "movie" or "tv"
    directors: list[str] = field(default_factory=list)
    writers: list[str] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)
    genres: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    release_date: str | None = _text(10)  # YYYY-MM-DD (upcoming list, year inferred)
    release_dates: list[str] = field(default_factory=list)  # as shown: "1994-09-10(多伦多电影节)"
    runtime_minutes: int | None = _number()
    episodes: int | None = _number()
    imdb_id: str | None = _text(16)
    rating: float | None = _number(0.0, 10.0)
    votes: int | None = _number()
    rank: int | None = _number()
    quote: str | None = None
    want_count: int | None = _number()
    city: str | None = _text(64)
    summary: str | None = None
    poster_url: str | None = None
    crawled_at: str | None = None  # ISO-8601 UTC, set by the spider when the item is made
    poster_path: str | None = _text(255)  # the stored poster, under IMAGES_STORE (DOWNLOAD_POSTERS)
    # Ids Douban merged into this film: asked for, they led (by redirect, or by serving this
    # film's page) to this one. Empty for a film found under its own id.
    merged_ids: list[str] = field(default_factory=list)


def _value_type(hint: Any) -> type:
    """``int`` for ``int | None``, ``list`` for ``list[str]``, …"""
    if get_origin(hint) is UnionType:
        (hint,) = (arg for arg in get_args(hint) if arg is not type(None))
    return get_origin(hint) or hint


FIELD_TYPES: dict[str, type] = {
    name: _value_type(hint) for name, hint in get_type_hints(Movie).items()
}
MOVIE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Movie))
REQUIRED_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(Movie) if f.default is MISSING and f.default_factory is MISSING
)
INT_FIELDS = frozenset(name for name, kind in FIELD_TYPES.items() if kind is int)
FLOAT_FIELDS = frozenset(name for name, kind in FIELD_TYPES.items() if kind is float)
TEXT_FIELDS = frozenset(name for name, kind in FIELD_TYPES.items() if kind is str)
LIST_FIELDS = frozenset(name for name, kind in FIELD_TYPES.items() if kind is list)
FIELD_BOUNDS: dict[str, tuple[float, float]] = {
    f.name: f.metadata["bounds"] for f in fields(Movie) if "bounds" in f.metadata
}
COLUMN_SIZES: dict[str, int] = {
    f.name: f.metadata["column_size"] for f in fields(Movie) if "column_size" in f.metadata
}


def item_fields(item: Any) -> MutableMapping[str, Any]:
    """An item's fields as a mapping that reads and writes them.

    For a Movie that is its instance dict, which holds exactly its fields: the pipelines run
    25 times a list page, and ItemAdapter costs them more than their own work. Any other item
    goes through ItemAdapter.
    """
    return vars(item) if type(item) is Movie else ItemAdapter(item)


def item_dict(item: Any) -> dict[str, Any]:
    """A copy of an item's fields as a plain dict, lists copied: what ItemAdapter's asdict()
    returns. Saves asdict's deep copy for a Movie, whose fields hold no nested items."""
    if type(item) is Movie:
        return {
            name: value.copy() if type(value) is list else value
            for name, value in vars(item).items()
        }
    return ItemAdapter(item).asdict()
