from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from moviespider.errors import ConfigError
from moviespider.spiders.base import DoubanSpider, check_subject_id, unique

# A line of an ids file: an id, or anything holding a subject URL (such as a line of the failed
# URLs file a crawl writes), optionally followed by other columns. "#" starts a comment.
SUBJECT_IN_URL = re.compile(r"/subject/(\d+)")
OTHER_URL = re.compile(r"https?://")


class DoubanSubjectSpider(DoubanSpider):
    """Any films or TV series by Douban subject id, one item each from its /subject/<id>/ page.

    Arguments:
        ids: comma-separated subject ids, e.g. "1292052,3541415".
        ids_file: a file with one subject id (or subject URL) per line; blank lines and lines
            starting with "#" are skipped. The failed-URLs file of an earlier crawl works too:
            its subject pages are taken, other URLs (list pages) are skipped.
    Both may be given; each film is fetched once.
    """

    name = "douban_subject"
    source = "subject"

    @classmethod
    def parse_arguments(
        cls, ids: str | None = None, ids_file: str | None = None, **kwargs: str
    ) -> dict[str, Any]:
        if ids is None and ids_file is None:
            if os.environ.get("SCRAPY_CHECK"):  # `scrapy check`: the contracts are the requests
                return {"subject_ids": []}
            raise ConfigError("argument ids: give ids=ID[,ID…] or ids_file=PATH")
        subject_ids = []
        if ids is not None:
            subject_ids += [check_subject_id(i, "ids") for i in ids.split(",") if i.strip()]
        if ids_file is not None:
            subject_ids += read_ids_file(ids_file)
        if not subject_ids:
            raise ConfigError("argument ids: no subject id given")
        return {"subject_ids": unique(subject_ids)}

    async def start(self):
        self.expected_items = len(self.subject_ids)  # the progress bar's total
        for subject_id in self.subject_ids:
            yield self.details_request({"subject_id": subject_id})

    def without_details(self, listed: dict[str, Any]) -> None:
        # Nothing is known of the film but its id, so there is no item to make: the failure is
        # counted, and listed with the other pages given up on.
        self.crawler.stats.inc_value("moviespider/details_missing")


def read_ids_file(path: str) -> list[str]:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise ConfigError(f"argument ids_file: cannot read {path!r}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"argument ids_file: {path!r} is not a UTF-8 text file") from None
    ids = []
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if found := SUBJECT_IN_URL.search(line):
            ids.append(found.group(1))
            continue
        if OTHER_URL.match(line):
            continue  # a list page in a failed-URLs file: its own spider re-reads it
        first = line.split()[0]
        try:
            ids.append(check_subject_id(first, "ids_file"))
        except ConfigError:
            raise ConfigError(
                f"argument ids_file: line {number} of {path!r} is neither a subject id nor a "
                f"subject URL: {line[:60]!r}"
            ) from None
    return ids
