"""Changes reach the disk before the process goes: signals (CLI helper) and atexit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from broadsheet.state import ReadingState, install_signal_handlers

CHILD = Path(__file__).with_name("state_child.py")


def saved(path: Path) -> tuple[int, int]:
    return tuple(ReadingState(path, readonly=True).counts())


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_saves_then_ends_the_process_as_usual(tmp_path: Path, signum: int) -> None:
    path = tmp_path / "state.toml"
    child = subprocess.Popen([sys.executable, str(CHILD), "signal", str(path)], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline() == "ready\n"
    assert not path.exists()  # nothing saved yet: the writer waits an hour
    child.send_signal(signum)
    child.wait(timeout=10)
    assert child.returncode == -signum  # died by the signal (SIGINT via KeyboardInterrupt)
    assert saved(path) == (1, 2)


def test_atexit_saves_an_unclosed_state(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    subprocess.run([sys.executable, str(CHILD), "atexit", str(path)], check=True, timeout=10)
    assert saved(path) == (1, 2)


def test_the_previous_python_handler_still_runs_after_the_flush(tmp_path: Path) -> None:
    heard: list[bool] = []
    state = ReadingState(tmp_path / "state.toml", coalesce=3600)
    original = signal.signal(signal.SIGUSR1, lambda *_: heard.append(state.pending == 0))
    try:
        install_signal_handlers([signal.SIGUSR1])
        state.star("arxiv:1")
        os.kill(os.getpid(), signal.SIGUSR1)
        time.sleep(0.05)
        assert heard == [True]
        assert saved(state.path) == (1, 0)
    finally:
        signal.signal(signal.SIGUSR1, original)
        state.close()


def test_a_signal_inside_our_own_locked_code_cannot_deadlock(tmp_path: Path) -> None:
    state = ReadingState(tmp_path / "state.toml", coalesce=3600)
    original = signal.getsignal(signal.SIGUSR1)
    try:
        install_signal_handlers([signal.SIGUSR1], timeout=0.1)
        state.star("arxiv:1")
        handler = signal.getsignal(signal.SIGUSR1)
        started = time.monotonic()
        with state._persister.lock, pytest.raises(SystemExit) as exit_:  # as if mid-mutation
            handler(signal.SIGUSR1, None)
        assert exit_.value.code == 128 + signal.SIGUSR1 and time.monotonic() - started < 1
        state.close()  # what atexit does after the unwinding
        assert saved(state.path) == (1, 0)
    finally:
        signal.signal(signal.SIGUSR1, original)
