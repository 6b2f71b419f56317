"""Films and a storage pipeline for tests, built as a crawl builds them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy import Spider
from scrapy.utils.test import get_crawler

from moviespider.items import Movie
from moviespider.pipelines.storage import StoreMovies
from moviespider.site import canonical_subject_url

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy.engine import URL


class Top250Spider(Spider):
    name = "douban_top250"


def top250_films(crawled_at: str, count: int = 250, *, shift: int = 0) -> list[Movie]:
    """A Top250-like list: film i ranked i + 1. *shift* moves every subject id up, so the last
    *shift* films of one list are new entrants in the next."""
    films = []
    for rank in range(1, count + 1):
        subject_id = str(1291000 + rank + shift)
        films.append(
            Movie(
                subject_id=subject_id,
                url=canonical_subject_url(subject_id),
                source="top250",
                title=f"影片{rank + shift}",
                year=1990 + rank % 30,
                directors=[f"导演{rank % 7}"],
                genres=["剧情", "爱情"][: 1 + rank % 2],
                rating=round(9.7 - rank / 100, 1),
                votes=3_000_000 - rank * 1000,
                rank=rank,
                quote=f"第{rank}句",
                crawled_at=crawled_at,
            )
        )
    return films


def storage_pipeline(
    url: URL, spidercls: type[Spider] = Top250Spider, **settings: Any
) -> StoreMovies:
    """The pipeline, built as a crawl builds it, for *url*."""
    crawler = get_crawler(
        spidercls, {"DATABASE_URL": url.render_as_string(hide_password=False), **settings}
    )
    crawler.spider = spidercls.from_crawler(crawler)
    return StoreMovies.from_crawler(crawler)


async def run_pipeline(
    pipeline: StoreMovies, films: Iterable[Any], reason: str = "finished"
) -> None:
    """Open the pipeline, pass *films* through it and close it, as the engine does."""
    await pipeline.open_spider()
    for film in films:
        assert await pipeline.process_item(film) is film
    await pipeline.close_spider()
    await pipeline.spider_closed(reason)
