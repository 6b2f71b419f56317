"""A local Douban look-alike for tests, demos and benchmarks.

``python -m moviespider.sandbox --port 8050`` serves invented films in Douban's real markup at
Douban's paths; see ``python -m moviespider.sandbox --help`` and the modules:

- ``catalog``: the films and their ground truth (``build_catalog(size, seed, today)``);
- ``pages``: Douban markup rendered from string templates in ``templates/``;
- ``faults``: deterministic failures, bans and walls;
- ``app``: the aiohttp application (``create_app(options)``);
- ``process``: ``SandboxProcess``, the sandbox in a child process on a free port.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from moviespider.sandbox.process import SandboxProcess

if TYPE_CHECKING:
    from aiohttp import web

    from moviespider.sandbox.options import SandboxOptions

__all__ = ["SandboxProcess", "create_app"]


def create_app(options: SandboxOptions | None = None) -> web.Application:
    """The sandbox as an aiohttp application; see ``moviespider.sandbox.app``."""
    # Imported here so that starting a SandboxProcess does not load aiohttp and Pillow.
    from moviespider.sandbox.app import create_app as create

    return create(options)
