"""MetaRefreshMiddleware: Scrapy's redirects, without decoding pages that cannot hold one."""

from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from moviespider.middlewares.metarefresh import MetaRefreshMiddleware

URL = "https://movie.douban.com/top250"
REFRESH = '<meta http-equiv="Refresh" content="0; url=https://sec.douban.com/c?r=x">'


def page(head: str, encoding: str = "utf-8") -> HtmlResponse:
    html = f"<html><head>{head}<title>豆瓣电影</title></head><body>{'电影' * 5000}</body></html>"
    return HtmlResponse(URL, body=html.encode(encoding), encoding=encoding)


def middleware() -> MetaRefreshMiddleware:
    return MetaRefreshMiddleware.from_crawler(get_crawler())


def test_a_page_without_a_refresh_passes_undecoded():
    response = page('<meta http-equiv="Pragma" content="no-cache">')
    assert middleware().process_response(Request(URL), response) is response
    assert response._cached_ubody is None  # Scrapy's would have decoded all 30 KB of it


def test_a_refresh_is_followed_as_scrapy_follows_it():
    redirected = middleware().process_response(Request(URL), page(REFRESH))
    assert isinstance(redirected, Request)
    assert redirected.url == "https://sec.douban.com/c?r=x"
    assert redirected.meta["redirect_urls"] == [URL]


def test_a_utf16_page_takes_scrapys_path():
    response = page(REFRESH, encoding="utf-16")
    assert isinstance(middleware().process_response(Request(URL), response), Request)


def test_the_project_uses_it_in_place_of_scrapys():
    from scrapy.utils.project import get_project_settings

    middlewares = get_project_settings().getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware"] is None
    assert middlewares["moviespider.middlewares.metarefresh.MetaRefreshMiddleware"] == 580
