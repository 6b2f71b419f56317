"""Running the real `scrapy crawl` (and other project commands) in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Real Douban pages for reference live beside the checkout (CI has them there too), or in
# $DOUBAN_PAGES.
DOUBAN_PAGES = Path(os.environ.get("DOUBAN_PAGES") or ROOT.parent / "shared" / "douban-pages")


@dataclass
class CrawlResult:
    returncode: int
    stdout: str
    stderr: str
    items: list[dict]

    @property
    def log(self) -> str:
        return self.stderr


def scrapy_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "scrapy", *args]


def project_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a project command runs in from any directory, storage off.

    The project loads through SCRAPY_SETTINGS_MODULE, not scrapy.cfg, so the command can run in
    the test's tmp_path. DATABASE_URL is always set: an exported one is never written to.
    """
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SCRAPY_SETTINGS_MODULE": "moviespider.settings",
        "DATABASE_URL": "",
        **(env or {}),
    }


def run_project(
    args: list[str], cwd: Path, *, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run `scrapy ARGS` in ``cwd`` (a tmp_path), capturing its output."""
    return subprocess.run(
        scrapy_command(*args),
        cwd=cwd,
        env=project_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_crawl(
    spider: str,
    tmp_path: Path,
    *,
    args: dict[str, str] | None = None,
    settings: dict[str, str] | None = None,
    output: str = "items.jsonl",
    env: dict[str, str] | None = None,
    timeout: float = 240,
    raw_stats: bool = True,
    read_items: bool = True,
) -> CrawlResult:
    """Run `scrapy crawl SPIDER` in a subprocess in ``tmp_path``; return its items.

    With ``raw_stats`` the raw Scrapy stats are logged at INFO at the end (as
    ``-s CLOSE_STATS_LOG_LEVEL=INFO`` does), for the tests that read them from the log.
    """
    tmp_path.mkdir(parents=True, exist_ok=True)  # the crawl's working directory
    feed = tmp_path / output
    command = ["crawl", spider, "-O", str(feed)]
    for name, value in (args or {}).items():
        command += ["-a", f"{name}={value}"]
    defaults = {"CLOSE_STATS_LOG_LEVEL": "INFO"} if raw_stats else {}
    for name, value in {**defaults, **(settings or {})}.items():
        command += ["-s", f"{name}={value}"]
    done = run_project(command, tmp_path, env=env, timeout=timeout)
    items = read_feed(feed) if read_items else []
    return CrawlResult(done.returncode, done.stdout, done.stderr, items)


def read_feed(path: Path) -> list[dict]:
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    return [json.loads(line) for line in text.splitlines() if line.strip()]
