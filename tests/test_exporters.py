"""Our feed exporters write a Movie exactly as Scrapy's own exporters do."""

import io

import pytest
from scrapy import exporters as scrapy_exporters

from moviespider import exporters
from moviespider.items import Movie

FILM = Movie(
    subject_id="1292052",
    url="https://movie.douban.com/subject/1292052/",
    source="top250",
    title="肖申克的救赎",
    original_title="The Shawshank Redemption",
    aliases=["月黑高飞(港)", "刺激1995(台)"],
    year=1994,
    genres=["犯罪", "剧情"],
    rating=9.7,
    votes=3157752,
    rank=1,
)


def export(exporter_class, items, **options):
    output = io.BytesIO()
    exporter = exporter_class(output, **options)
    exporter.start_exporting()
    for item in items:
        exporter.export_item(item)
    exporter.finish_exporting()
    return output.getvalue()


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (exporters.JsonItemExporter, scrapy_exporters.JsonItemExporter),
        (exporters.JsonLinesItemExporter, scrapy_exporters.JsonLinesItemExporter),
        (exporters.CsvItemExporter, scrapy_exporters.CsvItemExporter),
    ],
)
def test_a_movie_is_written_byte_for_byte_as_scrapy_writes_it(ours, theirs):
    items = [FILM, Movie(subject_id="1", url="u", source="top250")]
    assert export(ours, items, encoding="utf-8") == export(theirs, items, encoding="utf-8")


def test_export_fields_and_other_items_take_scrapys_path():
    fields = ["title", "rank"]
    ours = export(exporters.JsonLinesItemExporter, [FILM], fields_to_export=fields)
    assert ours == export(scrapy_exporters.JsonLinesItemExporter, [FILM], fields_to_export=fields)
    assert export(exporters.JsonLinesItemExporter, [{"a": 1}]) == b'{"a": 1}\n'
