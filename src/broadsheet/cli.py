"""The `broadsheet` command: argument parsing and dispatch to the subcommands.

`broadsheet [PATH ...]` opens the reader; a first word naming a subcommand runs it. Every
failure the user can cause ends in one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from broadsheet import startup_gc

EXIT_USAGE = 2
STATE_CHANGES = ("star", "unstar", "read", "unread")


def _lazy(module: str, name: str, *args: str) -> Callable[..., object]:
    """A subcommand's function, imported only when that subcommand runs: opening the
    reader should not pay for the exporters, the HTTP client and the rest."""

    def call(*more: object) -> object:
        function = getattr(importlib.import_module(f"broadsheet.commands.{module}"), name)
        return function(*args, *more)

    return call


Command = tuple[Callable[..., argparse.ArgumentParser], Callable[..., int]]
SUBCOMMANDS: dict[str, Command] = {  # type: ignore[dict-item]
    "export": (_lazy("export", "build_parser"), _lazy("export", "run")),
    "starred": (_lazy("state_commands", "build_starred_parser"), _lazy("state_commands", "run_starred")),
    "merge": (_lazy("state_commands", "build_merge_parser"), _lazy("state_commands", "run_merge")),
    "state": (_lazy("state_commands", "build_state_parser"), _lazy("state_commands", "run_state")),
    "add": (_lazy("library_commands", "build_add_parser"), _lazy("library_commands", "run_add")),
    "library": (_lazy("library_commands", "build_library_parser"), _lazy("library_commands", "run_library")),
    "remove": (_lazy("library_commands", "build_remove_parser"), _lazy("library_commands", "run_remove")),
    "fetch": (_lazy("fetch_command", "build_parser"), _lazy("fetch_command", "run")),
}
for _name in STATE_CHANGES:
    SUBCOMMANDS[_name] = (  # type: ignore[assignment]
        _lazy("state_commands", "build_change_parser", _name),
        _lazy("state_commands", "run_change", _name),
    )


def main(argv: Sequence[str] | None = None) -> int:
    # imported here, not above: `entry_point` pauses the garbage collector for them first
    from broadsheet.commands import reader
    from broadsheet.commands.common import CommandError
    from broadsheet.sources.errors import ListingError

    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        startup_gc.resume()  # only the reader resumes it later, at its first paint
        make_parser, run = SUBCOMMANDS[argv[0]]
        argv = argv[1:]
    else:
        make_parser, run = reader.build_parser, reader.run
    args = make_parser().parse_args(argv)
    try:
        return run(args)
    except (ListingError, CommandError) as error:
        print(f"broadsheet: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # `broadsheet export | head` is normal use, not an error
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        return 130


def entry_point() -> None:
    startup_gc.pause()  # see startup_gc: start-up makes next to no garbage
    sys.exit(main())
