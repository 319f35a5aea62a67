"""`broadsheet [PATH ...]`: open the reader on listings, the library, or the bundled sample."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from broadsheet import __version__, paths
from broadsheet.commands.common import CommandError, add_listing_arguments, add_state_argument
from broadsheet.config import load_config
from broadsheet.library import Library, SearchEngine
from broadsheet.model import Paper
from broadsheet.sources.loader import Listings, open_listings

if TYPE_CHECKING:
    from broadsheet.tui.app import BroadsheetApp

EPILOG = """\
examples:
  broadsheet                        open your library (the bundled sample when it is empty)
  broadsheet papers.txt more/       open just these listings (files or folders)
  pbpaste | broadsheet -            read a listing from standard input
  broadsheet --theme broadsheet-light --state ~/sync/state.toml papers.txt
  broadsheet export --format bibtex --starred papers.txt > refs.bib

subcommands (broadsheet COMMAND --help for more):
  export    write papers as jsonl, json, dump, bibtex, markdown or csv
  star, unstar, read, unread KEY...   change the reading state from a shell
  starred   list starred papers          merge OTHER.toml   fold in another machine's state
  state     where the state file is      add, library, remove   keep listings in your library
"""

SAMPLE_BANNER = (
    "This is sample data bundled with broadsheet. Open real listings with `broadsheet PATH` "
    "or keep them with `broadsheet add PATH`; press ? for help."
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="broadsheet",
        description="A terminal reader for research-paper listings.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"broadsheet {__version__}")
    parser.add_argument("--theme", metavar="NAME", help="colour theme for this session (t picks and remembers one)")
    add_listing_arguments(parser)
    add_state_argument(parser)
    return parser


def library_files() -> list[str]:
    """The listings kept with `broadsheet add`, oldest first."""
    folder = paths.library_dir()
    if not folder.is_dir():
        return []
    return sorted(str(p) for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def choose_listings(args: argparse.Namespace, *, save_later: bool = False) -> tuple[Listings, str | None]:
    """The listings to show and, for the sample, the banner that says so."""
    if args.paths:
        return open_listings(args.paths, year=args.year, save_later=save_later), None
    kept = library_files()
    if kept:
        return open_listings(kept, year=args.year, save_later=save_later), None
    from broadsheet.sample import sample_path

    return open_listings([str(sample_path())]), SAMPLE_BANNER


def make_app(args: argparse.Namespace) -> BroadsheetApp:
    """The one app factory, for the CLI and the tests: listings, state, search, config."""
    from broadsheet.finder import Finder
    from broadsheet.sources.loader import identity_pairs
    from broadsheet.state import ReadingState, StateError
    from broadsheet.tui.app import BroadsheetApp

    config = load_config()
    if getattr(args, "theme", None):
        config.theme = args.theme
    # a fresh parse's cache is written once the reader is on screen (cold start at 100k: -0.8 s)
    # The papers live as long as the reader: keep the cyclic collector from rescanning them
    # (a full collection with 100k papers loaded pauses the UI ~90 ms). Frozen before any
    # collection runs: the first one after a fresh parse would walk its ~320k new objects
    # (~0.09 s of a cold start at 100k) only to keep them all.
    collecting = gc.isenabled()
    gc.disable()
    try:
        listings, banner = choose_listings(args, save_later=True)
        gc.freeze()
    finally:
        if collecting:
            gc.enable()
    # Every frame leaves cyclic garbage (Textual's Strips cache themselves), so young
    # collections must stay small: 2,000 objects pause ~1 ms, the middle generation ~5 ms
    # (50,000 paused 20-80 ms while typing). Full collections, which walk every tracked
    # object, come only after 10,000 young ones; the reader runs one when the user pauses.
    gc.set_threshold(2_000, 10, 1000)
    listeners: list[Callable[[set[str]], None]] = []

    def changed_elsewhere(keys: set[str]) -> None:
        for listener in listeners:
            listener(keys)

    try:
        state = ReadingState(args.state, on_change=changed_elsewhere)
    except StateError as error:
        raise CommandError(str(error)) from None
    problems = state.take_warnings()
    if listings.warnings:
        first = listings.warnings[0]
        more = f" and {len(listings.warnings) - 1} more" if len(listings.warnings) > 1 else ""
        problems.append(f"skipped unreadable parts of the listings: {first}{more} (`broadsheet export` lists them all)")
    if follow := identity_pairs(listings.papers):
        state.follow_identities(follow)
    library = Library(listings.papers, state, Finder(listings.papers, cache_key=listings.cache_key), problems=problems)
    app = BroadsheetApp(
        library, config=config, banner=banner, after_first_paint=[listings.save_cache] if listings.save_cache else []
    )
    listeners.append(app.state_changed_elsewhere)
    if not args.paths:  # showing the library: a fetch can bring new papers in
        app.reload_listings = lambda: _reload(args)
    return app


def _reload(args: argparse.Namespace) -> tuple[Sequence[Paper], SearchEngine]:
    """The library's listings again, with a fresh search engine (called on a worker thread)."""
    from broadsheet.finder import Finder

    listings, _banner = choose_listings(args)
    return listings.papers, Finder(listings.papers, cache_key=listings.cache_key)


def run(args: argparse.Namespace) -> int:
    from broadsheet.state import StateError, install_signal_handlers

    app = make_app(args)
    install_signal_handlers()
    try:
        app.run()
    finally:
        try:
            app.library.close()  # already closed on a normal exit; this covers a crash
        except StateError as error:
            app.close_error = error
    if app.close_error is not None:
        print(f"broadsheet: reading state not saved: {app.close_error}", file=sys.stderr)
        return 1
    return app.return_code or 0
