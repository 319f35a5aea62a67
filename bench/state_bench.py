"""Benchmark the reading state at the scale the issue asks for; prints JSON.

    python bench/state_bench.py           10k read + 1k starred papers (11k rows)
    python bench/state_bench.py --small   1k read + 100 starred, fewer rounds (for CI)

Measures, in a temporary folder:
  load          ReadingState() on the built file (fresh snapshot, and with a full log);
                wall and CPU time, since wall time on a shared machine includes waiting
  durable       toggle_star() to "on disk" (the background writer's fsync done, seen via
                wait_until_saved(), which does not hurry the writer) over N toggles
  stall         the main thread changes a paper every ~1 ms while another *process* keeps
                changing the file and rewriting it in full every 32 changes (so this
                instance re-reads all 11k rows each time): the longest mutating call, and
                the longest the main thread waited beyond a 1 ms sleep -- compared with the
                same loop, same other process, without any state here (the machine's noise)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from broadsheet.state import ReadingState  # noqa: E402

WORDS = [
    "attention",
    "transformer",
    "diffusion",
    "model",
    "language",
    "large",
    "scaling",
    "learning",
    "neural",
    "graph",
    "vision",
]
OTHER = """
import random, sys, time
sys.path.insert(0, {src!r})
from broadsheet.state import ReadingState
state, rng, end = ReadingState({path!r}, compact_after=32), random.Random(7), time.monotonic() + {seconds}
while time.monotonic() < end:
    state.toggle_read(f"arxiv:2401.{{rng.randrange({n}):05d}}")
    state.flush()
    time.sleep(0.01)
state.close()
"""


def title(n: int) -> str:
    rng = random.Random(n)
    text = " ".join(rng.choice(WORDS).title() for _ in range(rng.randint(5, 12)))
    return text.replace("Model", "Model's", 1) if n % 20 == 0 else text  # some need escaping


def ms(values: list[float]) -> dict[str, float]:
    values = sorted(values)
    pick = lambda q: values[min(len(values) - 1, int(q * len(values)))]  # noqa: E731
    return {"p50": round(pick(0.5) * 1e3, 2), "p95": round(pick(0.95) * 1e3, 2), "max": round(values[-1] * 1e3, 2)}


def build(path: Path, n_read: int, n_star: int) -> None:
    with ReadingState(path, background=False) as state:
        state.mark_read_many((f"arxiv:2401.{n:05d}", title(n)) for n in range(n_read))
        state.star_many((f"arxiv:2402.{n:05d}", title(n_read + n)) for n in range(n_star))


def load_times(path: Path, repeats: int) -> dict[str, dict[str, float]]:
    """Wall time of ReadingState(), and its CPU time (which a busy machine does not inflate)."""
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.thread_time()
        state = ReadingState(path, background=False)
        cpu.append(time.thread_time() - start_cpu)
        wall.append(time.perf_counter() - start)
        state.close()
    return {"wall": ms(wall), "cpu": ms(cpu)}


def durable(path: Path, toggles: int, keys: list[str]) -> dict[str, object]:
    rng = random.Random(1)
    calls, latencies = [], []
    with ReadingState(path) as state:
        snapshots = {state._syncer.snapshot}
        for _ in range(toggles):
            key = rng.choice(keys)
            start = time.perf_counter()
            state.toggle_star(key)
            calls.append(time.perf_counter() - start)
            state.wait_until_saved()
            latencies.append(time.perf_counter() - start)
            snapshots.add(state._syncer.snapshot)
            time.sleep(rng.uniform(0, 0.01))
    return {"toggle_to_durable_ms": ms(latencies), "toggle_call_ms": ms(calls), "full_rewrites": len(snapshots) - 1}


def main_loop(seconds: float, state: ReadingState | None) -> tuple[list[float], list[float]]:
    """Change a paper, sleep 1 ms, repeat: returns call times and waits beyond the sleep."""
    rng = random.Random(2)
    calls, waits = [], []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        start = time.perf_counter()
        if state is not None:
            (state.toggle_star if rng.random() < 0.5 else state.toggle_read)(f"arxiv:2402.{rng.randrange(100):05d}")
        calls.append(time.perf_counter() - start)
        start = time.perf_counter()
        time.sleep(0.001)
        waits.append(time.perf_counter() - start - 0.001)
    return calls, waits


def stalls(path: Path, seconds: float, n_read: int) -> dict[str, object]:
    src = str(Path(__file__).resolve().parents[1] / "src")
    script = OTHER.format(src=src, path=str(path), seconds=seconds * 1.5 + 1, n=n_read)
    other = subprocess.Popen([sys.executable, "-c", script])
    time.sleep(1)  # let it start
    _, baseline = main_loop(seconds / 2, None)  # same machine load, but no state here
    with ReadingState(path) as state:
        parses, _writes = state._syncer.parses, state._syncer.snapshot
        calls, waits = main_loop(seconds, state)
        reparsed = state._syncer.parses - parses
    other.wait()
    return {
        "mutating_calls": len(calls),
        "mutating_call_ms": ms(calls),
        "main_thread_wait_beyond_sleep_ms": ms(waits),
        "same_loop_without_state_ms": ms(baseline),
        "full_rereads_during_run": reparsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="a quick run for CI")
    args = parser.parse_args()
    n_read, n_star, toggles, repeats, seconds = (1000, 100, 50, 3, 1.0) if args.small else (10_000, 1000, 300, 15, 4.0)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "state.toml"
        start = time.perf_counter()
        build(path, n_read, n_star)
        result: dict[str, object] = {
            "papers": {"read": n_read, "starred": n_star, "rows": n_read + n_star},
            "build_s": round(time.perf_counter() - start, 3),
            "file_bytes": path.stat().st_size,
            "load_ms": load_times(path, repeats),
        }
        keys = [f"arxiv:2401.{n:05d}" for n in range(n_read)]
        result.update(durable(path, toggles, keys))
        with ReadingState(path, background=False, compact_after=10_000) as state:  # a log just under the limit
            for key in random.Random(3).sample(keys, 255):
                state.toggle_star(key)
                state.flush()
        result["load_with_255_log_entries_ms"] = load_times(path, repeats)
        result["under_contention"] = stalls(path, seconds, n_read)
        result["python"] = sys.version.split()[0]
        result["cpus"] = os.cpu_count()
        result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
