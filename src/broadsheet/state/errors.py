"""Why the reading state can fail, as exceptions a CLI or the reader can tell apart."""

from __future__ import annotations

import errno
import os


class StateError(Exception):
    """Base class of every reading-state failure."""


class StateCorruptError(StateError):
    """A state file that cannot be read: not TOML, or not the documented layout."""


class StateVersionError(StateError):
    """The file was written by a newer broadsheet. We refuse it and leave it untouched,
    because rewriting it in our older layout would silently drop what the newer one stored."""

    def __init__(self, path: object, found: int, supported: int) -> None:
        super().__init__(
            f"{path} uses state schema {found}, but this broadsheet understands only up to "
            f"{supported}; upgrade broadsheet (the file was left untouched)"
        )
        self.path = path
        self.found = found
        self.supported = supported


class StateWriteError(StateError):
    """Saving failed (read-only folder, full disk, ...). The previous file is intact and the
    changes are still held in memory, so a later flush() can succeed."""


class StateClosedError(StateError):
    """A change was attempted after close(), or on a read-only state."""


_HINTS = {
    errno.EACCES: "permission denied (is the file or its folder read-only?)",
    errno.EPERM: "operation not permitted (is the file or its folder read-only?)",
    errno.EROFS: "the file system is read-only",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exceeded",
}


def describe_os_error(action: str, path: object, exc: OSError) -> str:
    """One sentence a user can act on: what failed, where, and the likely reason."""
    reason = _HINTS.get(exc.errno or 0) or (os.strerror(exc.errno) if exc.errno else str(exc))
    return f"cannot {action} {path}: {reason}"
