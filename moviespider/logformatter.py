"""Log lines for dropped items: one line with the reason, not the whole item."""

from __future__ import annotations

from typing import Any

from scrapy import logformatter


class LogFormatter(logformatter.LogFormatter):
    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any):
        entry = super().dropped(item, exception, response, spider)
        entry["msg"] = "Dropped item: %(exception)s"
        return entry
