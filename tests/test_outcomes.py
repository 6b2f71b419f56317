"""moviespider.outcomes.decide: the outcome from a crawl's final stats."""

from __future__ import annotations

import pytest

from moviespider import outcomes
from moviespider.outcomes import decide

SHARE = 0.1


def crawl(**stats):
    # 100 pages requested, 20 of them retries: 80 distinct pages.
    return {"finish_reason": "finished", "downloader/request_count": 100, "retry/count": 20} | {
        name.replace("__", "/"): value for name, value in stats.items()
    }


@pytest.mark.parametrize(
    ("stats", "expected"),
    [
        (crawl(), outcomes.COMPLETE),
        (crawl(moviespider__failed_pages=8), outcomes.COMPLETE),  # a tenth: still complete
        (crawl(moviespider__failed_pages=9), outcomes.INCOMPLETE),
        # robots.txt is no page: 8 of 79 pages is more than a tenth.
        (crawl(moviespider__failed_pages=8, robotstxt__request_count=1), outcomes.INCOMPLETE),
        # Lost to blocks: 225 of the Top250's pages given up on, all blocked.
        (
            crawl(moviespider__failed_pages=225, moviespider__blocked_given_up=225),
            outcomes.BLOCKED,
        ),
        (crawl(finish_reason="banned"), outcomes.BLOCKED),
        (crawl(finish_reason="field_coverage_low"), outcomes.COVERAGE_LOW),
        (crawl(finish_reason="javascript_required"), outcomes.JAVASCRIPT_REQUIRED),
        (crawl(finish_reason="feed_failed"), outcomes.FEED_FAILED),
        (crawl(finish_reason="shutdown"), outcomes.INTERRUPTED),
        (crawl(finish_reason=None), outcomes.CRASHED),
        (crawl(**{"feedexport__failed_count__S3FeedStorage": 1}), outcomes.INCOMPLETE),
        (crawl(moviespider__storage__unsaved=3), outcomes.INCOMPLETE),
        (crawl(moviespider__lost__feed=2), outcomes.INCOMPLETE),
        (crawl(finish_reason="closespider_itemcount"), outcomes.COMPLETE),  # as the user asked
    ],
)
def test_decide(stats, expected):
    assert decide(stats, SHARE)[0] == expected


def test_exit_statuses_and_names_are_unique():
    assert len({o.exit_status for o in outcomes.OUTCOMES}) == len(outcomes.OUTCOMES)
    assert len(outcomes.BY_NAME) == len(outcomes.OUTCOMES)
