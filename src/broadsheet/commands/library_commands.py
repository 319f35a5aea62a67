"""`add`, `library` and `remove`: the listings kept in the user's library, as received.

A listing is stored byte for byte under a name that starts with a digest of its content,
so adding the same file twice keeps one copy. `add` copies the file (or stdin) into the
library folder in blocks, hashing on the way, reads the copy, and then either renames it
into place or deletes it: a 500 MB listing never has to fit in memory. Removing a listing
never touches the reading state: stars and read marks stay for when the papers come back.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, cast

from broadsheet import paths
from broadsheet.commands.common import CommandError, year_type
from broadsheet.sources.files import BLOCK_SIZE, open_listing
from broadsheet.sources.loader import STDIN, load_listings, read_one

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


def stored_name(digest: str, original: str) -> str:
    base = "stdin.txt" if original == STDIN else Path(original).name
    return f"{digest[:12]}-{_UNSAFE_NAME.sub('_', base)[:80]}"


def kept_files() -> list[Path]:
    folder = paths.library_dir()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


@contextlib.contextmanager
def incoming(path: str, folder: Path) -> Iterator[tuple[BinaryIO, str]]:
    """A copy of `path` (or stdin) in a hidden temporary file in `folder`, and its SHA-256.

    Deleted on the way out unless `keep` renamed it into place first.
    """
    folder.mkdir(parents=True, exist_ok=True)
    spool = tempfile.NamedTemporaryFile(dir=folder, prefix=".incoming-", suffix=".tmp", delete=False)  # noqa: SIM115
    try:
        with spool:
            digest = hashlib.sha256()
            with contextlib.ExitStack() as stack:
                source = sys.stdin.buffer if path == STDIN else stack.enter_context(open_listing(path))
                while block := source.read(BLOCK_SIZE):
                    digest.update(block)
                    spool.write(block)
            spool.flush()
            spool.seek(0)
            yield cast(BinaryIO, spool), digest.hexdigest()
    except OSError as error:
        raise CommandError(f"{path}: {error.strerror or error}") from None
    finally:
        Path(spool.name).unlink(missing_ok=True)


def keep(spool: BinaryIO, target: Path) -> None:
    """The spooled copy renamed to `target`, durably: the file and then its folder synced."""
    try:
        os.fsync(spool.fileno())
        os.replace(spool.name, target)
        folder = os.open(target.parent, os.O_RDONLY)
        try:
            with contextlib.suppress(OSError):  # some filesystems cannot sync a folder
                os.fsync(folder)
        finally:
            os.close(folder)
    except OSError as error:
        raise CommandError(f"{target}: {error.strerror or error}") from None


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
        with incoming(path, folder) as (spool, digest):
            result = read_one(spool, path, year=args.year)
            name = stored_name(digest, path)
            papers = result.papers
            if any(p.name.startswith(name[:12]) for p in existing):
                print(f"{path}: already in the library ({len(papers)} papers)")
                continue
            target = folder / name
            keep(spool, target)
        existing.append(target)
        new = [p for p in papers if p.key not in known_keys and p.title_key not in known_titles]
        known_keys.update(p.key for p in papers)
        known_titles.update(p.title_key for p in papers)
        skipped = len(result.warnings) + result.omitted
        print(
            f"{path}: added {len(papers)} papers ({len(new)} new, {len(papers) - len(new)} merged), skipped {skipped}"
        )
        for notice in result.notices:
            print(f"  note: {notice}")
        for warning in result.reported_warnings(path)[len(result.notices) :]:
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
