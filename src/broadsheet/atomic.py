"""Atomic file writes: a temporary file in the same folder, fsync, then rename over the target.

A reader of the target sees the old file or the new one, never half of either, even when
the process dies mid-write; the folder is fsynced so the rename itself survives a crash.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any


def _replace(path: Path, write: Callable[[IO[Any]], None], mode: str, newline: str | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        encoding = "utf-8" if "b" not in mode else None
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    try:
        folder = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(folder)
    except OSError:
        pass  # some filesystems cannot fsync a folder; the file itself is safe
    finally:
        os.close(folder)


def write_atomically(path: Path, chunks: Iterable[str], *, newline: str | None = None) -> None:
    """Write text chunks to `path` atomically; the old file stays intact on any failure."""
    _replace(path, lambda handle: handle.writelines(chunks), "w", newline)


def write_atomically_bytes(path: Path, data: bytes) -> None:
    """`write_atomically` for bytes kept exactly as received."""
    _replace(path, lambda handle: handle.write(data), "wb")
