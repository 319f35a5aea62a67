"""The core never imports Textual or Rich, so it stays scriptable and fast to test."""

from __future__ import annotations

import subprocess
import sys

CORE = [
    "broadsheet.model",
    "broadsheet.paths",
    "broadsheet.sources.dump",
    "broadsheet.sources.loader",
    "broadsheet.sources.hf_api",
    "broadsheet.sources.feeds",
    "broadsheet.sources.exported",
    "broadsheet.sources.ai_summary",
    "broadsheet.finder",
    "broadsheet.export.formats",
    "broadsheet.commands.export",
    "broadsheet.commands.state_commands",
    "broadsheet.commands.library_commands",
    "broadsheet.fetch",
    "broadsheet.commands.fetch_command",
    "broadsheet.export.json_lines",
    "broadsheet.export.bibtex",
    "broadsheet.export.markdown",
    "broadsheet.export.csv_format",
    "broadsheet.state",
    "broadsheet.search",
    "broadsheet.library",
    "broadsheet.config",
    "broadsheet.corpus_cache",
    "broadsheet.links",
    "broadsheet.text_safety",
    "broadsheet.cli",
]


def test_core_modules_do_not_import_textual() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {CORE!r}:\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except ModuleNotFoundError as error:\n"
        "        if error.name != name: raise\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
