"""What a crawl leaves on disk, run as a user runs it: from a directory of their own."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from moviespider.items import MOVIE_FIELDS
from tests.helpers.crawl import ROOT

if TYPE_CHECKING:
    from pathlib import Path

APPEND = ["scrapy", "crawl", "douban_later", "-s", "DOUBAN_SANDBOX=1", "-o", "upcoming.json"]


def readme_quick_start() -> list[str]:
    """The crawl command of the README's quick start, as written there."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme[readme.index("## Quick start") :].split("```")[1]
    [line] = [line for line in quick_start.splitlines() if line.startswith("scrapy crawl")]
    return shlex.split(line.split("#")[0])


def scrapy(directory: Path, *arguments: str, database: str | None = None):
    """`scrapy ARGUMENTS` run in *directory*, with the project as an installed package would
    be: the default database lands in *directory*, as it would in the user's."""
    environment = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL",)}
    environment.update(PYTHONPATH=str(ROOT), SCRAPY_SETTINGS_MODULE="moviespider.settings")
    if database is not None:
        environment["DATABASE_URL"] = database
    return subprocess.run(
        [sys.executable, "-m", *arguments],
        cwd=directory,
        env=environment,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_the_readmes_quick_start_twice_gives_valid_json_and_exit_0(tmp_path):
    command = readme_quick_start()
    assert command[-1] == "upcoming.json"
    for _ in range(2):
        done = scrapy(tmp_path, *command)
        assert done.returncode == 0, done.stderr
        films = json.loads((tmp_path / "upcoming.json").read_text(encoding="utf-8"))
        assert films
    # What the quick start leaves: the feed and the database the README names, nothing else.
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "moviespider.sqlite3",
        "upcoming.json",
    ]


def test_appending_a_second_crawl_to_a_json_feed_is_refused_in_one_line(tmp_path):
    first = scrapy(tmp_path, *APPEND, database="")
    assert first.returncode == 0, first.stderr
    films = json.loads((tmp_path / "upcoming.json").read_text(encoding="utf-8"))

    second = scrapy(tmp_path, *APPEND, database="")
    assert second.returncode == 2
    assert second.stderr.strip().splitlines() == [  # one line, before any log or sandbox
        "moviespider: error: setting FEEDS: upcoming.json already holds a JSON array and -o "
        "appends, which would leave it invalid; use -O upcoming.json to overwrite it, or "
        "-o upcoming.jsonl to append JSON Lines"
    ]
    assert "Traceback" not in second.stderr
    assert "Crawled (" not in second.stderr  # refused before any request
    assert json.loads((tmp_path / "upcoming.json").read_text(encoding="utf-8")) == films


def test_a_crawl_to_stdout_leaves_no_files_when_nothing_failed(tmp_path):
    done = scrapy(tmp_path, *APPEND[:-2], "-o", "-:jsonlines", database="")
    assert done.returncode == 0, done.stderr
    assert [json.loads(line) for line in done.stdout.splitlines()]
    assert list(tmp_path.iterdir()) == []


def readme_outputs() -> set[str]:
    """Every file the README's commands write with -o/-O, and what they leave beside it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    feeds = set(re.findall(r"-[oO] ([\w./-]+\.(?:json|jsonl|jl|csv|xml))\b", readme))
    assert len(feeds) >= 5, feeds  # the pattern still finds them
    beside = {
        f"{PurePosixPath(feed).with_suffix('')}{suffix}"
        for feed in feeds
        for suffix in (".failed.tsv", ".unsaved.jsonl")
    }
    return feeds | beside | {"moviespider.sqlite3", "failed_urls.tsv", "posters/full/1.jpg"}


def test_gitignore_covers_what_the_readmes_commands_write():
    outputs = sorted(readme_outputs())
    done = subprocess.run(
        ["git", "check-ignore", "--no-index", "--verbose", "--non-matching", *outputs],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    not_ignored = [
        line.split("\t")[1] for line in done.stdout.splitlines() if line.startswith("::")
    ]
    assert not_ignored == []


def test_the_readme_field_table_names_every_field():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| field | meaning | from |") :].split("\n\n")[0]
    named = set(re.findall(r"`(\w+)`", table))
    assert set(MOVIE_FIELDS) - named == set()


def test_scrapy_check_runs_every_callbacks_contracts_against_the_sandbox(tmp_path):
    done = scrapy(tmp_path, "scrapy", "check", "-s", "DOUBAN_SANDBOX=1")
    assert done.returncode == 0, done.stderr
    ran = re.search(r"Ran (\d+) contracts", done.stderr)
    assert ran, done.stderr
    # parse_page (top250), parse_list (later, nowplaying), parse_details (all five spiders),
    # parse_seed_list and parse_film (catalog)
    assert int(ran.group(1)) == 22, done.stderr
    assert done.stderr.rstrip().endswith("OK")
    assert list(tmp_path.iterdir()) == []  # a check stores nothing
