from __future__ import annotations

import os
from typing import Any

from pydantic import Field, field_validator, model_validator
from scrapy_spider_metadata import Args

from moviespider.spiders.arguments import SpiderParams, check_subject_id, read_ids_file
from moviespider.spiders.base import DETAILS_MISSING_STAT, DoubanSpider, unique


class SubjectParams(SpiderParams):
    ids: str | None = Field(None, description='comma-separated subject ids, e.g. "1292052,3541415"')
    ids_file: str | None = Field(
        None,
        description="a file of subject ids or subject URLs, one a line (a failed-URLs file works)",
    )

    @field_validator("ids")
    @classmethod
    def _check_ids(cls, ids: str | None) -> str | None:
        if ids is not None:
            for subject_id in ids.split(","):
                if subject_id.strip():
                    check_subject_id(subject_id)
        return ids

    @field_validator("ids_file")
    @classmethod
    def _check_ids_file(cls, path: str | None) -> str | None:
        if path is not None:
            read_ids_file(path)
        return path

    @model_validator(mode="after")
    def _some_ids(self) -> SubjectParams:
        if self.ids is None and self.ids_file is None:
            if os.environ.get("SCRAPY_CHECK"):  # `scrapy check`: the contracts are the requests
                return self
            raise ValueError("give ids=ID[,ID…] or ids_file=PATH")
        if not self.subject_ids():
            raise ValueError("no subject id given")
        return self

    def subject_ids(self) -> list[str]:
        found = [i.strip() for i in (self.ids or "").split(",") if i.strip()]
        if self.ids_file is not None:
            found += read_ids_file(self.ids_file)
        return unique(found)


class DoubanSubjectSpider(DoubanSpider, Args[SubjectParams]):
    """Any films or TV series by Douban subject id, one item each from its /subject/<id>/ page.

    Arguments (SubjectParams): ids, comma-separated subject ids; ids_file, a file with one
    subject id (or subject URL) per line — "#" comments and blank lines skipped, and the
    failed-URLs file of an earlier crawl works too. Both may be given; each film is fetched once.
    """

    name = "douban_subject"
    source = "subject"

    @classmethod
    def arguments(cls, params: Any) -> dict[str, Any]:
        return {"subject_ids": params.subject_ids()}

    async def start(self):
        self.expected_items = len(self.subject_ids)  # the progress bar's total
        for subject_id in self.subject_ids:
            yield self.details_request({"subject_id": subject_id})

    def without_details(self, listed: dict[str, Any]) -> None:
        # Nothing is known of the film but its id, so there is no item to make: the failure is
        # counted, and listed with the other pages given up on.
        self.crawler.stats.inc_value(DETAILS_MISSING_STAT)
