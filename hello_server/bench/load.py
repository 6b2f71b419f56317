"""The load generator: plain non-blocking sockets on epoll, one loop per client process.

No event-loop library in between: per connection it makes the system calls a client must make
(socket, connect, send, recv, close) and little else. Most of its CPU is then the kernel's TCP
work on loopback, which no client can avoid. Each process reports its own CPU time; the run
reports it beside the figures.
"""

from __future__ import annotations

import errno
import multiprocessing
import resource
import select
import socket
import struct
import time
from array import array
from collections import Counter
from dataclasses import dataclass, field

REQUEST = b"hi\n"
PREFIX = b"Hello World"
IN = select.EPOLLIN
OUT = select.EPOLLOUT
ERR = select.EPOLLERR | select.EPOLLHUP
# Closing with RST (SO_LINGER 0) leaves no TIME_WAIT socket behind. Closing with FIN leaves one
# per connection on the client side; tens of thousands of them make every later connect() search
# longer for a free port, so the client's cost would grow during a run and differ between points.
LINGER_RST = struct.pack("ii", 1, 0)
CLOSES = ("rst", "fin")


@dataclass
class LoadResult:
    mode: str
    concurrency: int
    processes: int
    done: int = 0
    elapsed: float = 0.0
    client_cpu: float = 0.0  # seconds of CPU, all client processes together
    errors: Counter[str] = field(default_factory=Counter)
    latencies: array = field(default_factory=lambda: array("d"))
    numbers: array = field(default_factory=lambda: array("q"))
    replies_other: int = 0  # replies that were not "Hello World<N>" (nginx's fixed string)

    @property
    def rate(self) -> float:
        return self.done / self.elapsed if self.elapsed else 0.0

    def percentile(self, fraction: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    @property
    def client_cpu_share(self) -> float:
        """Client CPU per process as a fraction of one core (1.0: saturated)."""
        return self.client_cpu / self.elapsed / self.processes if self.elapsed else 0.0


def _parse(line: bytes, result: dict) -> bool:
    """Record one reply line; False if it was a refusal or unreadable (the attempt failed)."""
    if line.startswith(PREFIX) and len(line) > len(PREFIX):
        try:
            number = int(line[len(PREFIX) :].strip())
        except ValueError:
            result["errors"]["bad_reply"] += 1
            return False
        if result["collect"]:
            result["numbers"].append(number)
        return True
    if line.startswith(b"Busy"):
        result["errors"]["busy"] += 1
        return False
    result["other"] += 1
    return True


def _connect_loop(
    address: tuple[str, int],
    concurrency: int,
    duration: float,
    limit: int,
    collect: bool,
    close: str = "rst",
) -> dict:
    """Open, send a line, read the reply, close; CONCURRENCY at a time, until DURATION or LIMIT."""
    ep = select.epoll()
    conns: dict[int, list] = {}
    errors: Counter[str] = Counter()
    result = {"errors": errors, "numbers": array("q"), "collect": collect, "other": 0}
    latencies = array("d")
    clock = time.perf_counter
    started = done = 0
    begin = clock()
    deadline = begin + duration
    pause_until = 0.0

    def open_one() -> None:
        nonlocal started
        started += 1
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_NONBLOCK)
        t0 = clock()
        code = sock.connect_ex(address)
        if code not in (0, errno.EINPROGRESS):
            errors[errno.errorcode.get(code, str(code))] += 1
            sock.close()
            return
        fd = sock.fileno()
        conns[fd] = [sock, t0, b""]
        ep.register(fd, OUT)

    rst = close == "rst"

    def finish(fd: int, error: str | None) -> None:
        entry = conns.pop(fd)
        ep.unregister(fd)
        if rst:
            entry[0].setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_RST)
        entry[0].close()
        if error:
            errors[error] += 1

    for _ in range(min(concurrency, limit)):
        open_one()
    seen_refused = 0
    while conns:
        for fd, event in ep.poll(0.5, 1024):
            entry = conns[fd]
            sock = entry[0]
            if event & OUT:
                try:
                    sock.send(REQUEST)
                except OSError as exc:
                    finish(fd, errno.errorcode.get(exc.errno or 0, "send"))
                    continue
                ep.modify(fd, IN)
                continue
            try:
                data = sock.recv(256)
            except OSError as exc:
                finish(fd, errno.errorcode.get(exc.errno or 0, "recv"))
                continue
            if not data:
                finish(fd, "closed_without_reply")
                continue
            buffer = entry[2] + data
            if b"\n" not in buffer:
                entry[2] = buffer
                continue
            if _parse(buffer[: buffer.index(b"\n")], result):
                latencies.append(clock() - entry[1])
                done += 1
            finish(fd, None)
        now = clock()
        if errors["ECONNREFUSED"] > seen_refused:
            seen_refused = errors["ECONNREFUSED"]
            pause_until = now + 0.05  # the server is restarting: do not spin
        if now < deadline and now >= pause_until:
            # LIMIT counts replies: attempts that failed (a server restarting) are made again,
            # up to twice the limit in all.
            while len(conns) < concurrency and done + len(conns) < limit and started < 2 * limit:
                open_one()
        elif now >= deadline + 5.0:
            for fd in list(conns):
                finish(fd, "unfinished")
        elif not conns and now < deadline and done < limit and started < 2 * limit:
            time.sleep(max(0.0, pause_until - now))
            open_one()
    ep.close()
    return {**result, "done": done, "elapsed": clock() - begin, "latencies": latencies}


def _persistent_loop(
    address: tuple[str, int],
    concurrency: int,
    duration: float,
    limit: int,
    collect: bool,
    close: str = "fin",
) -> dict:
    """CONCURRENCY connections each sending a line and waiting for its reply, over and over."""
    ep = select.epoll()
    conns: dict[int, list] = {}
    errors: Counter[str] = Counter()
    result = {"errors": errors, "numbers": array("q"), "collect": collect, "other": 0}
    latencies = array("d")
    clock = time.perf_counter
    for _ in range(concurrency):
        try:
            sock = socket.create_connection(address, timeout=10)
        except OSError as exc:
            errors[errno.errorcode.get(exc.errno or 0, "connect")] += 1
            continue
        sock.setblocking(False)
        conns[sock.fileno()] = [sock, 0.0, b""]
    begin = clock()
    deadline = begin + duration
    done = 0
    for fd, entry in conns.items():
        entry[1] = clock()
        entry[0].send(REQUEST)
        ep.register(fd, IN)
    while conns and clock() < deadline and done < limit:
        for fd, _event in ep.poll(0.5, 1024):
            entry = conns[fd]
            sock = entry[0]
            try:
                data = sock.recv(4096)
            except OSError as exc:
                data = b""
                errors[errno.errorcode.get(exc.errno or 0, "recv")] += 1
            if not data:
                errors["closed"] += 1
                ep.unregister(fd)
                sock.close()
                del conns[fd]
                continue
            buffer = entry[2] + data
            if b"\n" not in buffer:
                entry[2] = buffer
                continue
            now = clock()
            latencies.append(now - entry[1])
            _parse(buffer[: buffer.index(b"\n")], result)
            done += 1
            entry[2] = b""
            entry[1] = now
            try:
                sock.send(REQUEST)
            except OSError as exc:
                errors[errno.errorcode.get(exc.errno or 0, "send")] += 1
    elapsed = clock() - begin
    for entry in conns.values():
        entry[0].close()
    ep.close()
    return {**result, "done": done, "elapsed": elapsed, "latencies": latencies}


def _child(connection, mode: str, *args) -> None:  # type: ignore[no-untyped-def]
    loop = _connect_loop if mode == "connect" else _persistent_loop
    result = loop(*args)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["cpu"] = usage.ru_utime + usage.ru_stime
    del result["collect"]
    connection.send(result)
    connection.close()


def run_load(
    host: str,
    port: int,
    *,
    mode: str = "connect",
    concurrency: int = 200,
    processes: int = 2,
    duration: float = 5.0,
    limit: int = 10**9,
    collect: bool = False,
    close: str = "rst",
) -> LoadResult:
    """Drive HOST:PORT from PROCESSES client processes; CONCURRENCY is the total across them."""
    if mode not in ("connect", "persistent"):
        raise ValueError(f"unknown mode {mode!r}")
    if close not in CLOSES:
        raise ValueError(f"unknown close {close!r}")
    context = multiprocessing.get_context("fork")
    children = []
    per_process = max(1, concurrency // processes)
    for index in range(processes):
        share = limit // processes + (1 if index < limit % processes else 0)
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(
            target=_child,
            args=(sender, mode, (host, port), per_process, duration, share, collect, close),
            daemon=True,
        )
        process.start()
        sender.close()
        children.append((process, receiver))
    total = LoadResult(mode=mode, concurrency=per_process * processes, processes=processes)
    elapsed = []
    try:
        for _process, receiver in children:
            if not receiver.poll(duration + 60):
                raise TimeoutError("a load-generator process did not finish")
            part = receiver.recv()
            total.done += part["done"]
            total.client_cpu += part["cpu"]
            total.errors.update(part["errors"])
            total.latencies.extend(part["latencies"])
            total.numbers.extend(part["numbers"])
            total.replies_other += part["other"]
            elapsed.append(part["elapsed"])
    finally:
        for process, receiver in children:
            receiver.close()
            process.join(5)
            if process.is_alive():
                process.kill()
                process.join()
    total.elapsed = max(elapsed) if elapsed else 0.0
    return total
