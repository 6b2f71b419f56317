"""Spidermon's item validation against the Movie JSON Schema, on a sample of the items, with
the schema compiled once to Python."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import fastjsonschema
from spidermon.contrib.scrapy.pipelines import ItemValidationPipeline
from spidermon.contrib.scrapy.stats import NAMES
from spidermon.contrib.validation import JSONSchemaValidator
from spidermon.contrib.validation.jsonschema.formats import format_checker

from moviespider.config import get_int

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

# fastjsonschema knows drafts 4, 6 and 7; the Movie schema's keywords (type, anyOf, enum,
# pattern, items, minimum, maximum, format, required, additionalProperties) mean the same in
# 2020-12, which it declares.
DRAFT_7 = "http://json-schema.org/draft-07/schema#"


class CompiledSchemaValidator(JSONSchemaValidator):
    """Spidermon's JSON Schema validator, answered first by the schema compiled to Python
    (fastjsonschema): a valid item, nearly every one, costs some 20 µs instead of 300. An item
    it refuses is validated again by Spidermon's own, for the same error messages and stats.
    Formats are checked by Spidermon's format checker in both."""

    def __init__(self, schema: dict[str, Any]):
        super().__init__(schema)
        formats = {name: _conforms(name) for name in format_checker.checkers}
        self._is_valid = fastjsonschema.compile({**schema, "$schema": DRAFT_7}, formats=formats)

    def validate(self, data: Any, strict: bool = False) -> tuple[bool, dict[str, list[str]]]:
        try:
            self._is_valid(data)
        except fastjsonschema.JsonSchemaException:
            return super().validate(data, strict=strict)
        self._reset()
        return True, {}


def _conforms(name: str) -> Any:
    return lambda value: format_checker.conforms(value, name)


class SampledItemValidation(ItemValidationPipeline):
    """Validate one item in ``SCHEMA_VALIDATION_SAMPLE`` (ValidateMovie already checks every
    item's types; a parser's drift shows in any sample), with the compiled schema."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        pipeline = super().from_crawler(crawler)
        pipeline.every = get_int(crawler.settings, "SCHEMA_VALIDATION_SAMPLE", minimum=1)
        pipeline.seen = 0
        return pipeline

    @classmethod
    def _load_jsonschema_validator(cls, schema: Any) -> JSONSchemaValidator:
        validator = super()._load_jsonschema_validator(schema)
        return CompiledSchemaValidator(validator._schema)

    def open_spider(self) -> None:
        # Spidermon's ItemValidationMonitor skips itself while its stat is missing, which is
        # how a crawl without errors looks; from 0, it checks the count and says OK.
        self.stats.stats.set_value(f"{self.stats.prefix}/{NAMES.FIELDS}/{NAMES.ERRORS}", 0)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        self.seen += 1
        if (self.seen - 1) % self.every:
            return item
        return super().process_item(item)
