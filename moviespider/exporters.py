"""Feed exporters that write Movie items straight from their fields, as Scrapy's would.

Saves reading every field through ItemAdapter, which costs more than encoding the item
(docs/performance.md). Other items, and feeds with FEED_EXPORT_FIELDS, take Scrapy's path.
CSV cells a spreadsheet would run as a formula are defused (CSV_SPREADSHEET_SAFE), and XML
writes a missing value as an empty element, not the text "None".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from operator import attrgetter
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Self

from scrapy import exporters

from moviespider.items import MOVIE_FIELDS, Movie

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

NO_METADATA: MappingProxyType = MappingProxyType({})


_movie_values = attrgetter(*MOVIE_FIELDS)


class MovieFieldsMixin:
    fields_to_export: Any

    def get_serialized_fields(
        self, item: Any, default_value: Any = None, include_empty: bool | None = None
    ) -> Iterable[tuple[str, Any]]:
        if type(item) is Movie and self.fields_to_export is None:
            values = zip(MOVIE_FIELDS, _movie_values(item), strict=True)
            if type(self).serialize_field is exporters.BaseItemExporter.serialize_field:
                return values  # JSON: a field without a serializer is written as it is
            serialize = self.serialize_field  # type: ignore[attr-defined]
            return ((name, serialize(NO_METADATA, name, value)) for name, value in values)
        return super().get_serialized_fields(item, default_value, include_empty)  # type: ignore[misc]


class JsonItemExporter(MovieFieldsMixin, exporters.JsonItemExporter):
    pass


class JsonLinesItemExporter(MovieFieldsMixin, exporters.JsonLinesItemExporter):
    pass


# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets (tab and
# carriage return too, which some of them strip first). OWASP's "CSV injection" advice: prefix a
# single quote, which spreadsheets show as text and do not run.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class CsvItemExporter(MovieFieldsMixin, exporters.CsvItemExporter):
    """Scrapy's CSV exporter; with ``spreadsheet_safe`` (setting CSV_SPREADSHEET_SAFE, on by
    default) a text cell that would start a formula gets a leading ``'``."""

    def __init__(self, file: Any, *, spreadsheet_safe: bool = True, **kwargs: Any):
        super().__init__(file, **kwargs)
        self.spreadsheet_safe = spreadsheet_safe

    @classmethod
    def from_crawler(cls, crawler: Crawler, file: Any, **kwargs: Any) -> Self:
        kwargs.setdefault(
            "spreadsheet_safe", crawler.settings.getbool("CSV_SPREADSHEET_SAFE", True)
        )
        return cls(file, **kwargs)

    def serialize_field(self, field: Any, name: str, value: Any) -> Any:
        value = super().serialize_field(field, name, value)
        return spreadsheet_safe(value) if self.spreadsheet_safe else value


# Characters XML 1.0 cannot hold, even escaped; Scrapy's exporter writes them raw, and the file
# then fails to parse.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class XmlItemExporter(MovieFieldsMixin, exporters.XmlItemExporter):
    """Scrapy's XML exporter, which writes None as the text "None": here it is an empty
    element, as an absent field of a dict item already is. Control characters that XML 1.0
    cannot hold are left out, so that the file parses."""

    def _export_xml_field(self, name: str, serialized_value: Any, depth: int) -> None:
        if serialized_value is None:
            serialized_value = ""
        elif isinstance(serialized_value, str):
            serialized_value = NOT_XML.sub("", serialized_value)
        super()._export_xml_field(name, serialized_value, depth)
