"""The sample listing bundled with broadsheet, shown to a new user on first run."""

from __future__ import annotations

from pathlib import Path


def sample_path() -> Path:
    """Path of the bundled sample listing (a Daily Papers text dump)."""
    return Path(__file__).with_name("sample.txt")
