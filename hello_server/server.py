"""One worker process: a uvloop event loop serving connections on a SO_REUSEPORT socket.

Each connection is an asyncio Protocol (callbacks in the loop, no Task per connection: the
cheapest per-connection object asyncio has). Blocking work (fsync of the number blocks) runs in
a one-thread pool. Timeouts are enforced by one sweep a second over all connections rather
than a timer per connection.
"""

from __future__ import annotations

import asyncio
import collections
import os
import signal
import socket
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import cast

from hello_server.config import Config
from hello_server.numbers import BlockStore, Numbers

REPLY = b"Hello World%d\n"
BUSY = b"Busy: too many connections, try later\n"
BUSY_ADDRESS = b"Busy: too many connections from your address\n"
TOO_LONG = b"Error: line too long\n"
# Replies owed but not yet written are kept as a count and written in batches of this many, so
# a client pipelining a megabyte of newlines costs a counter, not a megabyte of replies in memory.
BATCH = 1024
WRITE_HIGH_WATER = 64 * 1024

CLOSE_REASONS = (
    "eof",
    "reset",
    "too_long",
    "read_timeout",
    "idle_timeout",
    "not_reading",
    "shutdown",
)


class Stats:
    __slots__ = ("accepted", "closed", "refused_address", "refused_full", "replies", "waited")

    def __init__(self) -> None:
        self.accepted = 0
        self.replies = 0
        self.refused_full = 0
        self.refused_address = 0
        self.waited = 0
        self.closed: collections.Counter[str] = collections.Counter()


class Worker:
    """Per-process state shared by the connections of one event loop."""

    def __init__(self, config: Config, slot: int, numbers: Numbers) -> None:
        self.config = config
        self.slot = slot
        self.numbers = numbers
        self.stats = Stats()
        self.connections: set[Connection] = set()
        self.per_address: collections.Counter[str] = collections.Counter()
        self.now = 0.0  # refreshed by the sweep: a coarse clock the hot path reads for free
        self.stopping = False

    def sweep(self) -> None:
        """Close connections that outstayed a timeout: slow clients cannot hold slots."""
        config = self.config
        now = self.now
        for conn in list(self.connections):
            age = now - conn.since
            if conn.write_paused:
                if age > config.write_timeout:
                    conn.close("not_reading")
            elif conn.partial or not conn.replied:
                if age > config.read_timeout:
                    conn.close("read_timeout")
            elif age > config.idle_timeout:
                conn.close("idle_timeout")

    def stats_line(self) -> str:
        s = self.stats
        closed = " ".join(f"closed_{reason}={s.closed[reason]}" for reason in CLOSE_REASONS)
        return (
            f"hello_server: stats worker={self.slot} pid={os.getpid()} open={len(self.connections)}"
            f" accepted={s.accepted} replies={s.replies} refused_full={s.refused_full}"
            f" refused_address={s.refused_address} waited_for_number={s.waited} {closed}"
            f" blocks={self.numbers.reservations} next={self.numbers.next}"
        )


class Connection(asyncio.Protocol):
    """One client: one number, one reply per line it sends."""

    __slots__ = (
        "address",
        "closing",
        "eof",
        "hello",
        "owed",
        "partial",
        "replied",
        "since",
        "transport",
        "worker",
        "write_paused",
    )

    def __init__(self, worker: Worker) -> None:
        self.worker = worker
        self.transport: asyncio.Transport | None = None
        self.hello: bytes | None = None
        self.owed = 0
        self.partial = 0
        self.replied = False
        self.write_paused = False
        self.eof = False
        self.closing = False
        self.address = ""
        self.since = worker.now

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport = cast(asyncio.Transport, transport)  # uvloop's TCPTransport is not a subclass
        worker = self.worker
        stats = worker.stats
        peer = transport.get_extra_info("peername")
        address = peer[0] if peer else ""
        # Refusals are one write and a close, before any number or state is spent on them.
        if worker.stopping or len(worker.connections) >= worker.config.max_connections:
            stats.refused_full += 1
            transport.write(BUSY)
            transport.close()
            return
        if worker.per_address[address] >= worker.config.per_address:
            stats.refused_address += 1
            transport.write(BUSY_ADDRESS)
            transport.close()
            return
        stats.accepted += 1
        self.transport = transport
        self.address = address
        worker.per_address[address] += 1
        worker.connections.add(self)
        transport.set_write_buffer_limits(high=WRITE_HIGH_WATER)
        number = worker.numbers.take()
        if number is None:
            stats.waited += 1
            transport.pause_reading()
            worker.numbers.wait(self.numbered)
        else:
            self.hello = REPLY % number

    def numbered(self, number: int) -> None:
        self.hello = REPLY % number
        if self.transport is not None and not self.closing:
            if not self.eof:
                self.transport.resume_reading()
            self.reply(0)

    def data_received(self, data: bytes) -> None:
        lines = data.count(b"\n")
        if lines:
            first = data.index(b"\n")
            last = data.rindex(b"\n")
            longest = self.partial + first
            if len(data) > self.worker.config.max_line and lines > 1:
                longest = max(longest, max(map(len, data[first + 1 : last].split(b"\n"))))
            self.partial = len(data) - last - 1
        else:
            longest = self.partial = self.partial + len(data)
        if longest > self.worker.config.max_line or self.partial > self.worker.config.max_line:
            if self.transport is not None:
                self.transport.write(TOO_LONG)
            self.close("too_long")
            return
        if lines:
            self.reply(lines)

    def reply(self, count: int) -> None:
        owed = self.owed + count
        hello = self.hello
        transport = self.transport
        if hello is None or transport is None or self.closing:
            self.owed = owed
            return
        if owed:
            self.since = self.worker.now
            self.replied = True
        stats = self.worker.stats
        while owed and not self.write_paused:
            batch = owed if owed < BATCH else BATCH
            stats.replies += batch
            owed -= batch
            transport.write(hello * batch if batch > 1 else hello)
        self.owed = owed
        if owed:
            transport.pause_reading()  # resumed once the client has read what it is owed
        elif self.eof:
            self.close("eof")

    def pause_writing(self) -> None:
        self.write_paused = True
        self.since = self.worker.now
        if self.transport is not None:
            self.transport.pause_reading()

    def resume_writing(self) -> None:
        self.write_paused = False
        self.since = self.worker.now
        if self.owed:
            self.reply(0)
        idle = not self.write_paused and not self.owed and not self.eof and not self.closing
        if idle and self.transport is not None and self.hello is not None:
            self.transport.resume_reading()

    def eof_received(self) -> bool:
        # Half-close: bytes after the last newline are a last message; answer, then close.
        self.eof = True
        if self.partial:
            self.partial = 0
            self.reply(1)
        if self.owed or self.hello is None:
            return True  # keep the write side open until what is owed is written
        self.close("eof")
        return True

    def close(self, reason: str) -> None:
        if self.closing or self.transport is None:
            return
        self.closing = True
        self.worker.stats.closed[reason] += 1
        if reason in ("not_reading", "shutdown") and self.write_paused:
            self.transport.abort()  # a client that does not read would hold the close forever
        else:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        worker = self.worker
        if self.transport is None:
            return  # refused: never counted as open
        if not self.closing:
            self.closing = True
            worker.stats.closed["reset" if exc is not None else "eof"] += 1
        worker.connections.discard(self)
        remaining = worker.per_address[self.address] - 1
        if remaining:
            worker.per_address[self.address] = remaining
        else:
            del worker.per_address[self.address]
        if self.hello is None:
            worker.numbers.cancel(self.numbered)
        self.transport = None


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def serve(config: Config, slot: int, listener: socket.socket) -> None:
    loop = asyncio.get_running_loop()
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hello-numbers")
    store = BlockStore(config.state_dir)

    def number_error(exc: BaseException) -> None:
        log(f"hello_server: worker={slot} cannot reserve numbers: {exc}")

    numbers = Numbers(store, config.block, loop, executor, on_error=number_error)
    await numbers.start()
    worker = Worker(config, slot, numbers)
    worker.now = loop.time()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    server = await loop.create_server(
        lambda: Connection(worker), sock=listener, backlog=config.backlog
    )
    log(f"hello_server: worker={slot} pid={os.getpid()} ready, first number {numbers.next}")

    async def tick() -> None:
        last_stats = loop.time()
        while True:
            await asyncio.sleep(0.5)
            worker.now = loop.time()
            worker.sweep()
            if config.stats_interval and worker.now - last_stats >= config.stats_interval:
                last_stats = worker.now
                log(worker.stats_line())

    ticker = asyncio.create_task(tick())
    try:
        await stop.wait()
    finally:
        worker.stopping = True
        server.close()
        for conn in list(worker.connections):
            conn.close("shutdown")
        deadline = loop.time() + config.grace
        while worker.connections and loop.time() < deadline:
            await asyncio.sleep(0.05)
        for conn in list(worker.connections):
            if conn.transport is not None:
                conn.transport.abort()
        ticker.cancel()
        log(worker.stats_line())
        executor.shutdown(wait=True)


def run_worker(config: Config, slot: int, listener: socket.socket) -> int:
    """Entry point of a forked worker; returns its exit status."""
    import uvloop

    try:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(serve(config, slot, listener))
    except Exception as exc:  # a worker that cannot serve says why and exits non-zero
        log(f"hello_server: worker={slot} failed: {type(exc).__name__}: {exc}")
        return 3
    return 0
