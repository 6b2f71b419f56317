"""Fixtures shared by every tier; helpers live in tests/helpers/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.crawl import DOUBAN_PAGES

# Databases on real servers, and the storage pipeline, for the storage and history tests.
pytest_plugins = ["tests.helpers.storage"]


@pytest.fixture
def douban_pages() -> Path:
    """The folder of saved real Douban pages; tests using it skip when it is absent."""
    if not DOUBAN_PAGES.is_dir():
        pytest.skip(f"no real Douban pages at {DOUBAN_PAGES}")
    return DOUBAN_PAGES
