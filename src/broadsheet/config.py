"""User settings from `config.toml`: theme, key overrides, whether opening marks read, sort.

A broken or half-wrong file never stops the reader: bad entries are reported and the
defaults used. The reader writes back only the `theme` key, keeping everything else.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from broadsheet import paths
from broadsheet.atomic import write_atomically

SORTS = ("relevance", "date", "upvotes", "trending", "title")
DEFAULT_THEME = "broadsheet-dark"


@dataclass
class Config:
    theme: str = DEFAULT_THEME
    open_marks_read: bool = True
    default_sort: str = "relevance"
    keys: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    path: Path | None = None  # the file read, for messages


def load_config(path: Path | None = None) -> Config:
    """Read the config; every problem becomes a one-line message in `problems`."""
    path = path or paths.config_file()
    config = Config(path=path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return config
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        config.problems.append(f"{path}: {error}; using defaults")
        return config
    for name, value in data.items():
        _apply(config, name, value, path)
    return config


def _apply(config: Config, name: str, value: Any, path: Path) -> None:
    if name == "theme" and isinstance(value, str):
        config.theme = value
    elif name == "open_marks_read" and isinstance(value, bool):
        config.open_marks_read = value
    elif name == "default_sort" and isinstance(value, str) and value.lstrip("-") in SORTS:
        config.default_sort = value
    elif name == "keys" and isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        config.keys = {str(k): v for k, v in value.items()}
    else:
        config.problems.append(f"{path}: ignored setting {name} = {value!r}")


def save_theme(theme: str, path: Path | None = None) -> None:
    """Remember the theme, keeping the rest of the file as it is (atomic replace)."""
    import tomli_w  # writing only: starting the reader only reads

    path = path or paths.config_file()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        data = {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return  # never overwrite a file we cannot read: the user may be editing it
    data["theme"] = theme
    write_atomically(path, [tomli_w.dumps(data)])
