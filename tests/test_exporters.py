"""Our feed exporters write a Movie exactly as Scrapy's own exporters do."""

import csv
import io
import json
from xml.etree import ElementTree

import pytest
from scrapy import exporters as scrapy_exporters
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

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


FORMULAS = ['=HYPERLINK("http://evil")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def test_csv_cells_that_would_run_as_formulas_get_a_leading_quote():
    films = [
        Movie(subject_id=str(n), url="u", source="top250", title=title, genres=[title, "剧情"])
        for n, title in enumerate(FORMULAS)
    ]
    rows = csv_rows(export(exporters.CsvItemExporter, films, encoding="utf-8"))
    assert [row["title"] for row in rows] == ["'" + title for title in FORMULAS]
    assert [row["genres"] for row in rows] == [f"'{title},剧情" for title in FORMULAS]
    assert rows[0]["subject_id"] == "0"  # other cells as they were


def test_a_dict_item_in_csv_is_made_safe_too():
    rows = csv_rows(export(exporters.CsvItemExporter, [{"title": "=1+1", "n": -1}]))
    assert rows == [{"title": "'=1+1", "n": "-1"}]


def test_spreadsheet_safety_can_be_switched_off():
    film = Movie(subject_id="1", url="u", source="top250", title="=1+1")
    rows = csv_rows(export(exporters.CsvItemExporter, [film], spreadsheet_safe=False))
    assert rows[0]["title"] == "=1+1"


def test_json_keeps_a_formula_as_it_is():
    film = Movie(subject_id="1", url="u", source="top250", title="=1+1")
    [line] = export(exporters.JsonLinesItemExporter, [film]).splitlines()
    assert json.loads(line)["title"] == "=1+1"


def test_xml_writes_a_missing_value_as_an_empty_element_not_none():
    film = Movie(subject_id="1", url="u", source="top250", title="片名")
    root = ElementTree.fromstring(export(exporters.XmlItemExporter, [film]))
    [item] = root
    assert item.find("title").text == "片名"
    assert item.find("year") is not None
    assert item.find("year").text is None
    assert b"None" not in export(exporters.XmlItemExporter, [film])


@pytest.mark.parametrize(("setting", "title"), [(None, "'=1+1"), ("0", "=1+1")])
def test_the_setting_chooses_for_the_feed(setting, title):
    crawler = get_crawler(
        settings_dict={} if setting is None else {"CSV_SPREADSHEET_SAFE": setting}
    )
    output = io.BytesIO()
    exporter = build_from_crawler(exporters.CsvItemExporter, crawler, output)
    exporter.start_exporting()
    exporter.export_item(Movie(subject_id="1", url="u", source="top250", title="=1+1"))
    exporter.finish_exporting()
    assert csv_rows(output.getvalue())[0]["title"] == title


def test_xml_leaves_out_the_control_characters_xml_cannot_hold_and_parses():
    film = Movie(
        subject_id="1", url="u", source="top250", title="片\x01名\x1b", genres=["剧\x0b情"]
    )
    root = ElementTree.fromstring(export(exporters.XmlItemExporter, [film]))
    [item] = root
    assert item.find("title").text == "片名"
    assert [value.text for value in item.find("genres")] == ["剧情"]
