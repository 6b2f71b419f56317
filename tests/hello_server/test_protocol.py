"""The line protocol: one number per connection, one reply per line, bad input survived."""

from __future__ import annotations

import re
import socket
import time

from hello_server.bench.launch import ask

REPLY = re.compile(rb"^Hello World(\d+)\n$")


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=20)


def read_lines(sock: socket.socket, count: int) -> list[bytes]:
    data = b""
    while data.count(b"\n") < count:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data.splitlines(keepends=True)


def read_to_end(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def test_each_line_is_answered_with_the_connection_number(start_server):
    server = start_server()
    with connect(server.port) as first, connect(server.port) as second:
        first.sendall(b"hello\nworld\n")
        replies = read_lines(first, 2)
        second.sendall(b"\n")
        other = read_lines(second, 1)
    assert len(replies) == 2 and replies[0] == replies[1]
    assert REPLY.match(replies[0]) and REPLY.match(other[0])
    assert replies[0] != other[0]


def test_binary_data_and_a_last_line_without_newline_at_half_close(start_server):
    server = start_server()
    with connect(server.port) as sock:
        sock.sendall(bytes(range(256)) + b"tail without newline")  # byte 10 is a newline
        sock.shutdown(socket.SHUT_WR)
        data = read_to_end(sock)
    lines = data.splitlines(keepends=True)
    assert len(lines) == 2 and all(REPLY.match(line) for line in lines)


def test_pipelined_lines_get_exactly_one_reply_each(start_server):
    server = start_server()
    count = 100_000
    with connect(server.port) as sock:
        sock.sendall(b"x\n" * count)
        sock.shutdown(socket.SHUT_WR)
        data = read_to_end(sock)
    lines = data.splitlines(keepends=True)
    assert len(lines) == count
    assert len(set(lines)) == 1 and REPLY.match(lines[0])


def test_a_line_too_long_closes_the_connection_with_a_reason(start_server):
    server = start_server("--max-line", "1000", "--stats-interval", "0", workers=1)
    with connect(server.port) as sock:
        sock.sendall(b"y" * 600)
        sock.sendall(b"y" * 600)  # too long only in total: the limit spans reads
        data = read_to_end(sock)
    assert data == b"Error: line too long\n"
    assert REPLY.match(ask(server.port) + b"\n")
    server.stop()
    assert server.stats()["closed_too_long"] == 1


def test_a_client_that_never_reads_is_closed_and_memory_stays_bounded(start_server):
    server = start_server("--write-timeout", "1", "--stats-interval", "0", workers=1)
    sock = connect(server.port)
    sock.setblocking(False)
    sent = 0
    deadline = time.monotonic() + 4
    chunk = b"\n" * 65536
    while time.monotonic() < deadline and sent < 200 * 2**20:
        try:
            sent += sock.send(chunk)
        except BlockingIOError:
            time.sleep(0.01)
        except OSError:
            break  # closed by the server already
    # The server stops reading once its replies are not read, so most bytes never leave us.
    assert sent < 50 * 2**20
    sock.setblocking(True)
    sock.settimeout(30)
    closed = False
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            if not sock.recv(2**20):
                closed = True
                break
    except OSError:
        closed = True  # reset: the server aborted the connection
    sock.close()
    assert closed
    assert REPLY.match(ask(server.port) + b"\n")
    server.stop()
    assert server.stats()["closed_not_reading"] == 1


def test_a_silent_client_is_closed_after_the_read_timeout(start_server):
    server = start_server("--read-timeout", "1", "--stats-interval", "0", workers=1)
    with connect(server.port) as sock:
        sock.sendall(b"no newline yet")
        assert read_to_end(sock) == b""
    server.stop()
    assert server.stats()["closed_read_timeout"] == 1


def test_an_idle_client_is_closed_after_the_idle_timeout(start_server):
    server = start_server("--idle-timeout", "1", "--stats-interval", "0", workers=1)
    with connect(server.port) as sock:
        sock.sendall(b"hi\n")
        assert REPLY.match(read_lines(sock, 1)[0])
        assert read_to_end(sock) == b""  # then nothing pending: closed after the idle timeout
    server.stop()
    stats = server.stats()
    assert stats["closed_idle_timeout"] == 1 and stats["closed_read_timeout"] == 0
