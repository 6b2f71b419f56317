"""Run the sandbox in a child process, on a free port::

    with SandboxProcess(args=["--catalog", "500", "--seed", "0"]) as sandbox:
        fetch(sandbox.url + "/top250")

The child is ``python -m douban_sandbox --port 0 --exit-with-stdin ARGS``; it prints its
URL on its first stdout line and stops when its stdin closes, so it never outlives the parent,
even one that is killed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

import douban_sandbox
import moviespider
from douban_sandbox.options import check_options

READY_PREFIX = "moviespider sandbox listening on "


class SandboxError(RuntimeError):
    """The sandbox child process did not start."""


class SandboxProcess:
    """A sandbox server in a child process. Use it as a context manager or start()/stop().

    ``args`` are the sandbox's command-line options; ``--exit-with-stdin`` and ``--port 0`` (unless
    ``args`` name a port) are added. A bad option raises ``SandboxOptionError`` (a ValueError)
    here, e.g. "argument --fail-rate: a rate is between 0 and 1, got 2", so that a caller can
    report it as a configuration error.
    """

    def __init__(
        self,
        args: Sequence[str] = (),
        startup_timeout: float = 30.0,
        python: str = sys.executable,
    ):
        self.args = list(args)
        check_options(self.args)  # a bad option fails here, in one line, not in the child
        self.startup_timeout = startup_timeout
        self.python = python
        self.url: str | None = None
        self._process: subprocess.Popen[str] | None = None

    @property
    def command(self) -> list[str]:
        return [
            self.python,
            "-m",
            "douban_sandbox",
            "--port",
            "0",
            "--exit-with-stdin",
            *self.args,
        ]

    def start(self) -> str:
        """Start the child and wait until it listens; return its base URL."""
        if self._process is not None:
            raise SandboxError("the sandbox is already running")
        process = subprocess.Popen(
            self.command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=self._environment(),
            # Its own session: a Ctrl-C in the terminal is for the crawl, which stops the
            # sandbox when it is done (and the sandbox exits when its stdin closes).
            start_new_session=True,
        )
        self._process = process
        try:
            line = self._read_first_line(process)
        except BaseException:  # KeyboardInterrupt while it starts: no orphan
            self.stop()
            raise
        if not line.startswith(READY_PREFIX):
            self.stop()
            raise SandboxError(
                f"the sandbox did not start (exit status {process.returncode}); "
                f"command: {' '.join(self.command)}"
            )
        self.url = line[len(READY_PREFIX) :].strip()
        return self.url

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the child: close its stdin, then terminate it if it lingers."""
        process, self._process = self._process, None
        if process is None:
            return
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                pipe.close()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.url = None

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs."""
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def __enter__(self) -> SandboxProcess:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _read_first_line(self, process: subprocess.Popen[str]) -> str:
        assert process.stdout is not None
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()))
        reader.daemon = True
        reader.start()
        reader.join(self.startup_timeout)
        if reader.is_alive():
            self.stop()
            raise SandboxError(f"the sandbox did not start within {self.startup_timeout} s")
        process.poll()
        return lines[0] if lines else ""

    @staticmethod
    def _environment() -> dict[str, str]:
        """The parent's environment, with the sandbox and moviespider importable in the child:
        the sys.path entries they were imported from go first on the child's PYTHONPATH."""
        roots = dict.fromkeys(
            str(Path(package.__file__).resolve().parent.parent)
            for package in (douban_sandbox, moviespider)
        )
        environment = dict(os.environ)
        path = environment.get("PYTHONPATH")
        environment["PYTHONPATH"] = os.pathsep.join([*roots, *([path] if path else [])])
        return environment
