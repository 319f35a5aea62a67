"""Fault injection: processes killed with SIGKILL at random moments never leave a file that
does not parse, and never lose a change whose flush() had returned."""

from __future__ import annotations

import fcntl
import json
import random
import signal
import subprocess
import sys
import threading
import time
import tomllib
from pathlib import Path

from broadsheet.state import ReadingState
from broadsheet.state.codec import parse_state

CHILD = Path(__file__).with_name("state_child.py")
NOW = "2999-01-01T00:00:00.000000Z"


class Child:
    """A state_child.py in `fault` mode, its acknowledgements collected by a thread."""

    def __init__(self, path: Path, seed: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(CHILD), "fault", str(path), str(seed)], stdout=subprocess.PIPE, text=True
        )
        self.lines: list[str] = []
        self.reader = threading.Thread(target=lambda: self.lines.extend(self.proc.stdout), daemon=True)
        self.reader.start()

    def kill(self) -> list[dict[str, object]]:
        """SIGKILL; returns the changes it had acknowledged (a line cut short does not count)."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.reader.join()
        return [json.loads(line) for line in self.lines if line.endswith("\n")]


def check(path: Path, acked: list[dict[str, object]]) -> None:
    lock = path.with_name(path.name + ".lock")
    if not path.exists():
        assert not acked
        return
    with open(lock, "a") as held:  # let a surviving writer finish its step
        fcntl.flock(held, fcntl.LOCK_EX)
        text = path.read_text()
    tomllib.loads(text)
    parsed = parse_state(text, NOW)
    assert not parsed.torn
    for change in acked:
        entry = parsed.data.get(change["key"])
        assert entry is not None, change
        field = change["field"]
        at, value = getattr(entry, f"{field}_at"), getattr(entry, field)
        assert at > change["at"] or (at == change["at"] and value == change["value"]), (change, entry)


def test_sigkill_never_loses_an_acknowledged_change(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    rng = random.Random(1729)
    children: dict[int, Child] = {}
    acked: list[dict[str, object]] = []
    kills, seed = 0, 0
    deadline = time.monotonic() + 36
    try:
        while kills < 110 and time.monotonic() < deadline:
            for slot in (0, 1):
                if slot not in children:
                    seed += 1
                    children[slot] = Child(path, seed)
            time.sleep(rng.uniform(0.01, 0.16))
            acked += children.pop(rng.choice([0, 1])).kill()
            kills += 1
            check(path, acked)
    finally:
        for child in children.values():
            acked += child.kill()
    check(path, acked)
    assert kills >= 100, f"only {kills} kills in the time allowed"
    assert len(acked) >= 200, f"only {len(acked)} acknowledged changes"
    print(f"{kills} kills, {len(acked)} acknowledged changes")
    assert not list(tmp_path.glob("*.corrupt-*"))  # no kill ever left a damaged file
    ReadingState(path, background=False).close()  # sweeps what killed writers left behind
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.toml", "state.toml.bak", "state.toml.lock"]
