"""`star`, `unstar`, `read`, `unread`, `starred`, `merge` and `state`: the reading state from a shell."""

from __future__ import annotations

import argparse
import sys

from broadsheet import paths
from broadsheet.commands.common import CommandError, add_state_argument, open_state
from broadsheet.model import normalize_arxiv_id
from broadsheet.state import StateError
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
        description="Fold another machine's state file into ours: per paper, the later change wins.",
        epilog="example:\n  broadsheet merge ~/sync/laptop-state.toml",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("other", metavar="OTHER.toml")
    add_state_argument(parser)
    return parser


def run_merge(args: argparse.Namespace) -> int:
    state = open_state(args.state)
    try:
        changed = state.merge_from(args.other)
        state.close()
    except StateError as error:
        raise CommandError(str(error)) from None
    except OSError as error:
        raise CommandError(f"{args.other}: {error.strerror or error}") from None
    print(f"merged {args.other}: {changed} paper{'s' if changed != 1 else ''} changed")
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
