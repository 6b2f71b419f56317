"""Store each film's poster with Scrapy's ImagesPipeline (``-s DOWNLOAD_POSTERS=1``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from itemadapter import ItemAdapter
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http.request import NO_CALLBACK
from scrapy.pipelines.images import ImagesPipeline

from moviespider.config import PostersConfig

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.pipelines.media import FileInfoOrError, MediaPipeline

STATS_PREFIX = "moviespider/posters"


def image_url(poster_url: str, image_base_url: str | None) -> str:
    """Where to download *poster_url* from: from *image_base_url* (scheme, host and an optional
    path prefix) when given, keeping the poster's path; else from where the page said."""
    if not image_base_url:
        return poster_url
    base = urlsplit(image_base_url)
    poster = urlsplit(poster_url)
    return urlunsplit(
        (base.scheme, base.netloc, base.path.rstrip("/") + poster.path, poster.query, "")
    )


class DownloadPosters(ImagesPipeline):
    """Store each film's poster under IMAGES_STORE as ``full/<subject_id>.jpg``, with the
    thumbnails of IMAGES_THUMBS as ``thumbs/<name>/<subject_id>.jpg``, and set the film's
    ``poster_path`` to the first.

    The item's ``poster_url`` is kept as the page gave it; DOUBAN_IMAGE_BASE_URL only changes
    where the image is downloaded from. A film whose poster is missing or broken goes on with
    ``poster_path`` None. A poster stored less than IMAGES_EXPIRES days ago is not downloaded
    again.
    """

    def __init__(self, store_uri: str, download_func: None = None, *, crawler: Crawler):
        super().__init__(store_uri, crawler=crawler)
        self.image_base_url = PostersConfig.from_settings(crawler.settings).image_base_url

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        # Checked before ImagesPipeline creates IMAGES_STORE.
        if not PostersConfig.from_settings(crawler.settings).enabled:
            raise NotConfigured
        return super().from_crawler(crawler)

    def get_media_requests(self, item: Any, info: MediaPipeline.SpiderInfo) -> list[Request]:
        film = ItemAdapter(item)
        poster_url = film.get("poster_url")
        if not poster_url:
            return []
        return [
            Request(
                image_url(poster_url, self.image_base_url),
                callback=NO_CALLBACK,
                # Douban's image hosts serve pages of movie.douban.com, and are not in a
                # spider's allowed_domains.
                headers={"Referer": film["url"]},
                meta={"allow_offsite": True},
            )
        ]

    def file_path(
        self,
        request: Request,
        response: Response | None = None,
        info: MediaPipeline.SpiderInfo | None = None,
        *,
        item: Any = None,
    ) -> str:
        return f"full/{ItemAdapter(item)['subject_id']}.jpg"

    def thumb_path(
        self,
        request: Request,
        thumb_id: str,
        response: Response | None = None,
        info: MediaPipeline.SpiderInfo | None = None,
        *,
        item: Any = None,
    ) -> str:
        return f"thumbs/{thumb_id}/{ItemAdapter(item)['subject_id']}.jpg"

    def item_completed(
        self, results: list[FileInfoOrError], item: Any, info: MediaPipeline.SpiderInfo
    ) -> Any:
        film = ItemAdapter(item)
        stored = [result["path"] for ok, result in results if ok]
        film["poster_path"] = stored[0] if stored else None
        if stored:
            self.crawler.stats.inc_value(f"{STATS_PREFIX}/stored")
        elif film.get("poster_url"):
            self.crawler.stats.inc_value(f"{STATS_PREFIX}/failed")  # Scrapy logged why
        else:
            self.crawler.stats.inc_value(f"{STATS_PREFIX}/none")
        return item
