"""The Movie item as a JSON Schema, for the people and programs that read the feeds.

Generated, never written by hand: the types come from the Movie dataclass (moviespider/items.py,
through pydantic, which reads its type hints), the bounds from its fields' metadata (the same
FIELD_BOUNDS ValidateMovie applies), the id patterns from moviespider/site.py, and any
``description`` or JSON Schema keyword a field declares in its ``metadata``. Spidermon's item
validation (``SPIDERMON_VALIDATION_SCHEMAS``) checks every item against this same schema, so what is
published and what is enforced cannot drift; `scrapy schema` prints it and docs/schema.json
holds it (a test keeps the two equal).
"""

from __future__ import annotations

import math
from dataclasses import fields
from functools import cache
from typing import Any

SCHEMA_ID = "urn:moviespider:movie"
# JSON Schema keywords a Movie field may declare in its dataclass metadata.
KEYWORDS = ("description", "pattern", "minimum", "maximum", "enum", "format", "examples")


@cache
def movie_schema() -> dict[str, Any]:
    from pydantic import TypeAdapter

    from moviespider.items import FIELD_BOUNDS, SOURCES, Movie
    from moviespider.site import IMDB_ID, SUBJECT_ID

    schema = TypeAdapter(Movie).json_schema()
    properties: dict[str, dict[str, Any]] = schema["properties"]
    for prop in properties.values():
        prop.pop("title", None)  # "Subject Id" from "subject_id" says nothing more
    # What ValidateMovie guarantees of every item it lets through (patterns: site.py).
    constrain(properties["subject_id"], pattern=f"^{SUBJECT_ID.pattern}$")
    constrain(properties["url"], pattern=r"^https://movie\.douban\.com/subject/\d+/$")
    constrain(properties["source"], enum=list(SOURCES))
    constrain(properties["kind"], enum=["movie", "tv"])
    constrain(properties["imdb_id"], pattern=f"^{IMDB_ID.pattern}$")
    constrain(properties["release_date"], format="date")
    for name, (low, high) in FIELD_BOUNDS.items():
        constrain(properties[name], minimum=low)
        if math.isfinite(high):
            constrain(properties[name], maximum=high)
    for field in fields(Movie):
        declared = {key: field.metadata[key] for key in KEYWORDS if key in field.metadata}
        if declared:
            constrain(properties[field.name], **declared)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Movie",
        "description": (
            "One film as moviespider's feeds and database hold it. A field the page does not "
            "have is null (scalars) or [] (lists); null never means zero."
        ),
        **{key: value for key, value in schema.items() if key not in ("title", "description")},
        "additionalProperties": False,
    }


def constrain(prop: dict[str, Any], **keywords: Any) -> None:
    """Add *keywords* to a property; on one that may be null, to its non-null branch."""
    target = prop
    for branch in prop.get("anyOf", ()):
        if branch.get("type") != "null":
            target = branch
    if "description" in keywords:
        prop["description"] = keywords.pop("description")
    target.update(keywords)


def __getattr__(name: str) -> Any:
    # SPIDERMON_VALIDATION_SCHEMAS names moviespider.schema.MOVIE_SCHEMA; built when first asked
    # for, not at import (Scrapyd imports the project to list its spiders).
    if name == "MOVIE_SCHEMA":
        return movie_schema()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
