"""Tests keep to their tmp_path and their own databases (tests/helpers/crawl.py, worktree.py)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.helpers.crawl import ROOT, project_env, run_crawl

SMALL_SANDBOX = {
    "DOUBAN_SANDBOX": "1",
    "DOUBAN_SANDBOX_ARGS": "--catalog 60 --seed 3",
    "DOUBAN_TOP250_SIZE": "25",
    "DOUBAN_PROFILE": "fast",
}


def test_a_crawl_runs_in_its_tmp_path_and_never_writes_an_exported_database_url(
    tmp_path, monkeypatch
):
    exported = tmp_path / "exported" / "movies.sqlite3"
    exported.parent.mkdir()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{exported}")
    work = tmp_path / "work"
    work.mkdir()

    # A relative JOBDIR lands in the crawl's working directory: it must be the tmp_path.
    settings = {**SMALL_SANDBOX, "JOBDIR": "job"}
    result = run_crawl("douban_top250", work, settings=settings, output="films.jsonl")

    assert result.returncode == 0, result.log[-3000:]
    assert len(result.items) == 25
    assert not exported.exists()
    written = sorted(path.name for path in work.iterdir())
    # films.failed.tsv too, if a page was given up on (none here): only what the crawl made.
    assert written == ["films.jsonl", "job"]
    assert project_env()["DATABASE_URL"] == ""


def run_session(tmp_path, test_body: str) -> subprocess.CompletedProcess[str]:
    """A pytest session with the working-tree check, in a git checkout of its own."""
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    subprocess.run(["git", "init", "-q", str(checkout)], check=True)
    (checkout / ".gitignore").write_text("*.sqlite3\n")
    (checkout / "old.sqlite3").write_text("the user's films\n")
    (checkout / "test_it.py").write_text(textwrap.dedent(test_body))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.helpers.worktree", "-p", "no:xdist", "-q"],
        cwd=checkout,
        env={**project_env(), "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_session_fails_when_a_test_writes_a_new_file_into_the_checkout(tmp_path):
    session = run_session(
        tmp_path,
        """
        from pathlib import Path

        def test_writes():
            Path("feed.jsonl").write_text("{}")
        """,
    )
    assert session.returncode == 1, session.stdout
    assert "1 passed" in session.stdout
    assert "tests wrote into the working tree" in session.stdout
    assert "feed.jsonl" in session.stdout


def test_the_session_fails_when_a_test_writes_to_an_ignored_database(tmp_path):
    session = run_session(
        tmp_path,
        """
        from pathlib import Path

        def test_appends():
            with Path("old.sqlite3").open("a") as database:
                database.write("a fake Top250 crawl\\n")
        """,
    )
    assert session.returncode == 1, session.stdout
    assert "old.sqlite3" in session.stdout


def test_a_session_that_writes_only_to_tmp_path_passes(tmp_path):
    session = run_session(
        tmp_path,
        """
        def test_writes(tmp_path):
            (tmp_path / "feed.jsonl").write_text("{}")
        """,
    )
    assert session.returncode == 0, session.stdout
    assert "working tree" not in session.stdout
