"""Requests as the shared frontier stores them: site-relative, lean, and without secrets."""

from __future__ import annotations

import copy
from typing import Any

from scrapy_redis import picklecompat

from moviespider.credentials import login_cookie_names, strip_secrets

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


class SiteRelativeSerializer:
    """scrapy-redis's pickle serializer over requests whose URL on ``base_url`` is stored as its
    path, so that workers crawling different mirrors (or sandboxes) share one frontier. Cookies
    and proxy credentials are left out (moviespider.credentials): the worker that takes the
    request gives it a session of its own."""

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        self.secret_cookies = login_cookie_names()

    def dumps(self, obj: dict[str, Any]) -> bytes:
        obj = strip_secrets(dict(obj), self.secret_cookies)
        stored = {
            name: value
            for name, value in obj.items()
            if name not in _DEFAULTS or value != _DEFAULTS[name]
        }
        url: str = stored["url"]
        if url.startswith(f"{self.base_url}/"):
            stored["url"] = url[len(self.base_url) :]
        return picklecompat.dumps(stored)

    def loads(self, data: bytes) -> dict[str, Any]:
        obj = {**copy.deepcopy(_DEFAULTS), **picklecompat.loads(data)}
        if obj["url"].startswith("/"):
            obj["url"] = self.base_url + obj["url"]
        return obj
