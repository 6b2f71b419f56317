"""What must not leave the process with a request that is stored (a journal, Redis)."""

from __future__ import annotations

import os
from collections.abc import Collection
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from moviespider.middlewares.sessions import PROXY_META_KEY, parse_cookie_header

SECRET_HEADERS = frozenset({b"cookie", b"proxy-authorization", b"authorization"})


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
