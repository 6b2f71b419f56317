"""``scrapy check`` contracts for moviespider's callbacks.

Scrapy's ``@url`` takes an absolute URL, but every URL the spiders request is built from
DOUBAN_BASE_URL (the sandbox's is only known once it has started on a free port). ``@site``
takes a path and requests it from DOUBAN_BASE_URL, as the spiders do, or names a spider method
that builds the URL (``@site list_url``: a city list spider's own list)::

    scrapy check -s DOUBAN_SANDBOX=1     # against the sandbox (the subject ids are its own)
"""

from __future__ import annotations

from typing import Any

from scrapy.contracts import Contract


class SiteContract(Contract):
    """``@site /path``: the sample request is DOUBAN_BASE_URL + path; ``@site method``: the URL
    the spider's *method* builds."""

    name = "site"

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        spider = args["callback"].__self__
        where = self.args[0]
        args["url"] = (
            spider.site.base_url + where if where.startswith("/") else getattr(spider, where)()
        )
        return args
