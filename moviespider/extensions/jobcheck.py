"""Refuse, before any request, a JOBDIR this crawl cannot resume."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured
from scrapy.utils.job import job_dir

from moviespider.jobdir.journal import JOURNAL_FILE, RequestJournal, check_job, load_request

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class JobCheck:
    """Extension: stop a crawl before any request when its JOBDIR holds a job it cannot resume
    (another spider's, or requests this code cannot take back), in one line.

    CrashSafeScheduler checks the same when it opens, but a scheduler that fails there leaves
    Scrapy's engine half-open and the log full of tracebacks.
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JobCheck:
        jobdir = job_dir(crawler.settings)
        if jobdir is None or not (journal_path := Path(jobdir, JOURNAL_FILE)).exists():
            raise NotConfigured
        journal = RequestJournal(journal_path)
        try:
            check_job(journal, crawler.spider)
            for _, record in journal:
                load_request(record, crawler.spider, journal)
        finally:
            journal.close()
        return cls()
