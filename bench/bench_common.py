"""Helpers the app benchmarks share: one clock, percentiles, a redirected home, corpora."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def now() -> float:
    """CLOCK_MONOTONIC: the same clock in every process of the machine."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))]


def compile_package() -> None:
    """Write broadsheet's bytecode, as pip does at install: with PYTHONDONTWRITEBYTECODE set
    (this machine sets it), a module edited since its last compile would otherwise be
    compiled from source in every measured start (~3 ms for the app module alone)."""
    import compileall

    if not compileall.compile_dir(str(HERE.parent / "src"), quiet=1):
        raise SystemExit("bench: compiling src/broadsheet failed (see above)")


def start_like_the_command() -> None:
    """Before importing the reader: what `broadsheet.cli.entry_point` does before its imports
    (pause the garbage collector until the reader's first paint; see `broadsheet.startup_gc`)."""
    from broadsheet import startup_gc  # the children put src/ on sys.path first

    startup_gc.pause()


def redirect_home(home: Path) -> dict[str, str]:
    """Point every user dir into `home` (in os.environ, before broadsheet is imported)."""
    values = {
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_STATE_HOME": str(home / "state"),
        "BROADSHEET_STATE": str(home / "state.toml"),
    }
    home.mkdir(parents=True, exist_ok=True)
    for value in values.values():
        Path(value).parent.mkdir(parents=True, exist_ok=True)
    os.environ.update(values)
    return values


def generate(papers: int, folder: Path) -> Path:
    """A seed-shaped dump of `papers` papers, made by generate_corpus.py in a subprocess."""
    out = folder / f"corpus-{papers}.txt"
    subprocess.run(
        [sys.executable, str(HERE / "generate_corpus.py"), "--papers", str(papers), "--out", str(out)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return out


async def index_ready(app, timeout: float) -> None:  # type: ignore[no-untyped-def]
    """Wait, without blocking the app's event loop, for its full search index: the reader
    starts indexing only once its first screen is painted, which needs the loop running."""
    import asyncio

    deadline = time.monotonic() + timeout
    while not app.library.engine.wait(0):
        if time.monotonic() > deadline:
            raise AssertionError("index never completed")
        await asyncio.sleep(0.01)


def ms_stats(seconds: list[float]) -> dict[str, float]:
    """Durations in seconds as milliseconds: count, p50, p95, p99, max and mean (rounded)."""
    ms = [s * 1000 for s in seconds]
    if not ms:
        return {"n": 0}
    return {
        "n": len(ms),
        "p50": round(pct(ms, 0.5), 2),
        "p95": round(pct(ms, 0.95), 2),
        "p99": round(pct(ms, 0.99), 2),
        "max": round(max(ms), 2),
        "mean": round(sum(ms) / len(ms), 2),
    }
