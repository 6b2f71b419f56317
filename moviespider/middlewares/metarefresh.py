"""Scrapy's MetaRefreshMiddleware, without its cost on the pages that cannot hold a refresh.

Saves decoding every page in full (and keeping the text while it waits: docs/performance.md).
A refresh tag needs the word "refresh" in the first 4,096 characters Scrapy reads; a page
without it is passed on untouched, as Scrapy's would pass it.
"""

from __future__ import annotations

import codecs
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares import redirect
from scrapy.http import HtmlResponse

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response

_HEAD_BYTES = 4096 * 4  # the 4,096 characters Scrapy reads, in the widest UTF-8
# In UTF-16 or UTF-32 the word is not these bytes: such a page takes Scrapy's path.
_WIDE_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)


class MetaRefreshMiddleware(redirect.MetaRefreshMiddleware):
    def process_response(self, request: Request, response: Response) -> Request | Response:
        if isinstance(response, HtmlResponse) and not could_refresh(response.body):
            return response
        return super().process_response(request, response)


def could_refresh(body: bytes) -> bool:
    """False when ``body`` cannot hold a meta refresh in the part Scrapy reads."""
    # Lower-casing and searching is cheaper than a case-blind regex.
    return body.startswith(_WIDE_BOMS) or b"refresh" in body[:_HEAD_BYTES].lower()
