from pathlib import Path

import pytest

# Real Douban pages for reference live beside the checkout (CI has them there too).
DOUBAN_PAGES = Path(__file__).resolve().parent.parent.parent / "shared" / "douban-pages"


@pytest.fixture
def douban_pages() -> Path:
    """The folder of saved real Douban pages; tests using it skip when it is absent."""
    if not DOUBAN_PAGES.is_dir():
        pytest.skip(f"no real Douban pages at {DOUBAN_PAGES}")
    return DOUBAN_PAGES
