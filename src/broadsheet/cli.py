"""The `broadsheet` command: argument parsing and dispatch to the subcommands.

`broadsheet [PATH ...]` opens the reader; a first word naming a subcommand runs it. Every
failure the user can cause ends in one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from functools import partial

from broadsheet.commands import export, fetch_command, library_commands, reader, state_commands
from broadsheet.commands.common import CommandError
from broadsheet.sources.errors import ListingError

EXIT_USAGE = 2

Command = tuple[Callable[[], argparse.ArgumentParser], Callable[[argparse.Namespace], int]]
SUBCOMMANDS: dict[str, Command] = {
    "export": (export.build_parser, export.run),
    "starred": (state_commands.build_starred_parser, state_commands.run_starred),
    "merge": (state_commands.build_merge_parser, state_commands.run_merge),
    "state": (state_commands.build_state_parser, state_commands.run_state),
    "add": (library_commands.build_add_parser, library_commands.run_add),
    "library": (library_commands.build_library_parser, library_commands.run_library),
    "remove": (library_commands.build_remove_parser, library_commands.run_remove),
    "fetch": (fetch_command.build_parser, fetch_command.run),
}
for _name in state_commands.CHANGES:
    SUBCOMMANDS[_name] = (partial(state_commands.build_change_parser, _name), partial(state_commands.run_change, _name))


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
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
    sys.exit(main())
