"""Spidermon's extension, reporting a failed monitor in one log line.

Spidermon 1.27 logs each failed monitor as an ERROR with the assertion's traceback, through
``Spider.log()`` (deprecated in Scrapy 2.19). A crawl that ends badly has already said why in
one error line; the monitors add one WARNING line each, with their reason, and the alert.
"""

from __future__ import annotations

import logging

from spidermon.contrib.scrapy.extensions import Spidermon
from spidermon.contrib.scrapy.runners import (
    LOG_MESSAGE_HEADER,
    SpiderMonitorResult,
    SpiderMonitorRunner,
)


class OneLineResult(SpiderMonitorResult):
    def write_errors(self) -> None:
        for status in self.step.error_statuses:
            for result in self.step.items_for_status(status):
                reason = result.reason or (result.error or "").strip().splitlines()[-1:]
                if isinstance(reason, list):
                    reason = reason[0] if reason else "?"
                self.log(f"{result.status} {result.item.name}: {reason}", level=logging.WARNING)

    def log(self, msg: str, level: int = logging.DEBUG) -> None:
        self.spider.logger.log(level, f"[{LOG_MESSAGE_HEADER}] {msg}")


class OneLineRunner(SpiderMonitorRunner):
    def create_result(self) -> OneLineResult:
        return OneLineResult(self.spider)


class Monitors(Spidermon):
    """``spidermon.contrib.scrapy.extensions.Spidermon`` with OneLineRunner."""

    def _run_suites(self, spider, suites) -> None:
        data = self._generate_data_for_spider(spider)
        for suite in suites:
            OneLineRunner(spider=spider).run(suite, **data)
