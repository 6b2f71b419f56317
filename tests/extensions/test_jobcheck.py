"""JobCheck: a JOBDIR this spider cannot resume is refused in one line, before any request."""

import pytest
from scrapy import Spider
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from moviespider.errors import ConfigError
from moviespider.extensions.jobcheck import JobCheck
from tests.helpers.jobdir import FilmSpider, Run


def check(spidercls, jobdir):
    crawler = get_crawler(spidercls, {"JOBDIR": str(jobdir)})
    crawler.spider = spidercls.from_crawler(crawler)
    return JobCheck.from_crawler(crawler)


def test_the_job_check_refuses_another_spiders_job_before_the_crawl(tmp_path):
    Run(tmp_path).schedule("1")

    class OtherSpider(FilmSpider):
        name = "other"

    with pytest.raises(ConfigError, match="is a job of spider films; give other a JOBDIR"):
        check(OtherSpider, tmp_path)


def test_the_job_check_refuses_requests_the_code_cannot_take_back(tmp_path):
    Run(tmp_path).schedule("1")

    class ChangedSpider(Spider):  # same name, parse_details is gone
        name = "films"

    with pytest.raises(ConfigError, match="holds a request this spider cannot take back"):
        check(ChangedSpider, tmp_path)


def test_the_job_check_lets_the_same_spider_resume(tmp_path):
    Run(tmp_path).schedule("1")
    check(FilmSpider, tmp_path)


def test_the_job_check_is_off_without_a_job(tmp_path):
    with pytest.raises(NotConfigured):
        check(FilmSpider, tmp_path)
