"""The `broadsheet` command: argument parsing and dispatch to the core and the reader.

`broadsheet [PATH ...]` opens the reader; anything else is a subcommand. Every failure the
user can cause ends in one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from broadsheet import __version__
from broadsheet.sources.errors import ListingError

EXIT_USAGE = 2

OPEN_EPILOG = """\
examples:
  broadsheet                        open your library (the bundled sample when it is empty)
  broadsheet papers.txt more/       open just these listings (files or folders)
  pbpaste | broadsheet -            read a listing from standard input
  broadsheet export --format jsonl papers.txt > papers.jsonl

subcommands (broadsheet COMMAND --help for more):
  export    write papers to stdout as jsonl, json or the dump format
"""

EXPORT_EPILOG = """\
examples:
  broadsheet export papers.txt                    JSON Lines, one paper per line
  broadsheet export --format json a.txt b.txt     one JSON array, papers merged across files
  broadsheet export --format dump - < page.txt    normalise a copied page
"""


def _year(text: str) -> int:
    try:
        year = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a year: {text!r}") from None
    if not 1900 <= year <= 2999:
        raise argparse.ArgumentTypeError(f"year out of range: {year}")
    return year


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="listing files or folders; - reads stdin")
    parser.add_argument("--year", type=_year, help="the year of the pages, for dates printed without one")


def _open_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="broadsheet",
        description="A terminal reader for research-paper listings.",
        epilog=OPEN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"broadsheet {__version__}")
    _common(parser)
    return parser


def _export_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="broadsheet export",
        description="Write papers to standard output.",
        epilog=EXPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--format", choices=("jsonl", "json", "dump"), default="jsonl")
    _common(parser)
    return parser


def _warn_all(warnings: Sequence[object]) -> None:
    for warning in warnings:
        print(f"broadsheet: warning: {warning}", file=sys.stderr)


def run_export(args: argparse.Namespace) -> int:
    from broadsheet.export.json_lines import write_json, write_jsonl
    from broadsheet.sources.dump import write_dump
    from broadsheet.sources.loader import load_listings

    if not args.paths:
        print("broadsheet export: give at least one listing (or - for stdin)", file=sys.stderr)
        return EXIT_USAGE
    listings = load_listings(args.paths, year=args.year)
    _warn_all(listings.warnings)
    if args.format == "dump":
        sys.stdout.write(write_dump(listings.papers))
    else:
        writer = write_jsonl if args.format == "jsonl" else write_json
        for chunk in writer(listings.papers):
            sys.stdout.write(chunk)
    return 0


def run_open(args: argparse.Namespace) -> int:
    from broadsheet.sources.loader import load_listings

    listings = load_listings(args.paths, year=args.year) if args.paths else None
    _warn_all(listings.warnings if listings else [])
    print(
        "broadsheet: the reader is not built yet; use `broadsheet export` to read listings.",
        file=sys.stderr,
    )
    return 1


SUBCOMMANDS: dict[str, tuple[Callable[[], argparse.ArgumentParser], Callable[[argparse.Namespace], int]]] = {
    "export": (_export_parser, run_export),
}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        make_parser, run = SUBCOMMANDS[argv[0]]
        argv = argv[1:]
    else:
        make_parser, run = _open_parser, run_open
    args = make_parser().parse_args(argv)
    try:
        return run(args)
    except ListingError as error:
        print(f"broadsheet: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # `broadsheet export | head` is normal use, not an error
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        return 130


def entry_point() -> None:
    sys.exit(main())
