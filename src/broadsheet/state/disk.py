"""The state file and its companions on disk, and the only code that writes them.

Crash safety rests on two moves. A full write goes to a temporary file in the same folder,
is fsynced, then os.replace()d over the old file, and the folder is fsynced; the old file is
first hard-linked (or copied) to `.bak`. An append is one write() of at most one page that
never crosses a page boundary -- padding with spaces to the boundary first when needed --
because Linux checks for a fatal signal only between page-sized chunks: a process killed
mid-append leaves either nothing, or padding (valid TOML), or the whole change.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import StateWriteError, describe_os_error

PAGE = 4096
StatKey = tuple[int, int, int, int, int]
_LEFTOVER = re.compile(r"\.(?P<name>.+)\.(?P<pid>\d+)\.[0-9a-f]{8}\.(?:tmp|probe)")


def stat_key(st: os.stat_result) -> StatKey:
    """What identifies one version of the file: inode, size and change times."""
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class SizeChanged(Exception):
    """The file is not the size we just read: someone wrote without the lock."""


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class StateFiles:
    """`state.toml`, `state.toml.bak`, `state.toml.lock` and `state.toml.corrupt-*`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.backup = path.with_name(path.name + ".bak")
        self.lock_path = path.with_name(path.name + ".lock")
        self._lock_fd: int | None = None
        self.lock_busy = False  # the last locked() gave up waiting for another holder

    def ensure_writable(self) -> None:
        """Fail early and clearly when the folder cannot hold our files."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._open_lock_file()
            probe = self.path.with_name(f".{self.path.name}.{os.getpid()}.{os.urandom(4).hex()}.probe")
            os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            os.unlink(probe)
        except OSError as exc:
            raise StateWriteError(describe_os_error("write the reading state in", self.path.parent, exc)) from exc

    def sweep_leftovers(self) -> None:
        """Delete temporary files left by instances that were killed mid-write (their
        process is gone); those of live processes are theirs to finish."""
        with contextlib.suppress(OSError), os.scandir(self.path.parent) as found:
            for item in found:
                match = _LEFTOVER.fullmatch(item.name)
                if match is None or match["name"] not in (self.path.name, self.backup.name):
                    continue
                try:
                    os.kill(int(match["pid"]), 0)
                except ProcessLookupError:
                    with contextlib.suppress(OSError):
                        os.unlink(item.path)
                except OSError:
                    pass  # alive, or not ours to judge

    def _open_lock_file(self) -> int:
        if self._lock_fd is None:
            self._lock_fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        return self._lock_fd

    def close(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    @contextlib.contextmanager
    def locked(self, timeout: float) -> Iterator[bool]:
        """Hold the advisory lock for one read-merge-write step; yields False (and goes on
        unlocked) if it cannot be had within `timeout`, so that nobody is ever locked out."""
        got = self.lock_busy = False
        try:
            fd = self._open_lock_file()
            deadline = time.monotonic() + timeout
            while not got:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    got = True
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        self.lock_busy = True
                        break
                    time.sleep(0.002)
        except OSError:
            got = False
        try:
            yield got
        finally:
            if got:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def stat(self) -> StatKey | None:
        try:
            return stat_key(os.stat(self.path))
        except FileNotFoundError:
            return None

    def read(self, path: Path | None = None) -> tuple[bytes, StatKey, int] | None:
        """(content, stat key, mtime_ns), or None when the file does not exist. The stat
        must describe exactly these bytes: re-read if a writer without the lock got between."""
        try:
            with open(path or self.path, "rb") as file:
                for _ in range(5):
                    before = os.fstat(file.fileno())
                    file.seek(0)
                    data = file.read()
                    st = os.fstat(file.fileno())
                    if stat_key(st) == stat_key(before) and len(data) == st.st_size:
                        break
        except FileNotFoundError:
            return None
        return data, stat_key(st), st.st_mtime_ns

    def write_atomic(self, data: bytes, keep_backup: bool) -> tuple[StatKey, int]:
        """Replace the file as a whole; the old one (if `keep_backup`) becomes `.bak`."""
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
        fd = -1
        try:
            try:
                mode = os.stat(self.path).st_mode & 0o777
            except FileNotFoundError:
                mode = 0o644
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            _write_all(fd, data)
            os.fsync(fd)
            os.close(fd)
            fd = -1
            if keep_backup:
                self._keep_backup()
            os.replace(tmp, self.path)
            self._fsync_dir()
            st = os.stat(self.path)
            return stat_key(st), st.st_mtime_ns
        except OSError as exc:
            if fd >= 0:
                os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise StateWriteError(describe_os_error("save the reading state to", self.path, exc)) from exc

    def append(self, data: bytes, expect_size: int) -> tuple[bytes, StatKey, int]:
        """Append `data` (at most one page) durably; returns what was written, padding
        included. On failure the file is cut back to `expect_size`, as it was."""
        if len(data) > PAGE:
            raise ValueError("appends are limited to one page")
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        except OSError as exc:
            raise StateWriteError(describe_os_error("save the reading state to", self.path, exc)) from exc
        try:
            if os.fstat(fd).st_size != expect_size:
                raise SizeChanged
            offset = expect_size % PAGE
            pad = b""
            if offset and offset + len(data) > PAGE:
                pad = b" " * (PAGE - offset - 1) + b"\n"
            payload = pad + data
            try:
                _write_all(fd, payload)
                os.fsync(fd)
            except OSError as exc:
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, expect_size)
                    os.fsync(fd)
                raise StateWriteError(describe_os_error("save the reading state to", self.path, exc)) from exc
            st = os.fstat(fd)
            return payload, stat_key(st), st.st_mtime_ns
        finally:
            os.close(fd)

    def preserve_aside(self) -> Path:
        """Keep the current (unreadable) file as `state.toml.corrupt-<UTC time>`. The file
        stays in place until a good one atomically replaces it, so a crash loses nothing."""
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 1
        while target.exists():
            target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
            n += 1
        try:
            try:
                os.link(self.path, target)
            except OSError as exc:
                if exc.errno == errno.ENOENT:
                    raise
                shutil.copy2(self.path, target)
            self._fsync_dir()
        except OSError as exc:
            raise StateWriteError(describe_os_error("set aside the unreadable", self.path, exc)) from exc
        return target

    def _keep_backup(self) -> None:
        if not self.path.exists():
            return
        tmp = self.backup.with_name(f".{self.backup.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
        try:
            os.link(self.path, tmp)
        except OSError:
            shutil.copyfile(self.path, tmp)
            with open(tmp, "rb+") as file:
                os.fsync(file.fileno())
        os.replace(tmp, self.backup)

    def _fsync_dir(self) -> None:
        try:
            fd = os.open(self.path.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError:
            return
        try:
            os.fsync(fd)
        except OSError as exc:
            if exc.errno not in (errno.EINVAL, errno.EBADF, errno.ENOTSUP):
                raise
        finally:
            os.close(fd)
