"""Local feed files written through item by item, never corrupted by appending, and never lost
by resuming a job."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from weakref import WeakKeyDictionary

from scrapy.extensions.feedexport import FileFeedStorage
from scrapy.utils.job import job_dir

from moviespider.durability import DurabilityTracker, Sink
from moviespider.errors import ConfigError
from moviespider.files import private_opener
from moviespider.jobdir.journal import job_started

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

APPENDABLE_FORMATS = frozenset({"jsonlines", "jsonl", "jl"})
# Formats whose file is one document (a JSON array, an XML root) or starts with a header (CSV):
# a second crawl appended to it gives `][`, a second root or a header among the rows.
WHOLE_FILE_FORMATS = {"json": "a JSON array", "xml": "an XML document", "csv": "a CSV header"}
STATS_PREFIX = "moviespider/jobdir"
EARLIER_ITEMS_STAT = f"{STATS_PREFIX}/earlier_items"
REPEATS_STAT = f"{STATS_PREFIX}/feed_repeats_skipped"

# Whether the crawl resumes a job, as seen before it opened anything (FeedExporter makes a
# first storage before the engine exists; later, this run's own journal exists).
_resuming: WeakKeyDictionary[Crawler, bool] = WeakKeyDictionary()


class AppendingFileFeedStorage(FileFeedStorage):
    """Local feed files written through item by item, and never lost by resuming a job.

    A durability sink (moviespider.durability): each write reaches the operating system before
    Scrapy's item_scraped returns, so the feed never holds the watermark back, unless a write or
    the opening failed: then it holds it for the rest of the run. Not fsync'd: a process kill
    loses nothing, a power cut may lose the last moment.
    """

    sink: Sink | None = None
    # Subject ids already in the file from this job's earlier runs: a film whose request is
    # replayed (in flight at the kill, or awaiting the database's commit) is not written twice.
    earlier_ids: frozenset[str] = frozenset()
    stats: Any = None

    @classmethod
    def from_crawler(
        cls, crawler: Crawler, uri: str, *, feed_options: dict[str, Any] | None = None
    ) -> AppendingFileFeedStorage:
        storage = cls(uri, feed_options=feed_options)
        storage.sink = DurabilityTracker.of(crawler).sink(f"feed {uri}")
        storage.stats = crawler.stats
        feed_format = (feed_options or {}).get("format")
        jobdir = job_dir(crawler.settings)
        resuming = _resuming.setdefault(crawler, jobdir is not None and job_started(Path(jobdir)))
        if resuming:
            storage.check_resumable(feed_format)
            storage.earlier_ids = earlier_subject_ids(Path(storage.path))
            # What the job's earlier runs delivered, for the monitors: the most any feed holds.
            earlier = crawler.stats.get_value(EARLIER_ITEMS_STAT, 0)
            crawler.stats.set_value(EARLIER_ITEMS_STAT, max(earlier, len(storage.earlier_ids)))
        else:
            storage.check_appendable(feed_format)
        return storage

    @classmethod
    def check_feeds(cls, settings: Any) -> None:
        """The checks ``from_crawler`` makes, on the FEEDS of the command line: `scrapy crawl`
        runs them before the crawl starts, so a refusal is one line before any log."""
        jobdir = job_dir(settings)
        resuming = jobdir is not None and job_started(Path(jobdir))
        for uri, options in settings.getdict("FEEDS").items():
            uri = str(uri)
            if "%(" in uri or urlsplit(uri).scheme not in ("", "file"):
                continue  # named at open time, or not a local file
            storage = cls(uri, feed_options=options)
            if resuming:
                storage.check_resumable(options.get("format"))
            else:
                storage.check_appendable(options.get("format"))

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
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Unbuffered: what the exporter writes reaches the file at once, a JSON line in
            # one go.
            file = open(path, self.write_mode, buffering=0, opener=private_opener)  # noqa: SIM115
        except OSError as error:
            if self.sink is not None:
                # The feeds extension says so in one line, and stops the crawl.
                self.sink.fail(f"cannot open {path}: {error.strerror}", reported=True)
            raise
        if self.sink is None:
            return file
        return ReportingFile(file, self.sink, self.earlier_ids, self.stats)


def earlier_subject_ids(path: Path) -> frozenset[str]:
    """The subject ids of the complete JSON lines in *path* (none if it is missing)."""
    ids = set()
    try:
        with path.open("rb") as file:
            for line in file:
                try:
                    ids.add(json.loads(line)["subject_id"])
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut by a kill, or not a film
    except FileNotFoundError:
        pass
    return frozenset(ids)


class ReportingFile:
    """A feed file whose failed writes fail its durability sink."""

    def __init__(self, file: Any, sink: Sink, earlier_ids: frozenset[str], stats: Any):
        self._file = file
        self._sink = sink
        self._earlier_ids = earlier_ids
        self._stats = stats

    def write(self, data: bytes) -> int:
        if self._earlier_ids and self._written_earlier(data):
            return len(data)
        try:
            written = self._file.write(data)
        except (OSError, ValueError) as error:  # ValueError: written after a close
            reason = getattr(error, "strerror", None) or error
            self._sink.fail(f"write failed: {reason}", reported=isinstance(error, OSError))
            raise
        if written is not None and written < len(data):  # raw file: a short write
            self._sink.fail("short write")
        return written

    def _written_earlier(self, data: bytes) -> bool:
        try:
            subject_id = json.loads(data).get("subject_id")
        except (ValueError, AttributeError):
            return False
        if subject_id not in self._earlier_ids:
            return False
        if self._stats is not None:
            self._stats.inc_value(REPEATS_STAT)
        return True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)
