"""`star`, `unstar`, `read`, `unread`, `starred`, `merge` and `state`: the reading state from a shell."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from broadsheet import paths
from broadsheet.commands.common import CommandError, add_state_argument, open_state, warn_all
from broadsheet.export.with_state import StateRecords, looks_like_json, read_state_records
from broadsheet.model import normalize_arxiv_id
from broadsheet.state import ReadingState, StateCorruptError, StateError
from broadsheet.text_safety import one_line

CHANGES = {
    "star": ("star_many", "starred"),
    "unstar": ("unstar_many", "unstarred"),
    "read": ("mark_read_many", "marked read"),
    "unread": ("mark_unread_many", "marked unread"),
}


def build_change_parser(command: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"broadsheet {command}",
        description=f"{CHANGES[command][1].capitalize()}: change the reading state of papers by key.",
        epilog=(
            "KEY is as `broadsheet export` prints it: arxiv:2410.17243 or title:<normalized title>;\n"
            "a bare arXiv id (2410.17243v2) is accepted too.\n\n"
            f"example:\n  broadsheet {command} arxiv:2410.17243 title:attention is all you need"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("keys", nargs="+", metavar="KEY")
    add_state_argument(parser)
    return parser


def normalize_key(raw: str) -> str:
    key = raw.strip()
    if key.startswith(("arxiv:", "title:")):
        return key
    if arxiv := normalize_arxiv_id(key):
        return f"arxiv:{arxiv}"
    raise CommandError(f"{raw!r} is not a paper key (arxiv:<id> or title:<normalized title>)")


def _known_title(state: object, key: str) -> str:
    """The title on record, else (for a title key) its readable normalized form."""
    entry = state.entry(key)  # type: ignore[attr-defined]
    if entry is not None and entry.title:
        return str(entry.title)
    return key.removeprefix("title:") if key.startswith("title:") else ""


def run_change(command: str, args: argparse.Namespace) -> int:
    keys = [normalize_key(k) for k in args.keys]
    method, verb = CHANGES[command]
    state = open_state(args.state)
    try:
        items = [(key, _known_title(state, key)) for key in keys]
        changed = getattr(state, method)(items)
        state.close()
    except StateError as error:
        raise CommandError(str(error)) from None
    print(f"{verb} {changed} of {len(keys)} paper{'s' if len(keys) != 1 else ''}")
    return 0


def build_starred_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="broadsheet starred",
        description="List starred papers (even when their listings are gone), most recent first.",
        epilog="output: KEY<tab>TITLE per line",
    )
    add_state_argument(parser)
    return parser


def run_starred(args: argparse.Namespace) -> int:
    state = open_state(args.state, readonly=True)
    try:
        for entry in state.starred():
            sys.stdout.write(f"{entry.key}\t{one_line(entry.title)}\n")
    finally:
        state.close()
    return 0


def build_merge_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="broadsheet merge",
        description=(
            "Fold another reading state into ours: per paper and per star/read mark, the later change wins.\n"
            "OTHER is another state.toml, or a JSON / JSON Lines export made with --with-state\n"
            "(told apart by content); a mark without a time there only fills a gap here."
        ),
        epilog=(
            "examples:\n"
            "  broadsheet merge ~/sync/laptop-state.toml\n"
            "  broadsheet export --with-state pages/ -o backup.jsonl   (elsewhere)\n"
            "  broadsheet merge backup.jsonl"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("other", metavar="OTHER")
    add_state_argument(parser)
    return parser


def _exported_state(path: str) -> StateRecords | None:
    """The state in OTHER when it is a JSON or JSON Lines export; None when it should be a
    state file (or cannot be read: merge_from then says why)."""
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if not looks_like_json(text):
        return None
    try:
        return read_state_records(text, path)
    except ValueError as error:
        raise CommandError(f"{path}: neither a reading-state file nor a broadsheet export ({error})") from None


def _merge_state_file(state: ReadingState, other: str) -> int:
    try:
        return state.merge_from(other)
    except StateCorruptError as error:
        prefix = f"{Path(other)} cannot be read: "
        if str(error).startswith(prefix):
            reason = str(error).removeprefix(prefix)
            raise CommandError(f"{other}: neither a reading-state file nor a broadsheet export ({reason})") from None
        raise


def run_merge(args: argparse.Namespace) -> int:
    exported = _exported_state(args.other)
    note = ""
    if exported is not None:
        warn_all(exported.warnings)
        note = f" ({exported.stated} of {exported.records} records carry state)"
        if not exported.items:
            why = "no record in it has any" if exported.marked else "it was exported without --with-state"
            warn_all([f"{args.other} carries no reading state: {why}"])
            print(f"merged {args.other}: 0 papers changed{note}")
            return 0
    state = open_state(args.state)
    try:
        with state:  # closing saves the merge
            if exported is not None:
                changed = state.merge_values(exported.items)
            else:
                changed = _merge_state_file(state, args.other)
    except StateError as error:
        raise CommandError(str(error)) from None
    except OSError as error:
        raise CommandError(f"{args.other}: {error.strerror or error}") from None
    except ValueError as error:  # merge_values checks again what read_state_records checked
        raise CommandError(f"{args.other}: {error}") from None
    print(f"merged {args.other}: {changed} paper{'s' if changed != 1 else ''} changed{note}")
    return 0


def build_state_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="broadsheet state", description="About the reading-state file.")
    parser.add_argument("--path", action="store_true", help="print where the state file is")
    add_state_argument(parser)
    return parser


def run_state(args: argparse.Namespace) -> int:
    path = paths.state_file(args.state)
    if args.path:
        print(path)
        return 0
    state = open_state(args.state, readonly=True)
    try:
        counts = state.counts()
    finally:
        state.close()
    print(f"{path}\n{counts.starred} starred, {counts.read} read")
    return 0
