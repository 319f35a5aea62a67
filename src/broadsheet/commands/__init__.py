"""The `broadsheet` subcommands; each module offers `build_parser()` and `run(args)`."""
