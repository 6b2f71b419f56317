"""Files moviespider creates that may hold what others should not read: owner-only."""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def private_opener(path: str, flags: int) -> int:
    """An ``opener`` for :func:`open` that creates the file 0600 (an existing file keeps its
    mode)."""
    return os.open(path, flags, PRIVATE_FILE)


def private_dir(path: Path) -> None:
    """Create *path* (and parents) if missing and make it 0700."""
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, PRIVATE_DIR)


def touch_private(path: Path) -> None:
    """Create *path* empty and 0600 if missing, so whatever opens it later inherits that."""
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE))
