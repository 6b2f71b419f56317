"""Components that fail in ways a crawl must report as "crashed" (tests/crawl/test_outcomes.py)."""


class CrashAtOpen:
    """An item pipeline with a bug: it raises as the spider opens."""

    def open_spider(self) -> None:
        raise RuntimeError("a bug in a pipeline")

    def process_item(self, item):
        return item
