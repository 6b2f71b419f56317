"""Requests as the shared frontier stores them: site-relative, lean, and without secrets."""

from __future__ import annotations

import copy
from typing import Any

from scrapy_redis import picklecompat

# What a request dict holds by default: left out, request_from_dict restores it.
_DEFAULTS: dict[str, Any] = {
    "headers": {},
    "body": b"",
    "cookies": {},
    "meta": {},
    "encoding": "utf-8",
    "flags": [],
    "cb_kwargs": {},
    "dont_filter": False,
    "method": "GET",
    "priority": 0,
    "callback": None,
    "errback": None,
}
# Never stored: the worker that takes the request gives it a session, cookies and a proxy of its
# own (SessionMiddleware), and log-in cookies and proxy passwords must not leave the process.
_SECRET_HEADERS = frozenset({b"cookie", b"proxy-authorization", b"authorization"})
_SESSION_META = frozenset(
    {"proxy", "_auth_proxy", "cookiejar", "moviespider_session", "moviespider_session_proxy"}
)


class SiteRelativeSerializer:
    """scrapy-redis's pickle serializer over requests whose URL on ``base_url`` is stored as
    its path, so that workers crawling different mirrors (or sandboxes) share one frontier."""

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")

    def dumps(self, obj: dict[str, Any]) -> bytes:
        stored = {
            name: value
            for name, value in obj.items()
            if name not in _DEFAULTS or value != _DEFAULTS[name]
        }
        url: str = stored["url"]
        if url.startswith(f"{self.base_url}/"):
            stored["url"] = url[len(self.base_url) :]
        stored.pop("cookies", None)
        if headers := stored.get("headers"):
            kept = {k: v for k, v in headers.items() if _header_name(k) not in _SECRET_HEADERS}
            stored["headers"] = kept
            if not kept:
                del stored["headers"]
        if meta := stored.get("meta"):
            kept_meta = {k: v for k, v in meta.items() if k not in _SESSION_META}
            stored["meta"] = kept_meta
            if not kept_meta:
                del stored["meta"]
        return picklecompat.dumps(stored)

    def loads(self, data: bytes) -> dict[str, Any]:
        obj = {**copy.deepcopy(_DEFAULTS), **picklecompat.loads(data)}
        if obj["url"].startswith("/"):
            obj["url"] = self.base_url + obj["url"]
        return obj


def _header_name(name: str | bytes) -> bytes:
    return (name.encode() if isinstance(name, str) else name).lower()
