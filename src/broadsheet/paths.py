"""Every directory and file broadsheet uses, in one place so tests can redirect them all.

platformdirs honours the XDG_* variables on Linux, so a test that points XDG_DATA_HOME,
XDG_CONFIG_HOME and XDG_CACHE_HOME at a temporary folder never touches the real home.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "broadsheet"


def data_dir() -> Path:
    """The user's own data: the reading state and the library."""
    return Path(platformdirs.user_data_dir(APP_NAME))


def config_dir() -> Path:
    """Settings and user themes."""
    return Path(platformdirs.user_config_dir(APP_NAME))


def cache_dir() -> Path:
    """Anything rebuildable; deleting it loses nothing."""
    return Path(platformdirs.user_cache_dir(APP_NAME))


def state_file(override: str | os.PathLike[str] | None = None) -> Path:
    """The reading-state file: `--state`, else `$BROADSHEET_STATE`, else the data dir."""
    if override:
        return Path(override)
    env = os.environ.get("BROADSHEET_STATE")
    if env:
        return Path(env)
    return data_dir() / "state.toml"


def library_dir() -> Path:
    """Listings the user added with `broadsheet add`, kept as received."""
    return data_dir() / "library"


def config_file() -> Path:
    return config_dir() / "config.toml"


def user_themes_dir() -> Path:
    return config_dir() / "themes"
