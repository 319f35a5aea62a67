"""`broadsheet export`: papers to stdout or a file, in any export format, optionally filtered."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from broadsheet.atomic import write_atomically
from broadsheet.commands.common import CommandError, add_listing_arguments, add_state_argument, open_state, warn_all
from broadsheet.export.formats import FORMATS, render
from broadsheet.export.with_state import FORMATS as WITH_STATE_FORMATS
from broadsheet.export.with_state import write_with_state
from broadsheet.model import Paper
from broadsheet.sources.loader import open_listings

EPILOG = """\
examples:
  broadsheet export papers.txt                          JSON Lines, one paper per line
  broadsheet export --format json a.txt b.txt           one JSON array, papers merged across files
  broadsheet export --format bibtex --starred pages/ -o refs.bib
  broadsheet export --format markdown --query 'diffusion is:unread sort:upvotes' pages/
  broadsheet export --format dump - < page.txt          normalise a copied page
  broadsheet export --with-state pages/ > all.jsonl     with stars and read marks, for `broadsheet merge`
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="broadsheet export",
        description="Write papers to standard output (or --output FILE, written atomically).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--format", choices=FORMATS, default="jsonl")
    parser.add_argument("--query", "-q", metavar="Q", help="only papers matching this filter query (as in the reader)")
    parser.add_argument("--starred", action="store_true", help="only starred papers")
    parser.add_argument("--unread", action="store_true", help="only unread papers")
    parser.add_argument("--with-abstracts", action="store_true", help="abstracts in bibtex and markdown")
    parser.add_argument(
        "--with-state",
        action="store_true",
        help='jsonl and json: add each paper\'s "state" (stars and read marks, with their times)',
    )
    parser.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    add_listing_arguments(parser)
    add_state_argument(parser)
    return parser


def select(papers: Sequence[Paper], args: argparse.Namespace, state: object) -> list[Paper]:
    """Apply --query, --starred and --unread, in the query's order (else the listings' order)."""
    rows: Sequence[int] = range(len(papers))
    if args.query:
        from broadsheet.finder import Finder
        from broadsheet.library import Library

        finder = Finder(papers)
        finder.prepare_now()
        library = Library(papers, state, finder)  # type: ignore[arg-type]
        outcome = library.search(args.query)
        if outcome.error:
            raise CommandError(f"--query: {outcome.error}")
        rows = outcome.rows
    chosen = [papers[i] for i in rows]
    if args.starred:
        chosen = [p for p in chosen if state.is_starred(p.key)]  # type: ignore[attr-defined]
    if args.unread:
        chosen = [p for p in chosen if not state.is_read(p.key)]  # type: ignore[attr-defined]
    return chosen


def run(args: argparse.Namespace) -> int:
    if args.with_state and args.format not in WITH_STATE_FORMATS:
        raise CommandError(f"--with-state works only with --format jsonl or json, not {args.format}")
    if not args.paths:
        raise CommandError("export: give at least one listing (or - for stdin)")
    listings = open_listings(args.paths, year=args.year)
    warn_all(listings.warnings)
    needs_state = args.starred or args.unread or args.query or args.with_state or args.format in ("csv", "markdown")
    state = open_state(args.state, readonly=True) if needs_state else None
    try:
        papers = select(listings.papers, args, state) if needs_state else list(listings.papers)
        status = (lambda key: (state.is_starred(key), state.is_read(key))) if state is not None else None
        if args.with_state:
            chunks = write_with_state(papers, args.format, state.entry)  # type: ignore[union-attr]
        else:
            chunks = render(papers, args.format, status=status, with_abstracts=args.with_abstracts)
        newline = "" if args.format == "csv" else None  # CSV rows carry their own CRLF
        if args.output:
            try:
                write_atomically(Path(args.output), chunks, newline=newline)
            except OSError as error:
                raise CommandError(f"{args.output}: {error.strerror or error}") from None
            print(f"wrote {len(papers)} paper{'s' if len(papers) != 1 else ''} to {args.output}", file=sys.stderr)
        else:
            if newline is not None:
                sys.stdout.reconfigure(newline=newline)  # type: ignore[attr-defined]
            for chunk in chunks:
                sys.stdout.write(chunk)
    finally:
        if state is not None:
            state.close()
    return 0
