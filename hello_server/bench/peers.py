"""The servers ours is measured against, each speaking the same line protocol where it can.

``python -m hello_server.bench.peers gevent|asyncio --port PORT`` runs one of the textbook
versions: one process, a counter in memory (no persistence, no limits), a coroutine (greenlet or
asyncio Task) per connection. nginx answers a fixed string on connect and closes.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
from pathlib import Path

NGINX = "/usr/sbin/nginx"
NGINX_STREAM_MODULE = "/usr/lib/nginx/modules/ngx_stream_module.so"


def nginx_config(directory: Path, port: int, workers: int = 2) -> Path:
    """Write an nginx.conf into DIRECTORY answering 'Hello World' on 127.0.0.1:PORT."""
    path = directory / "nginx.conf"
    path.write_text(
        f"load_module {NGINX_STREAM_MODULE};\n"
        f"worker_processes {workers}; daemon off; pid {directory}/nginx.pid;\n"
        f"error_log {directory}/error.log;\n"
        "events { worker_connections 8192; }\n"
        f'stream {{ server {{ listen 127.0.0.1:{port} reuseport; return "Hello World\\n"; }} }}\n'
    )
    return path


def serve_gevent(port: int) -> None:
    from gevent.server import StreamServer

    counter = itertools.count(1)

    def handle(sock, _address) -> None:  # type: ignore[no-untyped-def]
        reply = b"Hello World%d\n" % next(counter)
        reader = sock.makefile("rb")
        try:
            for _line in reader:
                sock.sendall(reply)
        except OSError:
            pass
        finally:
            reader.close()
            sock.close()

    server = StreamServer(("127.0.0.1", port), handle, backlog=4096)
    server.serve_forever()


def serve_asyncio(port: int) -> None:
    import asyncio

    counter = itertools.count(1)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        reply = b"Hello World%d\n" % next(counter)
        try:
            while await reader.readline():
                writer.write(reply)
                await writer.drain()
        except (OSError, ValueError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=4096)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hello_server.bench.peers")
    parser.add_argument("kind", choices=["gevent", "asyncio"])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        (serve_gevent if args.kind == "gevent" else serve_asyncio)(args.port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
