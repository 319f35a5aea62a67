"""A whole file memory-mapped for reading: scanned or decoded where it lies, not copied."""

from __future__ import annotations

import contextlib
import mmap
import os
from collections.abc import Iterator
from typing import BinaryIO


@contextlib.contextmanager
def mapped(handle: BinaryIO) -> Iterator[mmap.mmap | bytes]:
    """The whole file behind `handle`, memory-mapped (an empty file cannot be mapped: empty
    bytes then). Raises OSError or ValueError for a handle that is no mappable file."""
    if not os.fstat(handle.fileno()).st_size:
        yield b""
        return
    view = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    try:
        yield view
    finally:
        with contextlib.suppress(BufferError):  # a slice or match still held (an error on the way)
            view.close()
