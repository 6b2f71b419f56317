"""Limits and floods: slots are bounded, refusals are clear, well-behaved clients keep being served.

Flooding clients connect from 127.0.0.2 (also loopback), the well-behaved one from 127.0.0.1, so
the per-address limit can tell them apart as it would two hosts.
"""

from __future__ import annotations

import contextlib
import re
import socket
import struct
import threading
import time

from hello_server.bench.launch import ask

REPLY = re.compile(rb"^Hello World\d+$")
FLOOD_ADDRESS = "127.0.0.2"


def connect_from(address: str, port: int) -> socket.socket:
    sock = socket.socket()
    sock.settimeout(20)
    sock.bind((address, 0))
    sock.connect(("127.0.0.1", port))
    return sock


def first_line(sock: socket.socket) -> bytes:
    data = b""
    while b"\n" not in data:
        chunk = sock.recv(256)
        if not chunk:
            break
        data += chunk
    return data.split(b"\n", 1)[0]


def test_per_address_limit_refuses_clearly_and_spares_other_addresses(start_server):
    server = start_server("--per-address", "5", "--stats-interval", "0", workers=1)
    held = [connect_from(FLOOD_ADDRESS, server.port) for _ in range(5)]
    try:
        for sock in held:  # all five are served
            sock.sendall(b"hi\n")
            assert REPLY.match(first_line(sock))
        with connect_from(FLOOD_ADDRESS, server.port) as extra:
            assert first_line(extra) == b"Busy: too many connections from your address"
        assert REPLY.match(ask(server.port))
    finally:
        for sock in held:
            sock.close()
    server.stop()
    assert server.stats()["refused_address"] == 1


def test_when_full_new_clients_are_refused_until_slow_ones_time_out(start_server):
    server = start_server(
        "--max-connections", "10", "--read-timeout", "1", "--stats-interval", "0", workers=1
    )
    idle = [connect_from(FLOOD_ADDRESS, server.port) for _ in range(10)]
    try:
        time.sleep(0.2)  # let the worker accept them all
        with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
            assert first_line(sock) == b"Busy: too many connections, try later"
        # Silent clients lose their slots after the read timeout; then the server has room.
        for sock in idle:
            assert sock.recv(256) == b""
        assert REPLY.match(ask(server.port))
    finally:
        for sock in idle:
            sock.close()
    server.stop()
    stats = server.stats()
    assert stats["refused_full"] >= 1
    assert stats["closed_read_timeout"] == 10


def good_client(port: int, count: int, replies: list[bytes], errors: list[str]) -> None:
    for _ in range(count):
        try:
            replies.append(ask(port, timeout=20))
        except OSError as exc:
            errors.append(repr(exc))


def test_slowloris_flood_does_not_starve_well_behaved_clients(start_server):
    server = start_server("--read-timeout", "1", "--per-address", "100", "--stats-interval", "1")
    flood: list[socket.socket] = []
    stop = threading.Event()

    def slowloris() -> None:
        # Many connections that send a byte now and then and never a newline.
        with contextlib.ExitStack() as stack:
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and not stop.is_set():
                for _ in range(50):
                    with contextlib.suppress(OSError):
                        flood.append(stack.enter_context(connect_from(FLOOD_ADDRESS, server.port)))
                for sock in flood:
                    with contextlib.suppress(OSError):
                        sock.send(b"x")
                time.sleep(0.2)

    thread = threading.Thread(target=slowloris)
    thread.start()
    replies: list[bytes] = []
    errors: list[str] = []
    try:
        time.sleep(1)
        good_client(server.port, 200, replies, errors)
        thread.join(30)  # the flood lasts its 5 s: long enough for the read timeout to reap it
    finally:
        stop.set()
        thread.join(30)
    assert errors == []
    assert len(replies) == 200 and all(REPLY.match(reply) for reply in replies)
    server.stop()
    stats = server.stats()
    # The flood was both capped (per address) and reaped (read timeout).
    assert stats["refused_address"] > 0
    assert stats["closed_read_timeout"] > 0


def test_connections_opened_and_dropped_do_not_disturb_other_clients(start_server):
    server = start_server("--stats-interval", "0")
    stop = threading.Event()
    dropped = [0]

    def churn() -> None:
        linger = struct.pack("ii", 1, 0)  # close with RST, as a crashing or hostile client would
        for index in range(3000):
            if stop.is_set():
                break
            with contextlib.suppress(OSError):
                sock = connect_from(FLOOD_ADDRESS, server.port)
                if index % 2:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                sock.close()
                dropped[0] += 1

    thread = threading.Thread(target=churn)
    thread.start()
    replies: list[bytes] = []
    errors: list[str] = []
    try:
        good_client(server.port, 300, replies, errors)
    finally:
        stop.set()
        thread.join(60)
    assert dropped[0] > 0
    assert errors == []
    assert len(replies) == 300 and all(REPLY.match(reply) for reply in replies)
    assert server.process.poll() is None
