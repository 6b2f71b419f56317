"""What every page parser shares: loading a document once and cleaning the text read from it.

Kept free of any page-specific knowledge so that each parser module reads as a description of
one page kind.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import lxml.etree
import lxml.html
from w3lib.encoding import html_to_unicode

from moviespider.site import SUBJECT_IN_URL

# Douban serves UTF-8 only (the sandbox too); fixing the encoding for bytes avoids libxml2's
# latin-1 guess when a page (or a truncated one) lacks its <meta charset>. huge_tree: without it
# libxml2 gives up on a text node or document past 10 MB and returns a stub.
_BYTES_PARSER = lxml.html.HTMLParser(encoding="utf-8", huge_tree=True)
_TEXT_PARSER = lxml.html.HTMLParser(huge_tree=True)

_INT = re.compile(r"\d+")
_TAIL = 1024  # bytes at the end of a document in which to look for its end tag
_END_TAG = re.compile(r"</html\s*>", re.IGNORECASE)
_END_TAG_BYTES = re.compile(rb"</html\s*>", re.IGNORECASE)


def xpath(expression: str) -> lxml.etree.XPath:
    """``expression`` compiled once, returning plain ``str`` for strings.

    lxml's default "smart" strings keep a reference to the element they came from, and with it
    the whole document: a poster URL in an item would hold its page's tree in memory until the
    item is exported, and at high concurrency hundreds of trees at once.
    """
    return lxml.etree.XPath(expression, smart_strings=False)


class PageError(ValueError):
    """The document is not the page kind the parser reads (ban page, login wall, JS shell,
    truncated or empty document)."""


class PageCutShort(PageError):
    """The document stops before its end: the connection was cut mid-page. Worth a retry."""


def load_document(html: bytes | str, page: str) -> lxml.html.HtmlElement:
    """Parse ``html`` once; ``page`` names the expected page kind for the error message.

    Bytes are read as a browser reads them (:func:`decode`); NUL characters are dropped.
    """
    if is_cut_short(html):
        raise PageCutShort(f"{page} page cut short: the document does not end with </html>")
    if isinstance(html, bytes):
        html = decode(html)
    if isinstance(html, str) and "\x00" in html:
        html = html.replace("\x00", "")  # libxml2 reads a NUL as the end of the text
    parser = _BYTES_PARSER if isinstance(html, bytes) else _TEXT_PARSER
    try:
        root = lxml.html.document_fromstring(html, parser=parser)
    except (lxml.etree.ParserError, ValueError) as exc:  # empty or whitespace-only document
        raise PageError(f"not a {page} page: {exc}") from None
    return root


def decode(html: bytes) -> bytes | str:
    """``html`` as libxml2 should read it: the bytes themselves (nearly always), or, when they
    hold a NUL, at which libxml2 stops reading, the text a browser would show: the encoding of a
    byte order mark or ``<meta charset>`` (UTF-8 by default), invalid sequences as U+FFFD.

    Invalid UTF-8 alone needs nothing: libxml2 reads each bad byte as U+FFFD, as a browser does
    (tests/parsing/test_bytes.py); checking every page for it would cost 10% of parsing.
    """
    if b"\x00" not in html:
        return html
    return html_to_unicode(None, html)[1]


def is_cut_short(html: bytes | str) -> bool:
    """True when the document stops before its end tag, as a connection cut mid-page leaves it.

    libxml2 closes the open elements of a truncated document silently, so a list page cut short
    would parse as a shorter list: the end tag is the one sign that the whole page arrived.
    Douban's pages (and every page a browser serialises) end with ``</html>``; blanks and NUL
    characters after it do not count as content.
    """
    end_tag = _END_TAG_BYTES if isinstance(html, bytes) else _END_TAG
    if end_tag.search(html[-_TAIL:]) is not None:
        return False
    # Padding after the end tag (rare, so only looked for here): strip it and look again.
    padding = b" \t\r\n\f\x00" if isinstance(html, bytes) else " \t\r\n\f\x00"
    stripped = html.rstrip(padding)  # type: ignore[arg-type]  # same type as html
    return len(stripped) == len(html) or end_tag.search(stripped[-_TAIL:]) is None


def whole_films(films: list[dict], page: str) -> list[dict]:
    """``films``, checked to each have a subject id and a title.

    A film node without them means the document was cut short (or is not the page it looks
    like): raising beats emitting a film that cannot be identified.
    """
    for position, film in enumerate(films, start=1):
        if not film["subject_id"] or not film["title"]:
            raise PageError(f"{page} page cut short: film {position} has no subject id or title")
    return films


def describe(root: lxml.html.HtmlElement) -> str:
    """A short description of what a document is, for PageError messages (its <title>)."""
    title = clean(root.findtext(".//title") or "")
    return f"document titled {title!r}" if title else "document without a title"


def clean(text: str | None) -> str:
    """``text`` with &nbsp;, ideographic spaces, CR/LF and runs of blanks folded into one
    space and the ends stripped."""
    return " ".join(text.split()) if text else ""


def clean_or_none(text: str | None) -> str | None:
    return (" ".join(text.split()) or None) if text else None


def split_clean(text: str | None, separator: str = "/") -> list[str]:
    """Split ``text`` on ``separator`` and keep the non-empty cleaned parts, in order."""
    if not text:
        return []
    return [part for part in (clean(p) for p in text.split(separator)) if part]


def clean_all(texts: Iterable[str]) -> list[str]:
    """Each text cleaned, empty ones dropped."""
    return [t for t in (clean(text) for text in texts) if t]


def first_int(text: str | None) -> int | None:
    """The first run of digits in ``text`` ("142分钟" -> 142), None if there is none."""
    if not text:
        return None
    match = _INT.search(text)
    return int(match.group()) if match else None


def to_float(text: str | None) -> float | None:
    """A rating: None for an empty, non-numeric or zero value (Douban's "not rated yet")."""
    try:
        value = float(text) if text else 0.0
    except ValueError:
        return None
    return value or None


def subject_id_from_url(url: str | None) -> str | None:
    """The id in a subject URL: ".../subject/1292052/?from=x" -> "1292052"."""
    if not url:
        return None
    match = SUBJECT_IN_URL.search(url)
    return match.group(1) if match else None


# Marks of a page that JavaScript fills in the browser. The sandbox's --js shells set
# window.__MOVIESPIDER_CSR__; marks of real client-side-rendered pages join it as they are met.
_JAVASCRIPT_SHELL_MARKERS = re.compile(rb"window\.__MOVIESPIDER_CSR__\s*=\s*true")


def is_javascript_shell(body: bytes) -> bool:
    """Whether a page is a shell for JavaScript to fill (only asked of a page with no content)."""
    return _JAVASCRIPT_SHELL_MARKERS.search(body) is not None
