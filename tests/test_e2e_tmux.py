"""End to end: the installed `broadsheet` command in a real terminal (tmux), as a user runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.reader_fixtures import PLAIN_TITLES, write_listing

from broadsheet.state import ReadingState

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def command() -> list[str]:
    installed = Path(sys.executable).with_name("broadsheet")
    return [str(installed)] if installed.exists() else [sys.executable, "-m", "broadsheet"]


class Terminal:
    def __init__(self, socket: Path, env: dict[str, str]) -> None:
        self.socket = str(socket)
        self.env = env

    def tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-S", self.socket, *args], capture_output=True, text=True, env=self.env, timeout=20
        )
        return done.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "e2e")

    def wait_for(self, text: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen shows:\n{self.screen()}")

    def keys(self, *keys: str) -> None:
        for key in keys:  # one at a time: tmux would glue Escape to the next key as alt+key
            self.tmux("send-keys", "-t", "e2e", key)
            time.sleep(0.15)


def test_filter_star_quit_and_find_it_saved(tmp_path: Path, isolated_home: Path) -> None:
    listing = write_listing(tmp_path, PLAIN_TITLES)
    state_file = tmp_path / "state.toml"
    env = {**os.environ, "BROADSHEET_STATE": str(state_file), "TERM": "xterm-256color"}
    term = Terminal(tmp_path / "tmux.sock", env)
    shell_command = " ".join([*command(), str(listing)]) + "; echo BROADSHEET-EXIT=$?; sleep 30"
    term.tmux("new-session", "-d", "-s", "e2e", "-x", "100", "-y", "30", shell_command)
    try:
        term.wait_for("Diffusion Models for Video Generation")
        term.wait_for(f"{len(PLAIN_TITLES)} of {len(PLAIN_TITLES)}")
        term.keys("/", "s", "p", "a", "r", "s", "e")
        term.wait_for(f"1 of {len(PLAIN_TITLES)}")
        term.keys("Enter", "s")
        term.wait_for("1 starred")
        term.keys("Escape")
        term.wait_for(f"{len(PLAIN_TITLES)} of {len(PLAIN_TITLES)}")
        term.keys("q")
        term.wait_for("BROADSHEET-EXIT=0")
    finally:
        term.tmux("kill-server")
    state = ReadingState(state_file, readonly=True)
    starred = [entry.title for entry in state.starred()]
    assert starred == ["Sparse Attention at Scale"]
    assert state.counts().read == 0
