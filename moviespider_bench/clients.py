"""The clients the benchmark runs, and the command line of each."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scrapy.settings import Settings

import moviespider

REPO_ROOT = Path(moviespider.__file__).resolve().parent.parent
PEERS = Path(__file__).resolve().parent / "peers"
PROBE = "moviespider_bench.probe.BenchProbe"


@dataclass(frozen=True)
class Job:
    """What one run of a client is asked to do."""

    base_url: str
    pages: int
    concurrency: int
    output: Path
    report: Path
    settings: tuple[str, ...] = ()  # NAME=VALUE, for the Scrapy clients

    @property
    def ids_file(self) -> Path:
        """The subject ids a subject-page client fetches, one a line (written by the suite)."""
        return self.report.with_suffix(".ids")

    @property
    def database(self) -> Path:
        """A SQLite file for a client that stores its films (removed before each run)."""
        return self.report.with_suffix(".sqlite3")


@dataclass(frozen=True)
class Client:
    name: str
    label: str
    command: Callable[[Job], list[str]]
    output_suffix: str = ".jsonl"
    in_project: bool = False  # run from the repository root, where scrapy.cfg is
    needs: tuple[str, ...] = ()  # modules beyond requirements.txt (see requirements-bench.txt)


def scrapy_settings(settings: dict[str, object] | tuple[str, ...]) -> list[str]:
    items = settings.items() if isinstance(settings, dict) else (s.split("=", 1) for s in settings)
    return [arg for name, value in items for arg in ("-s", f"{name}={value}")]


def probe_extensions() -> str:
    """The project's EXTENSIONS plus the probe: ``-s EXTENSIONS`` replaces the whole dict."""
    project = Settings()
    project.setmodule("moviespider.settings", priority="project")
    return json.dumps({**project.getdict("EXTENSIONS"), PROBE: 0})


def moviespider_top250(job: Job, database_url: str = "") -> list[str]:
    return [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "douban_top250",
        "-O",
        f"{job.output}:jsonlines",
        *scrapy_settings(
            {
                "DOUBAN_BASE_URL": job.base_url,
                "DOUBAN_PROFILE": "fast",
                "DOUBAN_TOP250_SIZE": job.pages * 25,
                "CONCURRENT_REQUESTS": job.concurrency,
                "CONCURRENT_REQUESTS_PER_DOMAIN": job.concurrency,
                "LOG_LEVEL": "INFO",
                "CLOSE_STATS_LOG_LEVEL": "INFO",  # the raw stats, which the checks read
                "EXTENSIONS": probe_extensions(),
                "BENCH_REPORT": job.report,
                # The peers write a feed and nothing else; so does this client. The next one
                # measures what the default SQLite storage adds.
                "DATABASE_URL": database_url,
            }
        ),
        *scrapy_settings(job.settings),
    ]


def moviespider_subjects(job: Job) -> list[str]:
    """douban_subject over the ids in ``job.ids_file``: one subject page, one film each."""
    command = moviespider_top250(job)
    spider = command.index("douban_top250")
    return [
        *command[:spider],
        "douban_subject",
        "-a",
        f"ids_file={job.ids_file}",
        *command[spider + 1 :],
    ]


def moviespider_top250_stored(job: Job) -> list[str]:
    """douban_top250 with its default storage, in a new SQLite file of the run's own."""
    return moviespider_top250(job, f"sqlite:///{job.database}")


def naive_scrapy(job: Job, script: str = "naive_scrapy.py") -> list[str]:
    return [
        sys.executable,
        "-m",
        "scrapy",
        "runspider",
        str(PEERS / script),
        "-a",
        f"base_url={job.base_url}",
        "-a",
        f"pages={job.pages}",
        "-O",
        f"{job.output}:jsonlines",
        *scrapy_settings(
            {
                # the template's politeness lifted for the sandbox, as a user would
                "DOWNLOAD_DELAY": 0,
                "CONCURRENT_REQUESTS": job.concurrency,
                "CONCURRENT_REQUESTS_PER_DOMAIN": job.concurrency,
                "LOG_LEVEL": "INFO",
                "CLOSE_STATS_LOG_LEVEL": "INFO",  # the raw stats, which the checks read
                "EXTENSIONS": json.dumps({PROBE: 0}),
                "BENCH_REPORT": job.report,
            }
        ),
        *scrapy_settings(job.settings),
    ]


def scrapy_floor(job: Job) -> list[str]:
    # The loop is chosen before a spider's custom_settings are read: on the command line.
    return [*naive_scrapy(job, "scrapy_floor.py"), "-s", "ASYNCIO_EVENT_LOOP=uvloop.Loop"]


def moviespider_top250_database(kind: str) -> Callable[[Job], list[str]]:
    """douban_top250 storing into a server database (see moviespider_bench.databases)."""

    def command(job: Job) -> list[str]:
        from moviespider_bench.databases import bench_database_url

        return moviespider_top250(job, bench_database_url(kind))

    return command


def subject_peer(module: str) -> Callable[[Job], list[str]]:
    def command(job: Job) -> list[str]:
        return [*peer(module)(job), f"--ids-file={job.ids_file}"]

    return command


def peer(module: str) -> Callable[[Job], list[str]]:
    def command(job: Job) -> list[str]:
        return [
            sys.executable,
            "-m",
            f"moviespider_bench.peers.{module}",
            job.base_url,
            f"--pages={job.pages}",
            f"--concurrency={job.concurrency}",
            f"--output={job.output}",
            f"--report={job.report}",
        ]

    return command


CLIENTS: dict[str, Client] = {
    client.name: client
    for client in (
        Client("moviespider", "moviespider douban_top250", moviespider_top250, in_project=True),
        Client(
            "moviespider_subjects",
            "moviespider douban_subject",
            moviespider_subjects,
            in_project=True,
        ),
        Client(
            "moviespider_stored",
            "moviespider douban_top250 + SQLite storage (the default)",
            moviespider_top250_stored,
            in_project=True,
        ),
        Client(
            "moviespider_postgresql",
            "moviespider douban_top250 + PostgreSQL storage",
            moviespider_top250_database("postgresql"),
            in_project=True,
            needs=("psycopg",),
        ),
        Client(
            "moviespider_mariadb",
            "moviespider douban_top250 + MariaDB storage",
            moviespider_top250_database("mariadb"),
            in_project=True,
            needs=("pymysql",),
        ),
        Client("aiohttp_lxml", "aiohttp + precompiled lxml (limit)", peer("aiohttp_lxml")),
        Client(
            "subjects_aiohttp",
            "aiohttp + moviespider's subject parser (limit)",
            subject_peer("subjects_aiohttp"),
        ),
        Client(
            "subjects_crawlee",
            "Crawlee HttpCrawler + moviespider's subject parser",
            subject_peer("subjects_crawlee"),
            output_suffix=".json",
            needs=("crawlee",),
        ),
        Client(
            "scrapy_floor",
            "Scrapy floor (tuned empty Scrapy + the raw parser + feed)",
            scrapy_floor,
        ),
        Client("naive_scrapy", "naive Scrapy (parsel CSS per field)", naive_scrapy),
        Client("seed_bs4", "seed-style aiohttp + BeautifulSoup", peer("seed_bs4"), needs=("bs4",)),
        Client(
            "crawlee",
            "Crawlee ParselCrawler",
            peer("crawlee_parsel"),
            output_suffix=".json",
            needs=("crawlee",),
        ),
        Client(
            "sequential",
            "sequential requests + BeautifulSoup",
            peer("sequential_requests"),
            needs=("bs4",),
        ),
    )
}
