"""Secrets: log-in cookies, proxy URLs and what must not leave the process with a stored request."""

from __future__ import annotations

import os
import re
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from moviespider.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from scrapy.settings import BaseSettings

SECRET_HEADERS = frozenset({b"cookie", b"proxy-authorization", b"authorization"})
# request.meta key: set when meta["proxy"] is the session's, not one the spider chose.
PROXY_META_KEY = "moviespider_session_proxy"


def parse_cookie_header(text: str) -> dict[str, str]:
    """Cookies copied from a browser, as ``name=value; name2=value2``.

    Raises ValueError naming the position of a malformed pair, never its content: these are
    log-in cookies.
    """
    cookies = {}
    for position, pair in enumerate(text.split(";"), start=1):
        if not pair.strip():
            continue
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name or any(c.isspace() for c in name):
            raise ValueError(f"pair {position} is not name=value")
        cookies[name] = value.strip()
    if not cookies:
        raise ValueError("no name=value pairs")
    return cookies


# Scrapy's HTTP download handlers tunnel through http:// and https:// proxies only.
PROXY_SCHEMES = frozenset({"http", "https"})

# Everything between the scheme (if any) and the last "@" before the path: the credentials.
_CREDENTIALS = re.compile(r"^(?P<scheme>[a-z][a-z0-9+.-]*://)?[^/]*@", re.IGNORECASE)
_LIST_SEPARATORS = re.compile(r"[\s,]+")


def mask_proxy_url(url: str) -> str:
    """*url* with any user name and password replaced by ``***``, safe to log."""
    return _CREDENTIALS.sub(lambda match: f"{match['scheme'] or ''}***@", url, count=1)


def parse_proxy_url(text: str) -> str:
    """Validate one proxy URL and return it with a scheme (``host:port`` means ``http://``).

    Raises ValueError with a message that shows the URL masked.
    """
    url = text if "://" in text else f"http://{text}"
    masked = mask_proxy_url(url)
    parts = urlsplit(url)
    if parts.scheme.lower() not in PROXY_SCHEMES:
        raise ValueError(
            f"{masked}: Scrapy can use http:// and https:// proxies only, not {parts.scheme}://"
        )
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"{masked}: the port is not a number from 1 to 65535") from None
    if not parts.hostname or port is None:
        raise ValueError(f"{masked}: a proxy URL needs a host and a port (http://host:port)")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"{masked}: a proxy URL has no path, query or fragment")
    return url


def read_proxy_list(settings: BaseSettings, environ: Mapping[str, str]) -> list[str]:
    """The proxy URLs configured for this crawl, validated; ``[]`` when none are.

    The ``PROXY_LIST`` setting names a file with one URL per line (blank lines and ``#``
    comments are skipped). Without it, the ``PROXY_LIST`` environment variable may hold the
    URLs themselves, separated by spaces, commas or newlines. URLs never go in the setting:
    Scrapy writes overridden settings to the log.
    """
    path = settings.get("PROXY_LIST")
    if path:
        path = str(path)
        if "://" in path:
            raise ConfigError(
                "setting PROXY_LIST: expected the path of a file of proxy URLs; put the URLs "
                "in that file or in the PROXY_LIST environment variable (settings are logged)"
            )
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            shown = mask_proxy_url(path)  # in case a user:password@host slipped in
            raise ConfigError(f"setting PROXY_LIST: cannot read {shown}: {reason}") from None
        entries = [
            (f"{path} line {number}", line.strip())
            for number, line in enumerate(text.splitlines(), start=1)
            if line.strip() and not line.lstrip().startswith("#")
        ]
        origin = f"setting PROXY_LIST ({path})"
    else:
        value = environ.get("PROXY_LIST", "").strip()
        if not value:
            return []
        entries = [
            (f"entry {number}", token)
            for number, token in enumerate(_LIST_SEPARATORS.split(value), start=1)
        ]
        origin = "environment variable PROXY_LIST"
    urls = []
    for where, text in entries:
        try:
            urls.append(parse_proxy_url(text))
        except ValueError as error:
            raise ConfigError(f"{origin}: {where}: {error}") from None
    if not urls:
        raise ConfigError(f"{origin}: no proxy URLs in it")
    return list(dict.fromkeys(urls))  # the first of any duplicates, in order


def strip_secrets(record: dict[str, Any], cookie_names: Collection[str]) -> dict[str, Any]:
    """A request's ``to_dict()`` without what must not reach the disk: cookie and proxy
    credential headers, the proxy URL's credentials, the log-in and session cookies. On the
    next run SessionMiddleware, CookiesMiddleware and HttpProxyMiddleware add them again."""
    headers = record.get("headers")
    if headers:
        record["headers"] = {
            name: value
            for name, value in headers.items()
            if (name.lower() if isinstance(name, bytes) else name.lower().encode())
            not in SECRET_HEADERS
        }
    meta = record.get("meta")
    if meta:
        meta = record["meta"] = dict(meta)
        meta.pop("_auth_proxy", None)
        if meta.pop(PROXY_META_KEY, None):
            meta.pop("proxy", None)  # the session's: it sets it again
        elif meta.get("proxy"):
            meta["proxy"] = without_credentials(meta["proxy"])
    cookies = record.get("cookies")
    if cookies:
        secret = {"bid", *cookie_names}
        if isinstance(cookies, dict):
            record["cookies"] = {k: v for k, v in cookies.items() if k not in secret}
        else:
            record["cookies"] = [c for c in cookies if c.get("name") not in secret]
    return record


def without_credentials(url: str) -> str:
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def login_cookie_names() -> frozenset[str]:
    """The names of the DOUBAN_COOKIES log-in cookies (the session middleware checks them)."""
    try:
        return frozenset(parse_cookie_header(os.environ.get("DOUBAN_COOKIES", "")))
    except ValueError:
        return frozenset()
