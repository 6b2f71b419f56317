"""Local feed files written through item by item, never corrupted by appending, and never lost
by resuming a job."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.extensions.feedexport import FileFeedStorage
from scrapy.utils.job import job_dir

from moviespider.errors import ConfigError
from moviespider.jobdir.journal import job_started

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

APPENDABLE_FORMATS = frozenset({"jsonlines", "jsonl", "jl"})
# Formats whose file is one document (a JSON array, an XML root) or starts with a header (CSV):
# a second crawl appended to it gives `][`, a second root or a header among the rows.
WHOLE_FILE_FORMATS = {"json": "a JSON array", "xml": "an XML document", "csv": "a CSV header"}


class AppendingFileFeedStorage(FileFeedStorage):
    """Local feed files written through item by item, and never lost by resuming a job."""

    @classmethod
    def from_crawler(
        cls, crawler: Crawler, uri: str, *, feed_options: dict[str, Any] | None = None
    ) -> AppendingFileFeedStorage:
        storage = cls(uri, feed_options=feed_options)
        feed_format = (feed_options or {}).get("format")
        jobdir = job_dir(crawler.settings)
        if jobdir is not None and job_started(Path(jobdir)):
            storage.check_resumable(feed_format)
        else:
            storage.check_appendable(feed_format)
        return storage

    def check_appendable(self, feed_format: str | None) -> None:
        """Refuse to append (-o) a second crawl to a file that would then be invalid."""
        path = Path(self.path)
        if self.write_mode == "wb" or feed_format not in WHOLE_FILE_FORMATS:
            return
        if not path.exists() or path.stat().st_size == 0:
            return
        raise ConfigError(
            f"setting FEEDS: {path} already holds {WHOLE_FILE_FORMATS[feed_format]} and -o "
            f"appends, which would leave it invalid; use -O {path} to overwrite it, or "
            f"-o {path.with_suffix('.jsonl')} to append JSON Lines"
        )

    def check_resumable(self, feed_format: str | None) -> None:
        """Stop a resumed job that would destroy the items of its earlier runs."""
        path = Path(self.path)
        if not path.exists() or path.stat().st_size == 0:
            return
        if self.write_mode == "wb":
            raise ConfigError(
                f"setting FEEDS: {path} holds the items of this job's earlier runs and -O would "
                f"overwrite them; resume with -o (append)"
            )
        if feed_format not in APPENDABLE_FORMATS:
            raise ConfigError(
                f"setting FEEDS: {path} holds the items of this job's earlier runs and a "
                f"{feed_format} file cannot be resumed by appending; resume into another file "
                f"or use JSON Lines (-o {path.with_suffix('.jsonl')}) for jobs"
            )

    def open(self, spider: Spider) -> Any:
        path = Path(self.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Unbuffered: what the exporter writes reaches the file at once, a JSON line in one go.
        return path.open(self.write_mode, buffering=0)
