"""The distributed scenarios end to end at tiny sizes, so that they cannot rot (the benchmark
itself is run by hand: python -m moviespider_bench --scenario distributed)."""

import os

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from moviespider_bench.cli import main
from moviespider_bench.distributed import DistributedPlan, report, run_distributed

pytestmark = pytest.mark.crawl

REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_url() -> str:
    try:
        Redis.from_url(REDIS).ping()
    except RedisConnectionError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"no Redis at {REDIS}")
    return REDIS


def quiet(_line):
    pass


def test_workers_on_both_frontiers_and_a_kill_crawl_every_film(tmp_path, redis_url):
    plan = DistributedPlan(
        films=40, latency=0.1, concurrency=4, workers=(2,), kills=1, kill_latency=1.0,
        rss_every=10, redis=redis_url,
    )  # fmt: skip
    runs = run_distributed(plan, {"distributed", "distributed-kills"}, tmp_path, say=quiet)
    assert [(r.mode, r.workers, r.kills, r.distinct, r.missing, r.problem) for r in runs] == [
        ("moviespider", 2, 0, 40, 0, None),
        ("scrapy-redis", 2, 0, 40, 0, None),
        ("moviespider", 2, 3, 40, 0, None),  # one worker, then both
    ]
    speed, stock, killed = runs
    assert speed.duplicates == stock.duplicates == 0
    assert killed.duplicates <= killed.leases_at_kills
    for run in runs:
        assert 0 < run.crawl_seconds < run.wall_seconds and run.cpu_seconds > 0
        assert run.rss_mb and all(20 < mb < 2000 for _, sample in run.rss_mb for mb in sample)
    text = report(runs)
    assert "| moviespider | 2 |" in text and "| scrapy-redis | 2 |" in text
    assert "3 kills holding" in text
    # No key of the runs is left in Redis.
    assert not Redis.from_url(redis_url).keys("bench-*")


def test_a_film_count_below_one_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--scenario", "distributed", "--films", "0", "--out", str(tmp_path)])
    assert exited.value.code == 2
    assert "argument --films: must be at least 1" in capsys.readouterr().err
