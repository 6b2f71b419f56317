"""The signal helpers in moviespider/signals.py."""

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

from moviespider.signals import report_page_failed

URL = "https://movie.douban.com/subject/1292052/"


def test_a_report_needs_a_status_or_an_error():
    crawler = get_crawler(Spider)
    with pytest.raises(ValueError, match="status or an error"):
        report_page_failed(crawler, URL)
