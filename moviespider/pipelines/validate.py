"""Validation and normalisation: every field typed and clean, or the item dropped with a reason."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from moviespider.items import (
    FIELD_BOUNDS,
    FLOAT_FIELDS,
    INT_FIELDS,
    LIST_FIELDS,
    TEXT_FIELDS,
    item_fields,
)
from moviespider.site import IMDB_ID, SUBJECT_ID, canonical_subject_url

SPACES = re.compile(r"[ \t\u00a0\u3000]+")
BLANK_LINES = re.compile(r"\s*\n\s*")


class ValidateMovie:
    """Make every field its schema type; drop an item that has no subject_id, url or title.

    A value that cannot be read as its type becomes None (or is left out of a list) and is
    counted (``moviespider/validate/fixed/<field>``); the film itself is kept. Only a film that
    cannot be identified or named is dropped (``moviespider/validate/dropped/<reason>``).
    """

    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler):
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        fields = item_fields(item)
        subject_id = clean_text(fields.get("subject_id"))
        if subject_id is None or not SUBJECT_ID.fullmatch(subject_id):
            self.stats.inc_value("moviespider/validate/dropped/subject_id")
            raise DropItem(f"no usable subject_id ({fields.get('subject_id')!r})")
        fields["subject_id"] = subject_id
        fields["url"] = canonical_subject_url(subject_id)
        for name, value in list(fields.items()):
            if value is None or value == []:  # not on the page: nothing to check
                if value is None and name in LIST_FIELDS:
                    fields[name] = []
                continue
            normalise = NORMALISERS.get(name, clean_other)
            if normalise is None:
                continue
            fixed = normalise(value)
            if fixed != value:
                fields[name] = fixed
                if lost_information(value, fixed):
                    self.stats.inc_value(f"moviespider/validate/fixed/{name}")
        if fields.get("merged_ids"):  # ids, never the film's own
            fields["merged_ids"] = [
                i for i in fields["merged_ids"] if SUBJECT_ID.fullmatch(i) and i != subject_id
            ]
        if fields.get("title") is None:
            self.stats.inc_value("moviespider/validate/dropped/title")
            raise DropItem(f"film {subject_id} has no title")
        return item


def lost_information(before: Any, after: Any) -> bool:
    """True when normalising threw something away: an unreadable value or a list entry.

    Changes of form ("123" → 123, trimmed whitespace) are not counted.
    """
    if isinstance(before, (list, tuple)):
        return len(after) < sum(1 for value in before if clean_text(value))
    return after is None and clean_text(before) is not None


def clean_text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if "\x00" in text:  # no page means it, and PostgreSQL's text cannot hold it
        text = text.replace("\x00", "")
    # Most text is already clean; the substitution is the costly part.
    if "  " in text or "\t" in text or "\u00a0" in text or "\u3000" in text:
        text = SPACES.sub(" ", text).strip()
    return text or None


def clean_paragraphs(value: Any) -> str | None:
    if value is None:
        return None
    lines = (clean_text(line) for line in BLANK_LINES.split(str(value)))
    return "\n".join(line for line in lines if line) or None


def clean_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    texts = (clean_text(v) for v in value)
    return list(dict.fromkeys(text for text in texts if text))


def to_int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value).replace(",", "").strip()
    return int(text) if text.isdigit() else None


def to_float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def bounded(name: str, number: int | float | None) -> int | float | None:
    if number is None:
        return None
    low, high = FIELD_BOUNDS.get(name, (0, math.inf))
    return number if low <= number <= high else None


def iso_date(value: Any) -> str | None:
    text = clean_text(value)
    if text is None:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def bounded_int(name: str) -> Callable[[Any], int | None]:
    return lambda value: bounded(name, to_int(value))


def clean_kind(value: Any) -> str | None:
    return value if value in ("movie", "tv") else None


def clean_imdb_id(value: Any) -> str | None:
    text = clean_text(value)
    return text if text and IMDB_ID.fullmatch(text) else None


def clean_other(value: Any) -> Any:
    """A field with no rule of its own (an item that is not a Movie): text is cleaned."""
    return clean_text(value) if isinstance(value, str) else value


def bounded_float(name: str) -> Callable[[Any], float | None]:
    return lambda value: bounded(name, to_float(value))


# One rule per field, from its type in the Movie schema, looked up once per field rather than
# tested in a chain; then the fields with a rule of their own. None: set by process_item itself.
NORMALISERS: dict[str, Callable[[Any], Any] | None] = {
    **dict.fromkeys(LIST_FIELDS, clean_list),
    **{name: bounded_int(name) for name in INT_FIELDS},
    **{name: bounded_float(name) for name in FLOAT_FIELDS},
    **dict.fromkeys(TEXT_FIELDS, clean_text),
    "subject_id": None,
    "url": None,
    "summary": clean_paragraphs,
    "kind": clean_kind,
    "imdb_id": clean_imdb_id,
    "release_date": iso_date,
}
