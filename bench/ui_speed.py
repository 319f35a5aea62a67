"""How fast the reader paints: first paint, star toggle and page-down, against a bare Textual app.

    python bench/ui_speed.py                       10k and 100k papers (generated), table
    python bench/ui_speed.py --sizes 10000 --json  one size, JSON
    python bench/ui_speed.py --corpus dump.txt     an existing listing (repeatable)
    python bench/ui_speed.py --small               ~2k papers, 2 runs: proves it works (CI)

Everything runs headless through `App.run_test(size=(120, 40))`, with every user dir (XDG_*,
HOME, BROADSHEET_STATE) pointed into a temporary folder.

First paint (a fresh process per measurement, so imports count for both apps)
    The parent reads CLOCK_MONOTONIC just before starting the child; the child reports the
    same clock when a frame is produced. A *frame* is a call of `App._display` with an update
    (what Textual would write to the terminal); headless Textual skips the terminal encoding,
    so the benchmark does it (`update.render_segments(console)`) to keep its cost in.
      bare          an App with a Header, an Input and a Footer: its first frame
      warm          broadsheet with the parsed-listing cache and the search-index cache
                    present (made by an unmeasured run first): the first frame in which
                    PaperList drew a paper row (`first_rows`), and the first
                    frame after the first search result was applied (`first_results`: the
                    rows in their final, newest-first order)
      cold          broadsheet with an empty cache dir (parses the listing, writes the cache)
    Each is the median of --runs runs, interleaved (bare, warm, cold, bare, ...) so that
    machine noise hits all three alike. `phases` splits the child's time: interpreter start
    and imports, make_app (listings, state, Finder), first frame.

Key to repaint (one process per size, warm caches, after the full index is ready)
    The key goes in the way a terminal's does (`driver.send_message(Key)`), and the clock
    stops at the first frame (as above) after PaperList has drawn the target row
    in its new look: `s` the cursor row with its star; `pagedown` the new cursor row; `j`
    the next row under the cursor (before each `s`, so each star lands on a fresh row).
    Textual paces frames at 60 Hz, so a repaint may wait up to one frame (16.7 ms) for its
    slot; presses are spaced 50 ms apart so that it seldom has to. p50/p95/max of --presses.
    `bare_keystroke`: a letter typed into the bare app's Input, to its frame: Textual's floor.

Targets (from the issue): warm first paint <= 1.5x bare at 100k and <= 1.2x at 10k; cold
first paint <= 3 s at 100k; star repaint <= 16 ms at 100k.
"""

from __future__ import annotations

import time

T_START = time.clock_gettime(time.CLOCK_MONOTONIC)  # before anything else: the child's own start

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

from bench_common import (  # noqa: E402
    compile_package,
    generate,
    index_ready,
    ms_stats,
    now,
    redirect_home,
    start_like_the_command,
)

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
SIZE = (120, 40)
TARGETS = {
    "warm_first_paint_vs_bare_100k": 1.5,
    "warm_first_paint_vs_bare_10k": 1.2,
    "cold_first_paint_100k_s": 3.0,
    "star_repaint_100k_ms": 16.0,
}


def summary_ms(values: list[float]) -> dict[str, float | int]:
    stats = ms_stats(values)
    if not stats["n"]:
        return {"n": 0}
    return {"n": stats["n"], **{f"{key}_ms": stats[key] for key in ("p50", "p95", "max", "mean")}}


# ---------------------------------------------------------------------------------------
# child processes
# ---------------------------------------------------------------------------------------


class FrameProbe:
    """Patches App._display and PaperList._lines (every row drawn) to timestamp frames and what they show."""

    def __init__(self) -> None:
        self.marks: dict[str, float] = {}
        self.rows_drawn = False  # a paper row was drawn (PaperList._lines)
        self.results_applied = False  # PaperList.set_rows ran (a search result landed)
        self.results_drawn = False  # a paper row was drawn after that
        self.target: tuple[int, object] | None = None  # (position, predicate(list, index))
        self.target_drawn = False
        self.frame_hook = None  # called with the time of each frame

    def install(self, *, paper_list: bool) -> None:
        from textual.app import App

        probe = self
        original_display = App._display

        def _display(app, screen, renderable):  # type: ignore[no-untyped-def]
            original_display(app, screen, renderable)
            if renderable is None:
                return
            render_segments = getattr(renderable, "render_segments", None)
            if render_segments is not None:
                render_segments(app.console)  # what a real terminal would have been sent
            t = now()
            probe.marks.setdefault("first_frame", t)
            if probe.rows_drawn:
                probe.marks.setdefault("first_rows", t)
            if probe.results_drawn:
                probe.marks.setdefault("first_results", t)
            if probe.frame_hook is not None:
                probe.frame_hook(t)

        App._display = _display  # type: ignore[method-assign]
        if not paper_list:
            return
        from broadsheet.tui.paper_list import PaperList

        original_lines = PaperList._lines  # noqa: SLF001 - every row drawn goes through it
        original_set_rows = PaperList.set_rows

        def lines(widget, positions, *args, **kwargs):  # type: ignore[no-untyped-def]
            strips = original_lines(widget, positions, *args, **kwargs)
            rows = widget.rows
            for position in positions:
                if position >= len(rows):
                    break
                probe.rows_drawn = True
                if probe.results_applied:
                    probe.results_drawn = True
                target = probe.target
                if target is not None and position == target[0] and target[1](widget, rows[position]):  # type: ignore[operator]
                    probe.target_drawn = True
            return strips

        def set_rows(widget, rows, title_spans=None):  # type: ignore[no-untyped-def]
            original_set_rows(widget, rows, title_spans)
            probe.results_applied = True

        PaperList._lines = lines  # type: ignore[method-assign]  # noqa: SLF001
        PaperList.set_rows = set_rows  # type: ignore[method-assign]


def bare_app():  # type: ignore[no-untyped-def]
    from textual.app import App
    from textual.widgets import Footer, Header, Input

    class Bare(App[None]):
        def compose(self):  # type: ignore[no-untyped-def]
            yield Header()
            yield Input(placeholder="filter")
            yield Footer()

    return Bare()


def broadsheet_app(corpus: str, home: Path):  # type: ignore[no-untyped-def]
    from broadsheet.commands.reader import build_parser, make_app

    args = build_parser().parse_args([corpus, "--state", str(home / "state.toml")])
    return make_app(args)


def child_paint(args: argparse.Namespace) -> None:
    """One first-paint measurement; prints a JSON line of CLOCK_MONOTONIC marks."""
    import asyncio

    home = Path(args.home)
    redirect_home(home)
    sys.path.insert(0, str(SRC))
    marks: dict[str, float] = {"start": T_START}
    probe = FrameProbe()
    if args.case == "bare":
        import textual.app  # noqa: F401
        import textual.widgets  # noqa: F401

        marks["imported"] = now()
        probe.install(paper_list=False)
        app = bare_app()
        marks["app_made"] = now()
        wanted = "first_frame"
    else:
        start_like_the_command()
        import broadsheet.commands.reader  # noqa: F401
        import broadsheet.tui.app  # noqa: F401  (make_app imports it; counted here)

        marks["imported"] = now()
        probe.install(paper_list=True)
        app = broadsheet_app(str(args.corpus[0]), home)
        marks["app_made"] = now()
        wanted = "first_results"

    def report() -> None:
        marks.update(probe.marks)
        if args.case == "bare":
            marks.setdefault("first_rows", marks.get("first_frame", math.nan))
            marks.setdefault("first_results", marks.get("first_frame", math.nan))
        import resource

        marks["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(marks), flush=True)
        # Leave at once, from inside the app: tearing down 100k objects is not what is measured,
        # and a search still in flight must not land on a closing app.
        os._exit(0)

    async def run() -> None:
        async with app.run_test(size=SIZE) as _pilot:
            deadline = now() + 120
            while wanted not in probe.marks and now() < deadline:
                await asyncio.sleep(0.001)
            if args.case == "prep":  # leave both caches behind for the warm runs
                await index_ready(app, 600)
                app.wait_for_background_work(600)  # the parsed-listing cache, written after first paint
            report()

    asyncio.run(run())


def child_keys(args: argparse.Namespace) -> None:
    """Key-to-repaint latencies in one process; prints a JSON line."""
    import asyncio

    home = Path(args.home)
    redirect_home(home)
    sys.path.insert(0, str(SRC))
    from textual import events
    from textual.worker import WorkerState

    probe = FrameProbe()
    bare = args.case == "bare"
    if not bare:
        start_like_the_command()
    probe.install(paper_list=not bare)
    app = bare_app() if bare else broadsheet_app(str(args.corpus[0]), home)
    results: dict[str, object] = {}

    async def press(
        key: str,
        character: str | None,
        target: tuple[int, object] | None,
        shown: Callable[[], bool] | None = None,
    ) -> float | None:
        """Send a key as a terminal would; seconds until the frame that shows `target` (a row
        drawn in its new look) or, without one, the first frame for which `shown()` holds."""
        done = asyncio.Event()
        stamp: list[float] = []
        probe.target, probe.target_drawn = target, False

        def on_frame(t: float) -> None:
            ready = probe.target_drawn if target is not None else shown is None or shown()
            if ready and not stamp and t >= sent:
                stamp.append(t)
                done.set()

        probe.frame_hook = on_frame
        event = events.Key(key, character)
        event.set_sender(app)
        sent = now()
        app._driver.send_message(event)  # noqa: SLF001 - the path a terminal's keys take
        try:
            await asyncio.wait_for(done.wait(), 5)
        except TimeoutError:
            return None
        finally:
            probe.frame_hook, probe.target = None, None
        return stamp[0] - sent

    async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
        if bare:
            await pilot.pause()
            return
        await index_ready(app, 600)
        for _ in range(400):
            await pilot.pause()
            busy = any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers)
            if not busy and app.library.index_progress() is None and not app._message_queue.qsize():  # noqa: SLF001
                break
        await asyncio.sleep(0.3)

    async def run() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            gap = args.gap_ms / 1000
            if bare:
                box = app.query_one("Input")
                app.set_focus(box)
                await asyncio.sleep(gap)
                typed = []
                for i in range(args.presses):
                    letter = "abcdefghij"[i % 10]
                    typed.append(await press(letter, letter, None, lambda n=i + 1: len(box.value) == n))
                    await asyncio.sleep(gap)
                results["keystroke"] = typed
                finish()
            paper_list = app.paper_list
            paper_list.focus()
            await asyncio.sleep(gap)
            downs, stars = [], []
            for _ in range(args.presses):
                position = paper_list.cursor + 1
                downs.append(await press("j", "j", (position, lambda w, i, p=position: w.cursor == p)))
                await asyncio.sleep(gap)
                position = paper_list.cursor
                was = app.library.is_starred(paper_list.rows[position])
                check = (position, lambda w, i, was=was: app.library.is_starred(i) != was)
                stars.append(await press("s", "s", check))
                await asyncio.sleep(gap)
            pages = []
            app.paper_list.action_first()
            await asyncio.sleep(0.2)
            for _ in range(args.presses):
                position = min(paper_list.cursor + paper_list._page(), len(paper_list.rows) - 1)  # noqa: SLF001
                pages.append(await press("pagedown", None, (position, lambda w, i, p=position: w.cursor == p)))
                await asyncio.sleep(gap)
            results.update(star=stars, cursor_down=downs, page_down=pages)
            finish()

    def finish() -> None:
        print(json.dumps(results), flush=True)
        os._exit(0)  # from inside the app, as in child_paint

    asyncio.run(run())


# ---------------------------------------------------------------------------------------
# the parent
# ---------------------------------------------------------------------------------------


def run_child(argv: list[str], env: dict[str, str], timeout: float = 900) -> tuple[float, dict]:
    """Start this script as a child; returns (CLOCK_MONOTONIC just before the spawn, its JSON)."""
    command = [sys.executable, str(Path(__file__).resolve()), *argv]
    spawned = now()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"child {argv[:3]} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return spawned, json.loads(lines[-1])


def measure_corpus(corpus: Path, work: Path, runs: int, presses: int, gap_ms: float, log) -> dict:  # type: ignore[no-untyped-def]
    env = dict(os.environ)
    env.pop("BROADSHEET_STATE", None)
    # Both apps start from compiled bytecode, as an installed package does (pip compiles it
    # at install time). With PYTHONDONTWRITEBYTECODE set, as on some machines, an editable
    # checkout would compile its ~70 modules from source in every measured run (~0.1 s).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(SRC / "broadsheet")], check=True, env=env)
    warm_home = work / "warm"
    bare_home = work / "bare"

    def paint(case: str, home: Path) -> dict[str, float]:
        spawned, marks = run_child(
            ["--child", "paint", "--case", case, "--corpus", str(corpus), "--home", str(home)], env
        )
        start = marks["start"]
        return {
            "first_frame_s": marks["first_frame"] - spawned,
            "first_rows_s": marks["first_rows"] - spawned,
            "first_results_s": marks["first_results"] - spawned,
            "interpreter_start_s": start - spawned,
            "imports_s": marks["imported"] - start,
            "make_app_s": marks["app_made"] - marks["imported"],
            "run_to_first_frame_s": marks["first_frame"] - marks["app_made"],
            "rss_mb": marks["rss_mb"],
        }

    log(f"  {corpus.name}: preparing the warm caches")
    prep_started = now()
    paint("prep", warm_home)
    prep_s = now() - prep_started
    samples: dict[str, list[dict[str, float]]] = {"bare": [], "warm": [], "cold": []}
    for run in range(runs):
        log(f"  {corpus.name}: first-paint run {run + 1}/{runs}")
        samples["bare"].append(paint("bare", bare_home))
        samples["warm"].append(paint("warm", warm_home))
        cold_home = work / f"cold-{run}"
        samples["cold"].append(paint("cold", cold_home))
        shutil.rmtree(cold_home, ignore_errors=True)

    def med(case: str) -> dict[str, float]:
        keys = samples[case][0].keys()
        return {k: round(statistics.median(s[k] for s in samples[case]), 4) for k in keys}

    first_paint = {case: med(case) for case in samples}
    for case in samples:
        first_paint[case]["runs_first_rows_s"] = [round(s["first_rows_s"], 4) for s in samples[case]]
    bare = first_paint["bare"]["first_frame_s"]
    ratios = {
        "warm_first_rows_vs_bare": round(first_paint["warm"]["first_rows_s"] / bare, 2),
        "warm_first_results_vs_bare": round(first_paint["warm"]["first_results_s"] / bare, 2),
        "cold_first_rows_vs_bare": round(first_paint["cold"]["first_rows_s"] / bare, 2),
    }
    log(f"  {corpus.name}: key presses")
    common = ["--corpus", str(corpus), "--home", str(warm_home), "--presses", str(presses), "--gap-ms", str(gap_ms)]
    _, keys = run_child(["--child", "keys", "--case", "warm", *common], env)
    _, bare_keys = run_child(
        ["--child", "keys", "--case", "bare", *common[:2], "--home", str(bare_home), *common[4:]], env
    )
    timeouts = {name: sum(v is None for v in values) for name, values in keys.items()}
    repaint = {name: summary_ms([v for v in values if v is not None]) for name, values in keys.items()}
    repaint["bare_keystroke"] = summary_ms([v for v in bare_keys["keystroke"] if v is not None])
    return {
        "corpus": str(corpus),
        "corpus_mb": round(corpus.stat().st_size / 2**20, 1),
        "papers": count_papers(corpus, warm_home),
        "prep_run_s": round(prep_s, 2),
        "first_paint": first_paint,
        "ratios": ratios,
        "repaint": repaint,
        "repaint_timeouts": timeouts,
    }


def count_papers(corpus: Path, home: Path) -> int | None:
    """Papers in the corpus, read from the warm parsed-listing cache."""
    code = (
        "import sys; from broadsheet.sources.loader import open_listings;"
        "print(len(open_listings([sys.argv[1]]).papers))"
    )
    env = dict(os.environ)
    for name, value in {
        "HOME": home,
        "XDG_DATA_HOME": home / "data",
        "XDG_CONFIG_HOME": home / "config",
        "XDG_CACHE_HOME": home / "cache",
        "BROADSHEET_STATE": home / "state.toml",
    }.items():
        env[name] = str(value)
    env["PYTHONPATH"] = str(SRC)
    done = subprocess.run([sys.executable, "-c", code, str(corpus)], env=env, capture_output=True, text=True)
    return int(done.stdout.strip()) if done.returncode == 0 and done.stdout.strip() else None


def verdicts(results: list[dict]) -> dict[str, object]:
    """Each target against the run whose size it names (by paper count, nearest)."""
    out: dict[str, object] = {}
    for result in results:
        n = result["papers"] or 0
        label = "100k" if n >= 50_000 else "10k" if n >= 5_000 else f"{n}"
        fp, ratios = result["first_paint"], result["ratios"]
        if label in ("10k", "100k"):
            limit = TARGETS[f"warm_first_paint_vs_bare_{label}"]
            out[f"warm_first_paint_vs_bare_{label}"] = {
                "target": f"<= {limit}x",
                "measured": ratios["warm_first_rows_vs_bare"],
                "ok": ratios["warm_first_rows_vs_bare"] <= limit,
            }
        if label == "100k":
            cold = fp["cold"]["first_rows_s"]
            out["cold_first_paint_100k_s"] = {"target": "<= 3.0 s", "measured": cold, "ok": cold <= 3.0}
            star = result["repaint"]["star"].get("p95_ms")
            out["star_repaint_100k_ms"] = {
                "target": "<= 16 ms (p95 used)",
                "measured": star,
                "ok": star is not None and star <= 16.0,
            }
    return out


def print_table(report: dict) -> None:
    print(f"ui_speed  (python {report['python']}, {report['cpus']} CPUs, load {report['load_average']})")
    for result in report["results"]:
        print(f"\n{result['papers']:,} papers  ({result['corpus_mb']} MiB)  {result['corpus']}")
        print(f"  first paint, median of {report['runs']} fresh processes (seconds from spawn):")
        print(f"    {'case':<6} {'rows':>7} {'results':>8} {'interp':>7} {'imports':>8} {'make_app':>9} {'rss MB':>7}")
        for case, fp in result["first_paint"].items():
            print(
                f"    {case:<6} {fp['first_rows_s']:7.3f} {fp['first_results_s']:8.3f} {fp['interpreter_start_s']:7.3f}"
                f" {fp['imports_s']:8.3f} {fp['make_app_s']:9.3f} {fp['rss_mb']:7.0f}"
            )
        print(f"    ratios: {result['ratios']}")
        print(f"  key to repaint (ms), {report['presses']} presses:")
        for name, s in result["repaint"].items():
            if s.get("n"):
                print(
                    f"    {name:<15} p50 {s['p50_ms']:7.2f} p95 {s['p95_ms']:7.2f} max {s['max_ms']:7.2f} (n={s['n']})"
                )
        if any(result["repaint_timeouts"].values()):
            print(f"    timeouts: {result['repaint_timeouts']}")
    print("\ntargets:" + ("" if report["targets"] else " (none at these sizes; they are set at 10k and 100k)"))
    for name, verdict in report["targets"].items():
        print(f"  {name:<32} {verdict['measured']!s:>8}  {verdict['target']:<22} {'ok' if verdict['ok'] else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", action="append", type=Path, help="listing to use (repeatable); else generated")
    parser.add_argument("--papers", type=int, help="generate one corpus of this many papers")
    parser.add_argument("--sizes", default="10000,100000", help="generate these sizes (default 10000,100000)")
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per first-paint case (default 5)")
    parser.add_argument("--presses", type=int, default=50, help="presses per key (default 50)")
    parser.add_argument("--gap-ms", type=float, default=50, help="idle time between presses (default 50)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--small", action="store_true", help="~2k papers, 2 runs, 10 presses: a CI smoke run")
    parser.add_argument("--child", choices=["paint", "keys"], help=argparse.SUPPRESS)
    parser.add_argument("--case", choices=["bare", "warm", "cold", "prep"], help=argparse.SUPPRESS)
    parser.add_argument("--home", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "paint":
        child_paint(args)
        return
    if args.child == "keys":
        child_keys(args)
        return
    if args.small:
        args.runs, args.presses = min(args.runs, 2), min(args.presses, 10)
    log = (lambda message: print(message, file=sys.stderr, flush=True)) if not args.json else (lambda _m: None)
    results = []
    compile_package()
    with tempfile.TemporaryDirectory(prefix="broadsheet-ui-speed-") as folder:
        work = Path(folder)
        redirect_home(work / "parent-home")  # nothing in this process reads it; children get their own
        if args.corpus:
            corpora = [Path(c) for c in args.corpus]
        else:
            sizes = [2000] if args.small else [args.papers] if args.papers else [int(s) for s in args.sizes.split(",")]
            corpora = []
            for size in sizes:
                log(f"generating {size:,} papers")
                corpora.append(generate(size, work))
        for number, corpus in enumerate(corpora):
            results.append(measure_corpus(corpus, work / f"c{number}", args.runs, args.presses, args.gap_ms, log))
    report = {
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "runs": args.runs,
        "presses": args.presses,
        "size": list(SIZE),
        "results": results,
        "targets": verdicts(results),
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report)


if __name__ == "__main__":
    main()
