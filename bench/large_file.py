#!/usr/bin/env python3
"""Very large listings: time and peak memory of loading one and of `broadsheet add` (issue 6).

Generates, in a temporary folder, one file of --size-mb (default 500) per case:

  a  repeats   a daily-papers dump: a 10k-paper corpus repeated (few distinct papers)
  b  junk      a page header, then lines of junk text, each too long to be a title
  c  unique    a dump of all-distinct papers (generate_corpus.py)
  d  hf-json   an HF API JSON array, one item a line: 10k papers repeated
  e  one-line  a dump whose one abstract line is nearly the whole file

For each file it runs, in a fresh process each time, `load` (`open_listings`, as the reader
opens a file: streamed, deduplicated, the parsed-listing cache written) and `add`
(`broadsheet add` into an empty library), with every user dir redirected into the temporary
folder. It reports wall time, CPU time (user + sys: the machine may be shared) and the peak
RSS of that one child (`os.wait4`'s ru_maxrss; see LAUNCHER).

    python bench/large_file.py                        # 500 MB files: minutes, ~3 GB of disk
    python bench/large_file.py --size-mb 100 --cases a,c --modes load
    python bench/large_file.py --tree /tmp/old        # the broadsheet package found in /tmp/old
    python bench/large_file.py --small                # ~5 MB files, seconds (CI)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_common import generate, redirect_home

CASES = {"a": "repeats", "b": "junk", "c": "unique", "d": "hf-json", "e": "one-line"}
BYTES_PER_PAPER = 1824  # of generate_corpus.py's dumps
LOAD = """\
import sys
import broadsheet
from broadsheet.sources.errors import ListingError
from broadsheet.sources.loader import open_listings
try:
    listings = open_listings([sys.argv[1]])
except ListingError as error:
    print(f"refused: {error}")
    sys.exit(2)
print(f"{len(listings.papers):,} papers, {listings.entries:,} entries, {len(listings.warnings):,} warnings")
print(broadsheet.__file__)
"""


def _repeat_to(path: Path, unit: bytes, size: int, head: bytes = b"", tail: bytes = b"") -> Path:
    with path.open("wb") as out:
        out.write(head)
        written = len(head)
        while written < size:
            out.write(unit)
            written += len(unit)
        out.write(tail)
    return path


def make_repeats(folder: Path, size: int, base: int) -> Path:
    corpus = generate(base, folder).read_bytes()
    return _repeat_to(folder / "a-repeats.txt", corpus + b"\n\n", size)


def make_junk(folder: Path, size: int) -> Path:
    rng = random.Random(6)
    letters = "abcdefghijklmnopqrstuvwxyz      ,.;:-()0123456789"
    pool = []
    for index in range(512):
        line = "".join(rng.choice(letters) for _ in range(rng.randint(401, 1200))).encode()
        if index % 64 == 0:
            line = line.replace(b"e", b"\xe9", 3)  # now and then a Latin-1 line
        pool.append(line + b"\n\n")
    unit = b"".join(pool)
    return _repeat_to(folder / "b-junk.txt", unit, size, head=b"Daily Papers\n\nDec 16\n\n")


def make_unique(folder: Path, size: int) -> Path:
    path = generate(max(1, size // BYTES_PER_PAPER), folder)
    return path.rename(folder / "c-unique.txt")


def make_hf_json(folder: Path, size: int, base: int) -> Path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from generate_corpus import generate as entries

    items = []
    for number, text in enumerate(entries(base)):
        title, abstract, *meta = text.split("\n\n")
        authors = [{"_id": f"a{number}{k}", "name": f"Author {k}"} for k in range(3)]
        paper = {"id": f"24{number // 10000 % 12 + 1:02d}.{number % 100000:05d}", "title": title, "summary": abstract}
        paper |= {"authors": authors, "publishedAt": "2024-10-22T17:59:30.000Z", "upvotes": number % 97}
        items.append({"paper": paper, "title": title, "publishedAt": "2024-10-25T00:00:00.000Z", "numComments": 1})
    unit = "".join(json.dumps(item, ensure_ascii=False) + ",\n" for item in items).encode()
    last = json.dumps(items[0], ensure_ascii=False).encode()
    return _repeat_to(folder / "d-hf.json", unit, size - len(last), head=b"[\n", tail=last + b"\n]\n")


def make_one_line(folder: Path, size: int) -> Path:
    abstract = "We study one line that never ends, and what reading it costs. " * 6
    entry = f"A Paper Before It\n\n{abstract}\n\n  • 3 authors\n·\nMay 4, 2024 7\n\n"
    head = f"Daily Papers\n\nDec 16\n\n{entry}A Title Whose Abstract Is Huge\n\n".encode()
    tail = f"\n\nA Paper After It\n\n{abstract}\n".encode()
    return _repeat_to(folder / "e-one-line.txt", b"lorem ipsum dolor sit amet " * 4096, size, head, tail)


def make_file(case: str, folder: Path, size: int, small: bool) -> Path:
    base = 1000 if small else 10000
    if case == "a":
        return make_repeats(folder, size, base)
    if case == "b":
        return make_junk(folder, size)
    if case == "c":
        return make_unique(folder, size)
    if case == "d":
        return make_hf_json(folder, size, base)
    return make_one_line(folder, size)


# The measured program is started by this small process, not by the benchmark itself: on
# exec, Linux carries the exiting image's peak RSS over into the new one's ru_maxrss, so a
# child forked from the benchmark (which holds generated data) would report its parent's.
LAUNCHER = """\
import json, os, sys, time
started = time.clock_gettime(time.CLOCK_MONOTONIC)
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_pid, status, usage = os.wait4(pid, 0)
wall = time.clock_gettime(time.CLOCK_MONOTONIC) - started
with open(sys.argv[1], "w") as report:
    json.dump([os.waitstatus_to_exitcode(status), wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss], report)
"""


def run_child(argv: list[str], env: dict[str, str], folder: Path) -> dict[str, object]:
    """One child process: its exit status, wall and CPU time, peak RSS and first output lines."""
    out_path, err_path, report = folder / "child.out", folder / "child.err", folder / "child.json"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        launch = [sys.executable, "-c", LAUNCHER, str(report), *argv]
        subprocess.run(launch, stdout=out, stderr=err, env=env, check=True)
    status, wall, cpu, max_rss_kib = json.loads(report.read_text())
    lines = out_path.read_text(errors="replace").splitlines()
    errors = err_path.read_text(errors="replace").splitlines()
    return {
        "exit": status,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "peak_rss_mb": round(max_rss_kib / 1024, 1),  # Linux reports KiB
        "output": lines[0] if lines else (errors[0] if errors else ""),
        "output_lines": len(lines),
        "package": next((line for line in lines if line.endswith("__init__.py")), None),
    }


def measure(path: Path, mode: str, folder: Path, tree: str | None) -> dict[str, object]:
    home = folder / f"home-{mode}"
    env = dict(os.environ)
    env.update(redirect_home(home))
    if tree:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [tree, env.get("PYTHONPATH")]))
    if mode == "load":
        argv = [sys.executable, "-c", LOAD, str(path)]
    else:
        argv = [sys.executable, "-m", "broadsheet", "add", str(path)]
    try:
        return run_child(argv, env, folder)
    finally:
        shutil.rmtree(home, ignore_errors=True)  # the library's copy and the cache


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=float, default=500, help="size of each generated file (default 500)")
    parser.add_argument("--cases", default=",".join(CASES), help="which files: a,b,c,d,e")
    parser.add_argument("--modes", default="load,add", help="load, add or both")
    parser.add_argument("--tree", help="a folder holding the broadsheet package to measure instead")
    parser.add_argument("--small", action="store_true", help="5 MB files (CI)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    size = int((5 if args.small else args.size_mb) * 1e6)
    rows = []
    with tempfile.TemporaryDirectory(prefix="broadsheet-bench-") as temp:
        folder = Path(temp)
        redirect_home(folder / "home")
        for case in args.cases.split(","):
            path = make_file(case, folder, size, args.small)
            megabytes = path.stat().st_size / 1e6
            for mode in args.modes.split(","):
                row = {"case": f"{case} {CASES[case]}", "file_mb": round(megabytes, 1), "mode": mode}
                row |= measure(path, mode, folder, args.tree)
                row["rss_per_file_mb"] = round(float(row["peak_rss_mb"]) / megabytes, 2)  # type: ignore[arg-type]
                rows.append(row)
                if not args.json:
                    print("  ".join(f"{k}={v}" for k, v in row.items() if k != "package"), flush=True)
            path.unlink()
    report = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "tree": args.tree or "installed",
        "runs": rows,
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(report["machine"], f"package: {rows[0]['package'] if rows else '?'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
