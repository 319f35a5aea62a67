#!/usr/bin/env python3
"""How fast the daily-papers dump parser reads large listings (issue target: 100k entries <= 2 s).

Generates seed-shaped dumps with bench/generate_corpus.py (or reads --corpus), then times,
best of --repeat runs: reading and decoding the file, parsing it, deduplicating (one
process, the text in memory); the file read as the reader reads it without a cache, on two
cores (`file_s`, see sources/dump_split.py) and in one process (`file_one_process_s`); and
the parsed-listing cache (a warm open of the same file).

    python bench/parse_speed.py --sizes 10000,100000 --json
    python bench/parse_speed.py --corpus big.txt
    python bench/parse_speed.py --small          # a quick check that the script works (CI)
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_common import generate, redirect_home


def measure(path: Path, repeat: int) -> dict[str, float | int]:
    from broadsheet.model import dedupe
    from broadsheet.sources.dump import parse_dump
    from broadsheet.sources.loader import decode, open_listings

    best: dict[str, float] = {}
    result = None
    for _ in range(repeat):
        # CPU time too: on a shared machine wall time also counts other people's work
        started, cpu_started = time.perf_counter(), time.process_time()
        text = decode(path.read_bytes(), str(path))
        read = time.perf_counter()
        result = parse_dump(text, str(path))
        parsed, cpu_parsed = time.perf_counter(), time.process_time()
        papers = dedupe(result.papers)
        done, cpu_done = time.perf_counter(), time.process_time()
        for name, value in (
            ("read_s", read - started),
            ("parse_s", parsed - read),
            ("dedupe_s", done - parsed),
            ("total_s", done - started),
            ("total_cpu_s", cpu_done - cpu_started),
            ("read_parse_cpu_s", cpu_parsed - cpu_started),
        ):
            best[name] = min(best.get(name, value), value)
        del text
    assert result is not None
    # the file as the reader opens it without a cache, in a fresh process with the collector
    # off (as `make_app` does): on two cores when it is large enough (`sources/dump_split.py`),
    # and in one process; wall time, best of --repeat, the two interleaved
    for _ in range(repeat):
        for name, cores in (("file_s", "two"), ("file_one_process_s", "one")):
            best[name] = min(best.get(name, math.inf), _fresh_file_read(path, cores))
    open_listings([str(path)])  # writes the cache
    started = time.perf_counter()
    cached = open_listings([str(path)])
    warm = time.perf_counter() - started
    return {
        "entries": result.entries,
        "papers": len(papers),
        "megabytes": round(path.stat().st_size / 1e6, 1),
        **{k: round(v, 3) for k, v in best.items()},
        "cached_open_s": round(warm, 3),
        "cached_papers": len(cached.papers),
    }


_FILE_READ = """
import gc, sys, time
from broadsheet.sources import dump_split
from broadsheet.sources.loader import load_listings
if sys.argv[2] == "one":
    dump_split.usable_cpus = lambda: 1
gc.disable()
started = time.perf_counter()
load_listings([sys.argv[1]])
print(time.perf_counter() - started)
"""


def _fresh_file_read(path: Path, cores: str) -> float:
    command = [sys.executable, "-c", _FILE_READ, str(path), cores]
    return float(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, help="a dump to parse instead of generated ones")
    parser.add_argument("--sizes", default="10000,100000", help="papers per generated corpus, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--small", action="store_true", help="one 2k-paper corpus, one run (CI)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="broadsheet-bench-") as temp:
        folder = Path(temp)
        redirect_home(folder)
        if args.corpus:
            corpora = [args.corpus]
        else:
            sizes = [2000] if args.small else [int(s) for s in args.sizes.split(",")]
            corpora = [generate(n, folder) for n in sizes]
        rows = [measure(path, 1 if args.small else args.repeat) for path in corpora]
    report = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "runs": rows,
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(report["machine"])
        for row in rows:
            print("  ".join(f"{k}={v}" for k, v in row.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
