"""Spider arguments: declared once per spider as a pydantic model (scrapy-spider-metadata).

Each spider names its model with ``Args[Model]``; the model gives the types, defaults and help
that ``scrapy spiders`` prints and that ``get_spider_metadata`` publishes as a JSON Schema. A bad
or unknown argument is one :class:`~moviespider.errors.ConfigError` line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator
from scrapy_spider_metadata import Args

from moviespider.errors import ConfigError
from moviespider.site import SUBJECT_ID, SUBJECT_IN_URL

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

CITY_SLUG = re.compile(r"[a-z][a-z0-9-]*")
# A line of an ids file: an id, or anything holding a subject URL (such as a line of the failed
# URLs file a crawl writes), optionally followed by other columns. "#" starts a comment.
OTHER_URL = re.compile(r"https?://")


class SpiderParams(BaseModel):
    """The base of every spider's arguments: unknown ones are refused, values are final."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value not in ("0", "1"):
        raise ValueError(f"expected 0 or 1, got {value!r}")
    return value == "1"


def _city(value: Any) -> str:
    if not isinstance(value, str) or not CITY_SLUG.fullmatch(value):
        raise ValueError(f"{value!r} is not a Douban city slug (lowercase, like 'shanghai')")
    return value


Flag = Annotated[bool, BeforeValidator(_flag)]
CitySlug = Annotated[str, BeforeValidator(_city)]


def check_subject_id(value: str) -> str:
    value = value.strip()
    if not SUBJECT_ID.fullmatch(value):
        raise ValueError(f"{value!r} is not a Douban subject id (digits only)")
    return value


def read_ids_file(path: str) -> list[str]:
    """The subject ids of a file: one id or subject URL a line (a failed-URLs file works)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise ValueError(f"cannot read {path!r}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path!r} is not a UTF-8 text file") from None
    ids = []
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if found := SUBJECT_IN_URL.search(line):
            ids.append(found.group(1))
        elif OTHER_URL.match(line):
            continue  # a list page in a failed-URLs file: its own spider re-reads it
        elif SUBJECT_ID.fullmatch(first := line.split()[0]):
            ids.append(first)
        else:
            raise ValueError(
                f"line {number} of {path!r} is neither a subject id nor a subject URL: "
                f"{line[:60]!r}"
            )
    return ids


class SubjectIdsParams(SpiderParams):
    """Subject ids given as arguments: a comma-separated list, a file, or both."""

    ids: str | None = Field(None, description='comma-separated subject ids, e.g. "1292052,3541415"')
    ids_file: str | None = Field(
        None,
        description="a file of subject ids or subject URLs, one a line (a failed-URLs file works)",
    )

    @field_validator("ids")
    @classmethod
    def _check_ids(cls, ids: str | None) -> str | None:
        for subject_id in (ids or "").split(","):
            if subject_id.strip():
                check_subject_id(subject_id)
        return ids

    @field_validator("ids_file")
    @classmethod
    def _check_ids_file(cls, path: str | None) -> str | None:
        if path is not None:
            read_ids_file(path)
        return path

    def subject_ids(self) -> list[str]:
        """Every id given, each once, in the order given."""
        found = [i.strip() for i in (self.ids or "").split(",") if i.strip()]
        if self.ids_file is not None:
            found += read_ids_file(self.ids_file)
        return list(dict.fromkeys(found))


def params_model(spidercls: type) -> type[SpiderParams]:
    """The model a spider class declared with ``Args[Model]`` (SpiderParams if none)."""
    for klass in spidercls.__mro__:
        for base in getattr(klass, "__orig_bases__", ()):
            if getattr(base, "__origin__", None) is Args:
                return get_args(base)[0]
    return SpiderParams


def parse_params(spidercls: type, arguments: dict[str, Any]) -> SpiderParams:
    """Validate a spider's ``-a`` arguments; Scrapyd's own (``_job``, …) are passed over."""
    model = params_model(spidercls)
    given = {name: value for name, value in arguments.items() if not name.startswith("_")}
    try:
        return model(**given)
    except ValidationError as error:
        raise argument_error(spidercls, model, error.errors()[0]) from None


def argument_error(spidercls: type, model: type[SpiderParams], error: ErrorDetails) -> ConfigError:
    name = str(error["loc"][0]) if error["loc"] else next(iter(model.model_fields), "?")
    if error["type"] == "extra_forbidden":
        known = ", ".join(model.model_fields) or "no arguments"
        spider = getattr(spidercls, "name", spidercls.__name__)
        return ConfigError(f"argument {name}: unknown; {spider} takes {known}")
    message = error["msg"].removeprefix("Value error, ")
    field, _, rest = message.partition(": ")
    if not error["loc"] and field in model.model_fields:  # a check of several arguments
        name, message = field, rest
    if error["type"] not in ("value_error", "assertion_error"):
        message = f"{message[:1].lower()}{message[1:]}, got {error['input']!r}"
    return ConfigError(f"argument {name}: {message}")


def describe(spidercls: type) -> list[tuple[str, str, str]]:
    """(name, type and default, help) of each argument a spider takes, for people."""
    rows = []
    schema = params_model(spidercls).model_json_schema()
    for name, field in schema.get("properties", {}).items():
        kinds = [option.get("type", "") for option in field.get("anyOf", [field])]
        kind = " or ".join(k for k in kinds if k and k != "null") or "string"
        default = field.get("default")
        if kind == "boolean":  # given as -a NAME=0|1
            kind, default = "0 or 1", None if default is None else int(default)
        shown = kind if default is None else f"{kind}, default {default}"
        rows.append((name, shown, field.get("description", "")))
    return rows
