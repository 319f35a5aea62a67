"""`add`, `library` and `remove`: the listings kept in the user's library, as received.

A listing is stored byte for byte under a name that starts with a digest of its content,
so adding the same file twice keeps one copy. Removing a listing never touches the reading
state: stars and read marks stay for when the papers come back.
"""

from __future__ import annotations

import argparse
import hashlib
import re
from pathlib import Path

from broadsheet import paths
from broadsheet.atomic import write_atomically_bytes
from broadsheet.commands.common import CommandError, year_type
from broadsheet.model import dedupe
from broadsheet.sources.loader import STDIN, load_listings, parse_data, read_bytes

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def build_add_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="broadsheet add",
        description="Keep listings in your library; `broadsheet` with no arguments opens them all.",
        epilog="examples:\n  broadsheet add ~/Downloads/daily-papers-2026-11-30.txt\n  pbpaste | broadsheet add -",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="listing files; - reads stdin")
    parser.add_argument("--year", type=year_type, help="checks yearless dates against this year")
    return parser


def stored_name(data: bytes, original: str) -> str:
    digest = hashlib.sha256(data).hexdigest()[:12]
    base = "stdin.txt" if original == STDIN else Path(original).name
    return f"{digest}-{_UNSAFE_NAME.sub('_', base)[:80]}"


def kept_files() -> list[Path]:
    folder = paths.library_dir()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def run_add(args: argparse.Namespace) -> int:
    folder = paths.library_dir()
    existing = kept_files()
    known_keys: set[str] = set()
    known_titles: set[str] = set()
    if existing:
        before = load_listings([str(p) for p in existing])
        known_keys = {p.key for p in before.papers}
        known_titles = {p.title_key for p in before.papers}
    for path in args.paths:
        data = read_bytes(path)
        result = parse_data(data, path, year=args.year)
        name = stored_name(data, path)
        target = folder / name
        if any(p.name.startswith(name[:12]) for p in existing):
            print(f"{path}: already in the library ({len(result.papers)} papers)")
            continue
        try:
            write_atomically_bytes(target, data)
        except OSError as error:
            raise CommandError(f"{target}: {error.strerror or error}") from None
        existing.append(target)
        papers = dedupe(result.papers)
        new = [p for p in papers if p.key not in known_keys and p.title_key not in known_titles]
        known_keys.update(p.key for p in papers)
        known_titles.update(p.title_key for p in papers)
        skipped = len(result.warnings)
        print(
            f"{path}: added {len(papers)} papers ({len(new)} new, {len(papers) - len(new)} merged), skipped {skipped}"
        )
        for warning in result.warnings:
            print(f"  skipped {warning}")
    return 0


def build_library_parser() -> argparse.ArgumentParser:
    return argparse.ArgumentParser(prog="broadsheet library", description="List the listings kept in your library.")


def run_library(args: argparse.Namespace) -> int:
    files = kept_files()
    if not files:
        print(f"the library is empty ({paths.library_dir()}); add listings with `broadsheet add PATH`")
        return 0
    total = load_listings([str(p) for p in files])
    for path in files:
        print(f"{path.name}\t{path.stat().st_size:,} bytes")
    print(f"{len(files)} listings, {len(total.papers):,} papers in {paths.library_dir()}")
    return 0


def build_remove_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="broadsheet remove",
        description="Take listings out of the library (their papers' stars and read marks stay).",
        epilog="NAME is as `broadsheet library` prints it; a unique prefix is enough.",
    )
    parser.add_argument("names", nargs="+", metavar="NAME")
    return parser


def run_remove(args: argparse.Namespace) -> int:
    files = kept_files()
    for name in args.names:
        matches = [p for p in files if p.name == name] or [p for p in files if p.name.startswith(name)]
        if len(matches) != 1:
            reason = "no such listing in the library" if not matches else "more than one listing matches"
            raise CommandError(f"{name}: {reason} (see `broadsheet library`)")
        matches[0].unlink()
        files.remove(matches[0])
        print(f"removed {matches[0].name}")
    return 0
