"""A pytest plugin: the session fails if a test left a file in the working tree.

It compares the untracked and ignored files (caches aside) before and after the session, by
path, size and modification time, so a database or feed that a test wrote to is caught as well
as a new one. Edits to tracked files are left to `git diff`: they are a developer's, not a test's.
It runs in the controller only (not in pytest-xdist workers), so it sees the whole session.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

# Caches that Python, pytest and ruff write by design.
CACHES = ("__pycache__", ".pytest_cache", ".ruff_cache")
BEFORE = pytest.StashKey[dict[str, tuple[int, int]] | None]()
CHANGED = pytest.StashKey[list[str]]()


def untracked_files(root: Path) -> dict[str, tuple[int, int]] | None:
    """Each untracked and ignored file under ``root`` → (size, mtime); None outside git."""
    try:
        done = subprocess.run(
            ["git", "status", "--porcelain", "-z", "--ignored", "--untracked-files=all"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    top = Path(
        subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
    )
    files = {}
    for entry in done.stdout.split("\0"):
        state, name = entry[:2], entry[3:]
        if state not in ("??", "!!") or any(cache in name.split("/") for cache in CACHES):
            continue
        try:
            stat = (top / name).stat()
        except OSError:
            continue
        files[name] = (stat.st_size, stat.st_mtime_ns)
    return files


def pytest_sessionstart(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):
        session.config.stash[BEFORE] = untracked_files(session.config.rootpath)


def pytest_sessionfinish(session: pytest.Session) -> None:
    before = session.config.stash.get(BEFORE, None)
    if before is None:
        return
    after = untracked_files(session.config.rootpath) or {}
    changed = sorted(name for name, state in after.items() if before.get(name) != state)
    session.config.stash[CHANGED] = changed
    if changed:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    changed = config.stash.get(CHANGED, [])
    if changed:
        terminalreporter.section("tests wrote into the working tree", red=True)
        for name in changed:
            terminalreporter.line(name)
        terminalreporter.line("a test must write only under its tmp_path and to its own databases")
