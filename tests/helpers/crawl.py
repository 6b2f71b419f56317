"""Running the real `scrapy crawl` in a subprocess and reading what it wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Real Douban pages for reference live beside the checkout (CI has them there too); a worktree
# one level deeper names them with MOVIESPIDER_DOUBAN_PAGES.
DOUBAN_PAGES = Path(
    os.environ.get("MOVIESPIDER_DOUBAN_PAGES") or ROOT.parent / "shared" / "douban-pages"
)


@dataclass
class CrawlResult:
    returncode: int
    stdout: str
    stderr: str
    items: list[dict]

    @property
    def log(self) -> str:
        return self.stderr


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
    """Run `scrapy crawl SPIDER` in a subprocess from the project root; return its items.

    With ``raw_stats`` the raw Scrapy stats are logged at INFO at the end (as
    ``-s CLOSE_STATS_LOG_LEVEL=INFO`` does), for the tests that read them from the log.
    """
    feed = tmp_path / output
    command = [sys.executable, "-m", "scrapy", "crawl", spider, "-O", str(feed)]
    for name, value in (args or {}).items():
        command += ["-a", f"{name}={value}"]
    defaults = {"CLOSE_STATS_LOG_LEVEL": "INFO"} if raw_stats else {}
    for name, value in {**defaults, **(settings or {})}.items():
        command += ["-s", f"{name}={value}"]
    # Storage is off unless a test asks for it: a crawl test must not write into the checkout.
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": "", **(env or {})}
    done = subprocess.run(
        command,
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    items = read_feed(feed) if read_items else []
    return CrawlResult(done.returncode, done.stdout, done.stderr, items)


def read_feed(path: Path) -> list[dict]:
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    return [json.loads(line) for line in text.splitlines() if line.strip()]
