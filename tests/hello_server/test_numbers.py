"""Numbers never repeat: the durable block store, its use in a loop, restarts, bad state."""

from __future__ import annotations

import asyncio
import multiprocessing
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from hello_server.bench.launch import ROOT, ask
from hello_server.numbers import BlockStore, Numbers, StateError


def number_of(reply: bytes) -> int:
    match = re.fullmatch(rb"Hello World(\d+)", reply)
    assert match, reply
    return int(match.group(1))


def test_blocks_follow_each_other_and_the_mark_is_on_disk(tmp_path):
    store = BlockStore(tmp_path / "state")
    assert store.check() == 1
    assert store.reserve(10) == (1, 11)
    assert store.reserve(5) == (11, 16)
    assert (tmp_path / "state" / "next-number").read_text() == "16\n"
    assert BlockStore(tmp_path / "state").reserve(1) == (16, 17)


def reserve_many(directory, count, queue) -> None:  # type: ignore[no-untyped-def]
    store = BlockStore(directory)
    queue.put([store.reserve(7) for _ in range(count)])


def test_blocks_from_concurrent_processes_never_overlap(tmp_path):
    directory = tmp_path / "state"
    BlockStore(directory).check()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    processes = [
        context.Process(target=reserve_many, args=(directory, 40, queue)) for _ in range(4)
    ]
    for process in processes:
        process.start()
    blocks = [block for _ in processes for block in queue.get(timeout=120)]
    for process in processes:
        process.join(60)
    numbers = [n for start, end in blocks for n in range(start, end)]
    assert len(numbers) == 4 * 40 * 7
    assert len(set(numbers)) == len(numbers)
    assert BlockStore(directory).check() == 1 + len(numbers)


@pytest.mark.parametrize("content", ["", "abc", "-5", "0"])
def test_a_corrupt_state_file_is_refused_not_reset(tmp_path, content):
    (tmp_path / "next-number").write_text(content)
    with pytest.raises(StateError):
        BlockStore(tmp_path).check()


def test_numbers_prefetch_and_serve_waiters_in_a_loop(tmp_path):
    async def scenario() -> tuple[list[int], list[int], int]:
        loop = asyncio.get_running_loop()
        with ThreadPoolExecutor(1) as executor:
            numbers = Numbers(BlockStore(tmp_path), 4, loop, executor)
            await numbers.start()
            taken = [numbers.take(), numbers.take(), numbers.take()]  # past half: prefetch
            for _ in range(200):
                if numbers.reservations == 2:
                    break
                await asyncio.sleep(0.05)
            while (number := numbers.take()) is not None:
                taken.append(number)
            waited: list[int] = []
            numbers.wait(waited.append)
            numbers.wait(waited.append)
            for _ in range(200):
                if len(waited) == 2:
                    break
                await asyncio.sleep(0.05)
            return taken, waited, numbers.reservations

    taken, waited, reservations = asyncio.run(scenario())
    # The second block was fetched while the first was used, so taking went on past the first
    # block without a wait; the waiters got the next numbers once another block arrived.
    assert taken[:8] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert len(set(taken + waited)) == len(taken) + 2 and None not in taken
    assert min(waited) > max(taken)
    assert reservations >= 3


def test_numbers_continue_after_a_graceful_restart(start_server, tmp_path):
    state = tmp_path / "shared-state"
    server = start_server("--block", "50", state_dir=state)
    before = [number_of(ask(server.port)) for _ in range(120)]
    assert server.stop() == 0
    again = start_server("--block", "50", state_dir=state)
    after = [number_of(ask(again.port)) for _ in range(120)]
    assert len(set(before)) == 120
    assert min(after) > max(before)
    assert BlockStore(state).check() > max(after)


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "hello_server", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "80000"], "not a port number"),
        (["--port", "0", "--workers", "0"], "must be at least 1"),
        (["--port", "0", "--read-timeout", "soon"], "not a number of seconds"),
        ([], "required: --port"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args, message):
    result = run_cli(*args)
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert message in last


def test_a_corrupt_state_file_stops_the_start_with_one_line(tmp_path):
    (tmp_path / "next-number").write_text("garbage")
    result = run_cli("--port", "0", "--state-dir", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("python -m hello_server: error:")
    assert "does not hold a positive integer" in result.stderr


def test_a_port_in_use_is_a_clear_error(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("--port", str(port), "--workers", "1", "--state-dir", str(tmp_path))
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
