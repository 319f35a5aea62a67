"""A separate process using the reading state, driven by the multi-process tests.

state_child.py writer PATH SEED COUNT   random toggles, then close(); prints them as JSON
state_child.py fault PATH SEED          toggles forever, flush() after each, one JSON ack
                                        line per durable change (killed by the parent)
state_child.py signal PATH              changes without saving, installs the signal
                                        handlers, prints "ready", waits to be signalled
state_child.py atexit PATH              changes without saving, then simply returns
"""

from __future__ import annotations

import json
import random
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from broadsheet.state import ReadingState, install_signal_handlers  # noqa: E402

KEYS = [f"arxiv:2401.{n:05d}" for n in range(24)]


def record(state: ReadingState, key: str, field: str) -> dict[str, object]:
    entry = state._mem.get(key)
    value, at = (entry.starred, entry.starred_at) if field == "starred" else (entry.read, entry.read_at)
    return {"key": state.canonical_key(key), "field": field, "value": value, "at": at}


def one_change(state: ReadingState, rng: random.Random) -> list[dict[str, object]]:
    """A random toggle or bulk change; returns the registers it set."""
    if rng.random() < 0.15:
        keys = rng.sample(KEYS, 3)
        changed = [k for k in keys if not state.is_read(k)]
        state.mark_read_many(keys)
        return [record(state, k, "read") for k in changed]
    key = rng.choice(KEYS)
    field = rng.choice(["starred", "read"])
    (state.toggle_star if field == "starred" else state.toggle_read)(key, f"Paper {key}")
    return [record(state, key, field)]


def main(argv: list[str]) -> None:
    mode, path = argv[0], Path(argv[1])
    if mode == "writer":
        rng, done = random.Random(int(argv[2])), []
        with ReadingState(path, poll_interval=0.05) as state:
            for _ in range(int(argv[3])):
                done += one_change(state, rng)
                time.sleep(rng.random() * 0.004)
        print(json.dumps(done))
    elif mode == "fault":
        rng = random.Random(int(argv[2]))
        state = ReadingState(path, poll_interval=0.05, compact_after=40)
        while True:
            changes = one_change(state, rng)
            state.flush()
            for change in changes:
                sys.stdout.write(json.dumps(change) + "\n")
            sys.stdout.flush()
    elif mode in ("signal", "atexit"):
        # nothing would be saved: the writer waits an hour, or (atexit) there is no writer
        # and the object is dropped unclosed when main() returns
        state = ReadingState(path, coalesce=3600, background=mode == "signal")
        if mode == "signal":
            # as a terminal leaves them: a runner started with nohup, or as a background job,
            # passes these signals on ignored, and the handlers then keep ignoring them
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.signal(signal.SIGHUP, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            install_signal_handlers()
        state.star("arxiv:1", "One")
        state.mark_read_many(["arxiv:2", "arxiv:3"])
        if mode == "signal":
            print("ready", flush=True)
            time.sleep(60)


if __name__ == "__main__":
    main(sys.argv[1:])
