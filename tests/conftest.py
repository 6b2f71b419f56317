"""Fixtures shared by every tier; helpers live in tests/helpers/."""

from __future__ import annotations

import os
import stat
from typing import TYPE_CHECKING

import pytest

from douban_sandbox import SandboxProcess
from tests.helpers.crawl import DOUBAN_PAGES

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

# Databases on real servers and the storage pipeline (storage); the working-tree check (worktree).
pytest_plugins = ["tests.helpers.storage", "tests.helpers.worktree"]


def pytest_configure(config: pytest.Config) -> None:
    # A DATABASE_URL exported where the suite runs is never written to: not by a component built
    # here (tests give theirs in settings), nor by a subprocess (tests/helpers/crawl.py clears it).
    os.environ.pop("DATABASE_URL", None)


@pytest.fixture
def douban_pages() -> Path:
    """The folder of saved real Douban pages; tests using it skip when it is absent."""
    if not DOUBAN_PAGES.is_dir():
        pytest.skip(f"no real Douban pages at {DOUBAN_PAGES}")
    return DOUBAN_PAGES


@pytest.fixture
def fake_chromium(tmp_path):
    """An executable file standing in for a browser binary."""
    path = tmp_path / "bin" / "chromium"
    path.parent.mkdir()
    path.write_text("#!/bin/sh\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def _sandboxes() -> Iterator[Callable[..., SandboxProcess]]:
    started: list[SandboxProcess] = []

    def start(*args: str, **options) -> SandboxProcess:
        process = SandboxProcess(args=list(args), **options)
        started.append(process)
        process.start()
        return process

    try:
        yield start
    finally:
        for process in started:
            process.stop()


@pytest.fixture
def sandbox() -> Iterator[Callable[..., SandboxProcess]]:
    """``sandbox(*args)``: a running sandbox with those command-line options, stopped after."""
    yield from _sandboxes()


@pytest.fixture(scope="module")
def module_sandbox() -> Iterator[Callable[..., SandboxProcess]]:
    """``module_sandbox(*args)``: as ``sandbox``, shared by a module's tests."""
    yield from _sandboxes()
