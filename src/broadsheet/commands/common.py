"""Pieces every subcommand shares: listing arguments, warnings on stderr, opening the state."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable

from broadsheet.state import ReadingState, StateError


def year_type(text: str) -> int:
    try:
        year = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a year: {text!r}") from None
    if not 1900 <= year <= 2999:
        raise argparse.ArgumentTypeError(f"year out of range: {year}")
    return year


def add_listing_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="listing files or folders; - reads stdin")
    parser.add_argument("--year", type=year_type, help="the year of the pages, for dates printed without one")


def add_state_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--state", metavar="FILE", help="the reading-state file (default: $BROADSHEET_STATE, else the data dir)"
    )


def warn_all(warnings: Iterable[object], prefix: str = "broadsheet: warning: ") -> None:
    for warning in warnings:
        print(f"{prefix}{warning}", file=sys.stderr)


class CommandError(Exception):
    """A failure the user can act on: printed as one line, exit status 2."""


def open_state(path: str | None, *, readonly: bool = False, background: bool = False) -> ReadingState:
    """The reading state, its recovery warnings on stderr; a refusal becomes CommandError."""
    try:
        state = ReadingState(
            path,
            on_warning=lambda m: print(f"broadsheet: {m}", file=sys.stderr),
            readonly=readonly,
            background=background,
        )
    except StateError as error:
        raise CommandError(str(error)) from None
    return state
