"""How fast the sandbox serves: ``python -m douban_sandbox.bench [--catalog 50000] ...``.

Starts the sandbox in a child process, then fetches Top250 list pages (and, with
``--subjects``, their films' subject pages) with an aiohttp client at a fixed concurrency, and
reports pages per second for a first pass (rendering) and later passes (cached pages), both as
seen by the client and as the server's CPU time per page (which a busy machine does not skew).
Sandbox options go after ``--``, e.g. ``-- --warm --latency 0.1``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import urllib.request

import aiohttp

from douban_sandbox.catalog import build_catalog
from douban_sandbox.process import SandboxProcess

USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) moviespider-sandbox-bench"


async def fetch_all(base: str, paths: list[str], concurrency: int) -> tuple[float, int]:
    """Fetch every path once; return (seconds, bytes)."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for path in paths:
        queue.put_nowait(path)
    received = 0

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal received
        while not queue.empty():
            path = queue.get_nowait()
            async with session.get(base + path) as response:
                body = await response.read()
                if response.status != 200:
                    raise RuntimeError(f"{path}: HTTP {response.status}")
                received += len(body)

    connector = aiohttp.TCPConnector(limit=concurrency)
    headers = {"User-Agent": USER_AGENT}
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        return time.perf_counter() - started, received


def server_cpu(base: str) -> float:
    """The sandbox's CPU seconds so far, from its stats endpoint."""
    with urllib.request.urlopen(f"{base}/__sandbox__/stats", timeout=10) as response:
        return json.load(response)["cpu_seconds"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m douban_sandbox.bench")
    parser.add_argument("--catalog", type=int, default=50_000)
    parser.add_argument("--pages", type=int, default=2_000, help="Top250 list pages to fetch")
    parser.add_argument("--subjects", type=int, default=0, help="subject pages to fetch too")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("sandbox_args", nargs="*", help="more sandbox options, after --")
    options = parser.parse_args(argv)

    catalog = build_catalog(size=options.catalog)
    paths = [f"/top250?start={n * 25}&filter=" for n in range(options.pages)]
    paths += [f"/subject/{catalog.subject_id_of(n)}/" for n in range(options.subjects)]
    started = time.perf_counter()
    args = ["--catalog", str(options.catalog), *options.sandbox_args]
    with SandboxProcess(args=args) as sandbox:
        assert sandbox.url is not None
        print(f"sandbox ready in {time.perf_counter() - started:.2f} s at {sandbox.url}")
        for number in range(1, options.passes + 1):
            cpu = server_cpu(sandbox.url)
            seconds, size = asyncio.run(fetch_all(sandbox.url, paths, options.concurrency))
            cpu_per_page = (server_cpu(sandbox.url) - cpu) / len(paths)
            print(
                f"pass {number}: {len(paths)} pages in {seconds:.2f} s = "
                f"{len(paths) / seconds:,.0f} pages/s, {size / seconds / 1e6:.1f} MB/s; "
                f"server CPU {cpu_per_page * 1000:.3f} ms/page "
                f"= {1 / cpu_per_page:,.0f} pages/s per core"
            )


if __name__ == "__main__":
    main()
