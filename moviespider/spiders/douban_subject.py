from __future__ import annotations

import os
from typing import Any

from pydantic import model_validator
from scrapy import signals
from scrapy_spider_metadata import Args

from moviespider.spiders.arguments import SubjectIdsParams
from moviespider.spiders.base import DETAILS_MISSING_STAT, DoubanSpider


class SubjectParams(SubjectIdsParams):
    @model_validator(mode="after")
    def _some_ids(self) -> SubjectParams:
        if self.ids is None and self.ids_file is None:
            if os.environ.get("SCRAPY_CHECK"):  # `scrapy check`: the contracts are the requests
                return self
            raise ValueError("give ids=ID[,ID…] or ids_file=PATH")
        if not self.subject_ids():
            if self.ids_file is not None and not (self.ids or "").strip(","):
                raise ValueError(f"ids_file: no subject id or subject URL in {self.ids_file!r}")
            raise ValueError("no subject id given")
        return self


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
        engine = self.crawler.engine
        for subject_id in self.subject_ids:
            # Lazily, as Scrapy's docs show (start-requests-lazy): a request waits here, as an
            # id, until the downloader has room, instead of in the scheduler as a Request of
            # 1–2 KB; a crawl of 100,000 ids would otherwise hold them all.
            while engine is not None and engine.needs_backout():
                await self.crawler.signals.wait_for(signals.scheduler_empty)
            yield self.details_request({"subject_id": subject_id})

    def without_details(self, listed: dict[str, Any]) -> None:
        # Nothing is known of the film but its id, so there is no item to make: the failure is
        # counted, and listed with the other pages given up on.
        self.crawler.stats.inc_value(DETAILS_MISSING_STAT)
