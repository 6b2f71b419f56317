"""Client numbers that never repeat: blocks reserved from a persisted high-water mark.

The state file holds the next number nobody has been given. A worker reserves a block
[start, start + size) by raising that mark under an exclusive flock and writing it durably
(temp file, fsync, rename, fsync of the directory) *before* it hands out any number of the block.
So whatever happens afterwards (kill -9, restart, power loss on a disk that honours fsync), the
mark on disk is above every number given out; unused numbers of a block are skipped, never reused.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import fcntl
import os
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path

STATE_NAME = "next-number"
LOCK_NAME = "next-number.lock"


class StateError(Exception):
    """The state directory or file cannot be used; starting anyway could repeat numbers."""


class BlockStore:
    """The persisted high-water mark in DIRECTORY, shared by every process using it."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.path = self.directory / STATE_NAME
        self.lock_path = self.directory / LOCK_NAME

    def check(self) -> int:
        """Create the directory if needed and return the next number, or raise StateError."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with open(self.lock_path, "a"):
                pass
        except OSError as exc:
            raise StateError(f"state directory {self.directory}: {exc.strerror}") from exc
        return self._read()

    def _read(self) -> int:
        try:
            text = self.path.read_text(encoding="ascii")
        except FileNotFoundError:
            return 1
        except (OSError, UnicodeDecodeError) as exc:
            raise StateError(f"cannot read {self.path}: {exc}") from exc
        try:
            value = int(text.strip())
        except ValueError:
            value = 0
        if value < 1:
            # Never guess: restarting from 1 would repeat every number already given out.
            raise StateError(f"{self.path} does not hold a positive integer: {text[:40]!r}")
        return value

    def reserve(self, size: int) -> tuple[int, int]:
        """Blocking: durably raise the mark by SIZE; return the block [start, end)."""
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            start = self._read()
            end = start + size
            temp = self.directory / f".{STATE_NAME}.{os.getpid()}.tmp"
            with open(temp, "w", encoding="ascii") as handle:
                handle.write(f"{end}\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, self.path)
            dir_fd = os.open(self.directory, os.O_RDONLY)
            try:
                os.fsync(dir_fd)  # the rename itself is durable only once the directory is
            finally:
                os.close(dir_fd)
            return start, end
        finally:
            os.close(fd)  # closing releases the flock


class Numbers:
    """Hands out numbers in one event loop without a lock per call.

    ``take()`` returns the next number, or None when the reserved blocks are used up; the caller
    then waits with ``wait(callback)``. The next block is reserved in EXECUTOR (a thread: fsync
    blocks) once the current one is half used, so in steady state nobody waits.
    """

    def __init__(
        self,
        store: BlockStore,
        block: int,
        loop: asyncio.AbstractEventLoop,
        executor: Executor,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        self.store = store
        self.block = block
        self.loop = loop
        self.executor = executor
        self.on_error = on_error
        self.next = 0
        self.end = 0
        self.low = 0
        self.spare: tuple[int, int] | None = None
        self.fetching = False
        self.reservations = 0
        self.waiters: collections.deque[Callable[[int], None]] = collections.deque()

    async def start(self) -> None:
        """Reserve the first block (in the executor) before serving anyone."""
        start, end = await self.loop.run_in_executor(self.executor, self.store.reserve, self.block)
        self.reservations += 1
        self._use(start, end)

    def _use(self, start: int, end: int) -> None:
        self.next, self.end = start, end
        self.low = start + (end - start) // 2

    def take(self) -> int | None:
        number = self.next
        if number < self.end:
            self.next = number + 1
            if number >= self.low and self.spare is None and not self.fetching:
                self._prefetch()
            return number
        if self.spare is not None:
            self._use(*self.spare)
            self.spare = None
            return self.take()
        if not self.fetching:
            self._prefetch()
        return None

    def wait(self, callback: Callable[[int], None]) -> None:
        self.waiters.append(callback)

    def cancel(self, callback: Callable[[int], None]) -> None:
        with contextlib.suppress(ValueError):
            self.waiters.remove(callback)

    def _prefetch(self) -> None:
        self.fetching = True
        future = self.loop.run_in_executor(self.executor, self.store.reserve, self.block)
        future.add_done_callback(self._fetched)

    def _fetched(self, future: asyncio.Future[tuple[int, int]]) -> None:
        self.fetching = False
        if future.cancelled():
            return
        exc = future.exception()
        if exc is not None:
            if self.on_error is not None:
                self.on_error(exc)
            # Retry later; connections already waiting keep waiting (their read timeout applies).
            self.loop.call_later(1.0, self._retry)
            return
        self.reservations += 1
        if self.next >= self.end:
            self._use(*future.result())
        else:
            self.spare = future.result()
        while self.waiters:
            number = self.take()
            if number is None:
                break
            self.waiters.popleft()(number)

    def _retry(self) -> None:
        if not self.fetching and (self.spare is None or self.waiters):
            self._prefetch()
