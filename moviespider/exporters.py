"""Feed exporters that write Movie items straight from their fields, as Scrapy's would.

Saves reading every field through ItemAdapter, which costs more than encoding the item
(docs/performance.md). Other items, and feeds with FEED_EXPORT_FIELDS, take Scrapy's path.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter
from types import MappingProxyType
from typing import Any

from scrapy import exporters

from moviespider.items import MOVIE_FIELDS, Movie

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


class CsvItemExporter(MovieFieldsMixin, exporters.CsvItemExporter):
    pass
