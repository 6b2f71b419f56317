"""A local Douban look-alike for tests, demos and benchmarks.

``python -m douban_sandbox --help`` lists its options; docs/sandbox.md describes its modules, its
paths, its JS mode, the catalog's ground truth and its faults.
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
