"""``python -m douban_sandbox``: serve the sandbox until interrupted."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys

from aiohttp import web

from douban_sandbox.app import SANDBOX_KEY, create_app
from douban_sandbox.catalog import Catalog
from douban_sandbox.options import SandboxOptions, parse_options

READY_LINE = "moviespider sandbox listening on {url}"
USAGE_EXIT_CODE = 2


async def serve(options: SandboxOptions) -> None:
    app = create_app(options)
    runner = web.AppRunner(
        app, access_log=logging.getLogger("aiohttp.access") if options.access_log else None
    )
    await runner.setup()
    site = web.TCPSite(runner, options.host, options.port, shutdown_timeout=1.0)
    try:
        await site.start()
    except OSError as error:
        await runner.cleanup()
        print(
            f"moviespider sandbox: cannot listen on {options.host}:{options.port}: "
            f"{error.strerror or error}",
            file=sys.stderr,
        )
        raise SystemExit(USAGE_EXIT_CODE) from None
    host, port = runner.addresses[0][:2]
    display_host = f"[{host}]" if ":" in host else host
    url = f"http://{display_host}:{port}"
    if options.warm:
        app[SANDBOX_KEY].warm(url)
    # Exactly one line on stdout: SandboxProcess reads the URL from it.
    print(READY_LINE.format(url=url), flush=True)
    sys.stdout = sys.stderr  # a parent reads only that line: never fill its pipe
    if not options.exit_with_stdin:  # a person started it: show where to begin
        print(examples(url, app[SANDBOX_KEY].catalog), flush=True)
    try:
        if options.exit_with_stdin:
            await _stdin_closed()
        else:
            await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def examples(url: str, catalog: Catalog) -> str:
    first, second = (catalog.by_rank(rank).subject_id for rank in (1, min(2, len(catalog))))
    city = next(iter(catalog.cities))
    return "\n".join(
        [
            f"  {url}/top250",
            f"  {url}/cinema/later/{city}/   (cities: {', '.join(catalog.cities)})",
            f"  {url}/subject/{first}/",
            f"  scrapy crawl douban_subject -a ids={first},{second} "
            f"-s DOUBAN_BASE_URL={url} -o films.jsonl",
        ]
    )


async def _stdin_closed() -> None:
    """Return when stdin reaches end of file, e.g. because the parent process died."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while await reader.read(4096):
        pass


def main(argv: list[str] | None = None) -> None:
    options = parse_options(argv)
    if options.access_log:
        logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
    try:
        import uvloop  # optional: faster event loop for benchmarks
    except ImportError:
        runner = asyncio.run
    else:
        runner = uvloop.run
    with contextlib.suppress(KeyboardInterrupt):
        runner(serve(options))


if __name__ == "__main__":
    main()
