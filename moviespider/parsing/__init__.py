"""Douban page parsers: pure functions from a page's HTML to field values.

One module per page kind. Each parses the document once with lxml and reads it with XPath
expressions compiled at import; none needs Scrapy, so each is tested on HTML alone. Field
semantics are the Movie schema's (``moviespider.items``): a value the page lacks is None, a list
it lacks is []. A document that is not the expected page raises PageError rather than yielding
empty or bogus films.
"""

from moviespider.parsing._document import (
    PageCutShort,
    PageError,
    is_javascript_shell,
    subject_id_from_url,
)
from moviespider.parsing.later import infer_release_date, parse_later_page
from moviespider.parsing.nowplaying import parse_nowplaying_page
from moviespider.parsing.subject import parse_subject_page
from moviespider.parsing.top250 import parse_top250_page

__all__ = [
    "PageCutShort",
    "PageError",
    "infer_release_date",
    "is_javascript_shell",
    "parse_later_page",
    "parse_nowplaying_page",
    "parse_subject_page",
    "parse_top250_page",
    "subject_id_from_url",
]
