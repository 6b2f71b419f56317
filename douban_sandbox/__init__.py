"""A local Douban look-alike for tests, demos and benchmarks.

``python -m douban_sandbox --port 8050`` serves invented films in Douban's real markup at
Douban's paths; see ``python -m douban_sandbox --help`` and the modules:

- ``catalog``: the films and their ground truth (``build_catalog(size, seed, today)``);
- ``pages``: Douban markup rendered from string templates in ``templates/``;
- ``faults``: deterministic failures, bans and walls;
- ``app``: the aiohttp application (``create_app(options)``);
- ``process``: ``SandboxProcess``, the sandbox in a child process on a free port;
- ``bench``: ``python -m douban_sandbox.bench``, pages per second.

JS mode (``--js``) serves every list and subject page as a client-side-rendered shell:
``<div id="app" data-csr="1" data-src="/j/...">`` and an inline script that sets
``window.__MOVIESPIDER_CSR__ = true``, fetches the JSON ``{"html": ...}`` at ``data-src`` and puts
that markup, the static page's own, in place of div#app. The rendered DOM is the static page's
(plus the script), posters included, so the same parsers read it. When the script is done,
``<html>`` has ``data-csr-rendered="1"`` (wait for it, or for the list's selector); if the fetch
failed, div#app has ``data-csr-error``. The /j/ requests are pages for faults and stats.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from douban_sandbox.process import SandboxProcess

if TYPE_CHECKING:
    from aiohttp import web

    from douban_sandbox.options import SandboxOptions

__all__ = ["SandboxProcess", "create_app"]


def create_app(options: SandboxOptions | None = None) -> web.Application:
    """The sandbox as an aiohttp application; see ``douban_sandbox.app``."""
    # Imported here so that starting a SandboxProcess does not load aiohttp and Pillow.
    from douban_sandbox.app import create_app as create

    return create(options)
