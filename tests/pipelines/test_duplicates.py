"""DropDuplicates: one item per film per crawl, but a merge never vanishes with a duplicate."""

import pytest
from scrapy.exceptions import DropItem
from scrapy.spiders import Spider
from scrapy.utils.test import get_crawler

from moviespider.items import Movie
from moviespider.pipelines.duplicates import DropDuplicates
from tests.helpers.components import movie


def film(subject_id="1292052", merged_ids=()):
    return Movie(
        subject_id=subject_id,
        url=f"https://movie.douban.com/subject/{subject_id}/",
        source="subject",
        title="肖申克的救赎",
        merged_ids=list(merged_ids),
    )


@pytest.fixture
def pipeline():
    return DropDuplicates.from_crawler(get_crawler())


def test_a_second_copy_is_dropped(pipeline):
    pipeline.process_item(film())
    with pytest.raises(DropItem):
        pipeline.process_item(film())


def test_a_second_copy_that_records_a_merge_passes_with_every_merged_id(pipeline):
    pipeline.process_item(film(merged_ids=["26000001"]))
    # /subject/26000002/ redirected to a film this crawl already emitted.
    second = pipeline.process_item(film(merged_ids=["26000002"]))
    assert second.merged_ids == ["26000001", "26000002"]
    with pytest.raises(DropItem):  # nothing new: a plain duplicate
        pipeline.process_item(film(merged_ids=["26000001"]))
    assert pipeline.stats.get_value("moviespider/duplicates_kept_for_merge") == 1
    assert pipeline.stats.get_value("moviespider/duplicates_dropped") == 1


@pytest.fixture
def crawler():
    crawler = get_crawler(Spider)
    crawler.stats.open_spider()
    return crawler


def test_duplicates_are_dropped_once_seen(crawler):
    pipeline = DropDuplicates.from_crawler(crawler)
    first = movie()
    assert pipeline.process_item(first) is first
    pipeline.process_item(movie(subject_id="3541415"))
    with pytest.raises(DropItem):
        pipeline.process_item(movie(rank=1))
    assert crawler.stats.get_value("moviespider/duplicates_dropped") == 1
