"""Posters: stored with a thumbnail for a sandbox crawl; a missing or broken one drops nothing."""

from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from PIL import Image
from scrapy import Spider
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from moviespider.errors import ConfigError
from moviespider.pipelines.posters import DownloadPosters, image_url
from tests.helpers.crawl import run_crawl

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

POSTER = "https://img1.doubanio.com/view/photo/s_ratio_poster/public/p2561716440.jpg"
SANDBOX = {"DOUBAN_SANDBOX": "1", "DOUBAN_SANDBOX_ARGS": "--catalog 300 --seed 11"}


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        (None, POSTER),
        (
            "http://127.0.0.1:8080",
            "http://127.0.0.1:8080/view/photo/s_ratio_poster/public/p2561716440.jpg",
        ),
        (
            "http://mirror.example/doubanio/",
            "http://mirror.example/doubanio/view/photo/s_ratio_poster/public/p2561716440.jpg",
        ),
    ],
)
def test_image_base_url_replaces_scheme_and_host_and_keeps_the_path(
    base: str | None, expected: str
):
    assert image_url(POSTER, base) == expected


def test_posters_are_off_by_default():
    with pytest.raises(NotConfigured):
        DownloadPosters.from_crawler(get_crawler(Spider, {"IMAGES_STORE": "posters"}))


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"IMAGES_STORE": ""}, "setting IMAGES_STORE: "),
        ({"DOUBAN_IMAGE_BASE_URL": "img1.doubanio.com"}, "setting DOUBAN_IMAGE_BASE_URL: "),
    ],
)
def test_a_bad_poster_setting_is_a_config_error(settings: dict[str, str], message: str):
    crawler = get_crawler(Spider, {"DOWNLOAD_POSTERS": True, "IMAGES_STORE": "posters", **settings})
    with pytest.raises(ConfigError, match=f"^{message}"):
        DownloadPosters.from_crawler(crawler)


@pytest.mark.crawl
def test_a_sandbox_crawl_stores_every_poster_with_a_thumbnail(tmp_path: Path):
    store = tmp_path / "posters"
    database = tmp_path / "movies.sqlite3"

    crawl = run_crawl(
        "douban_top250",
        tmp_path,
        settings={**SANDBOX, "DOWNLOAD_POSTERS": "1", "IMAGES_STORE": str(store)},
        env={"DATABASE_URL": f"sqlite:///{database}"},
    )

    assert crawl.returncode == 0, crawl.log[-3000:]
    assert len(crawl.items) == 250
    for film in crawl.items:
        assert film["poster_path"] == f"full/{film['subject_id']}.jpg"
        assert urlsplit(film["poster_url"]).path.startswith("/view/photo/s_ratio_poster/")
        poster = Image.open(store / film["poster_path"])
        assert (poster.format, poster.size) == ("JPEG", (135, 200))
        thumbnail = Image.open(store / "thumbs" / "small" / f"{film['subject_id']}.jpg")
        assert thumbnail.width <= 68 and thumbnail.height == 100
    engine = sa.create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        query = sa.text("SELECT subject_id, poster_path FROM movies")
        stored = {row.subject_id: row.poster_path for row in connection.execute(query)}
    engine.dispose()
    assert stored == {film["subject_id"]: film["poster_path"] for film in crawl.items}


class ImageHost(BaseHTTPRequestHandler):
    """Douban's image host as it goes wrong: a poster id ending in 0 is missing (404), one
    ending in 1 is not an image; the others are JPEGs."""

    seen: list[tuple[str, str | None]]

    def do_GET(self) -> None:
        self.seen.append((self.path, self.headers.get("Referer")))
        ending = self.path.removesuffix(".jpg")[-1]
        if ending == "0":
            self.send_error(404)
            return
        if ending == "1":
            body = b"<html>not an image</html>"
        else:
            buffer = io.BytesIO()
            Image.new("RGB", (270, 400), (120, 30, 30)).save(buffer, "JPEG")
            body = buffer.getvalue()
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class ImageServer(ThreadingHTTPServer):
    request_queue_size = 128  # the crawl opens dozens of connections at once; the default is 5


@pytest.fixture
def image_host() -> Iterator[tuple[str, list[tuple[str, str | None]]]]:
    seen: list[tuple[str, str | None]] = []
    handler = type("Handler", (ImageHost,), {"seen": seen})
    server = ImageServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", seen
    server.shutdown()
    server.server_close()


@pytest.mark.crawl
def test_a_missing_or_broken_poster_keeps_the_film(
    tmp_path: Path, image_host: tuple[str, list[tuple[str, str | None]]]
):
    base_url, seen = image_host

    crawl = run_crawl(
        "douban_top250",
        tmp_path,
        settings={
            **SANDBOX,
            "DOWNLOAD_POSTERS": "1",
            "IMAGES_STORE": str(tmp_path / "posters"),
            "DOUBAN_IMAGE_BASE_URL": base_url,
        },
    )

    assert crawl.returncode == 0, crawl.log[-3000:]
    assert len(crawl.items) == 250
    requested = {path: referer for path, referer in seen}
    bad = 0
    for film in crawl.items:
        path = urlsplit(film["poster_url"]).path
        assert requested[path] == film["url"]  # downloaded from the image host, with a Referer
        if path.removesuffix(".jpg")[-1] in "01":
            bad += 1
            assert film["poster_path"] is None
        else:
            assert film["poster_path"] == f"full/{film['subject_id']}.jpg"
            assert (tmp_path / "posters" / film["poster_path"]).is_file()
    assert 0 < bad < 250
    assert f"'moviespider/posters/failed': {bad}," in crawl.log
