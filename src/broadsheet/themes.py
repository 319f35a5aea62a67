"""Colour themes as data: TOML files mapped onto Textual's `Theme`, validated when loaded.

A theme file holds the `textual.theme.Theme` fields at top level (`name` and `primary` are
required) and an optional `[variables]` table. Besides Textual's own variables, the paper list
reads four app variables, all plain colours:

- `paper-star`   the star glyph (and accent) of a starred paper;
- `paper-unread` the title of a paper not yet read;
- `paper-read`   the title of a read paper (dimmer than unread, still legible);
- `paper-match`  the characters of a title that matched the filter.

Every colour is checked with `Color.parse` here, because Textual only fails later, far from
the file at fault. Bundled themes live in the top-level `themes/` folder of the checkout, which
the wheel carries as `broadsheet/themes_data/`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import fields
from functools import cache
from pathlib import Path

from textual.color import Color, ColorParseError
from textual.css.constants import VALID_STYLE_FLAGS
from textual.design import ColorSystem
from textual.theme import Theme

from broadsheet import paths

DEFAULT_THEME = "broadsheet-dark"

PAPER_VARIABLES: dict[str, str] = {
    "paper-star": "the star glyph of a starred paper",
    "paper-unread": "the title of an unread paper",
    "paper-read": "the title of a read paper",
    "paper-match": "title characters matched by the filter",
}

# Used when no theme is at hand; the broadsheet-dark palette.
_FALLBACK_VARIABLES = {
    "paper-star": "#F2C14E",
    "paper-unread": "#E6E9EF",
    "paper-read": "#8A919E",
    "paper-match": "#FF9B5E",
}

_THEME_FIELDS = {f.name: f for f in fields(Theme)}
_COLOUR_FIELDS = {"primary", "secondary", "warning", "error", "success", "accent"}
_COLOUR_FIELDS |= {"foreground", "background", "surface", "panel", "boost"}
_ALPHA_SUFFIX = re.compile(r"\s+\d{1,3}%$")


class ThemeError(Exception):
    """A theme file that cannot be used; `str()` is one line naming the file and the reason."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = " ".join(reason.split())
        super().__init__(f"{path}: {self.reason}")


def theme_variable_defaults(theme: Theme | None = None) -> dict[str, str]:
    """Values for the `paper-*` variables a theme leaves out.

    Pass the current theme (as `App.get_theme_variable_defaults` can) so a theme that knows
    nothing of broadsheet, such as Textual's own `nord`, still gets matching colours: the star
    takes its warning colour, matches its accent, read titles its foreground faded into the
    background.
    """
    if theme is None:
        return dict(_FALLBACK_VARIABLES)
    system = theme.to_color_system().generate()
    foreground = Color.parse(system["foreground"])
    faded = foreground.blend(Color.parse(system["background"]), 0.45)
    return {
        "paper-star": system["warning"],
        "paper-unread": foreground.hex,
        "paper-read": faded.hex,
        "paper-match": system["accent"],
    }


def bundled_themes_dir() -> Path:
    """The folder of bundled theme files, in a wheel or in a source checkout.

    A wheel carries them as `broadsheet/themes_data/` (hatch force-include); an editable
    install cannot see force-included files, so fall back to the checkout's `themes/`.
    """
    packaged = Path(__file__).resolve().parent / "themes_data"  # importlib.resources: +1.4 ms start-up
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "themes"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"bundled themes not found: neither {packaged} nor {checkout} exists (broken install?)")


@cache
def _textual_variables() -> frozenset[str]:
    """Every variable Textual itself understands, from the installed version."""
    return frozenset(ColorSystem(primary="#000000").generate())


def _check_colour(path: Path, what: str, value: object, *, css: bool = False) -> str:
    """Return `value` when it is a colour; `css` also allows Textual's `auto`/`N%` forms."""
    if not isinstance(value, str):
        raise ThemeError(path, f"{what} must be a string, got {type(value).__name__}")
    text = value.strip()
    if css:
        text = _ALPHA_SUFFIX.sub("", text)
        if text in ("auto", "transparent", "initial"):
            return value
    try:
        Color.parse(text)
    except ColorParseError:
        raise ThemeError(path, f"{what}: {value!r} is not a colour") from None
    return value


def _check_variables(path: Path, table: object) -> dict[str, str]:
    if not isinstance(table, dict):
        raise ThemeError(path, "[variables] must be a table")
    checked: dict[str, str] = {}
    for name, value in table.items():
        what = f"variable {name!r}"
        if name in PAPER_VARIABLES:
            checked[name] = _check_colour(path, what, value)
        elif name not in _textual_variables():
            raise ThemeError(path, f"unknown {what}")
        elif name.endswith("style") or name.startswith("link-style"):
            words = value.split() if isinstance(value, str) else [None]
            if not words or any(word not in VALID_STYLE_FLAGS for word in words):
                raise ThemeError(path, f"{what}: {value!r} is not a text style")
            checked[name] = value
        else:
            checked[name] = _check_colour(path, what, value, css=True)
    return checked


def load_theme_file(path: Path) -> Theme:
    """Read and validate one theme file; raise `ThemeError` on any problem."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ThemeError(path, f"cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise ThemeError(path, "not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise ThemeError(path, f"invalid TOML: {error}") from None

    unknown = sorted(set(data) - set(_THEME_FIELDS))
    if unknown:
        raise ThemeError(path, f"unknown key {unknown[0]!r}")
    for required in ("name", "primary"):
        if required not in data:
            raise ThemeError(path, f"missing {required!r}")
    name = data["name"]
    if not isinstance(name, str) or not name.strip():
        raise ThemeError(path, "'name' must be a non-empty string")

    options: dict[str, object] = {"name": name.strip()}
    for key, value in data.items():
        if key in _COLOUR_FIELDS:
            options[key] = _check_colour(path, repr(key), value)
        elif key in ("dark", "ansi"):
            if not isinstance(value, bool):
                raise ThemeError(path, f"{key!r} must be true or false")
            options[key] = value
        elif key in ("luminosity_spread", "text_alpha"):
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                raise ThemeError(path, f"{key!r} must be a number from 0 to 1")
            options[key] = float(value)
        elif key == "variables":
            options[key] = _check_variables(path, value)
    return Theme(**options)  # type: ignore[arg-type]


def load_themes(user_dir: Path | None = None, *, named: str | None = None) -> tuple[list[Theme], list[str]]:
    """Bundled themes, then the user's (`paths.user_themes_dir()` by default).

    A user theme replaces a bundled one of the same name. Broken files are skipped and
    reported as one-line messages, so the app can show them in one notification and carry on.
    With `named`, of the bundled files only `<named>.toml` is read (each is named after its
    theme): what a first screen needs, ~1 ms sooner; the caller loads the rest later.
    """
    errors: list[str] = []
    by_name: dict[str, Theme] = {}
    try:
        bundled = sorted(bundled_themes_dir().glob("*.toml"))
    except FileNotFoundError as error:
        bundled, errors = [], [str(error)]
    if named is not None:
        bundled = [path for path in bundled if path.stem == named]
    user_dir = paths.user_themes_dir() if user_dir is None else user_dir
    user = sorted(user_dir.glob("*.toml")) if user_dir.is_dir() else []
    for group in (bundled, user):
        seen: dict[str, Path] = {}
        for path in group:
            try:
                theme = load_theme_file(path)
            except ThemeError as error:
                errors.append(str(error))
                continue
            if theme.name in seen:
                errors.append(f"{path}: theme {theme.name!r} is also defined in {seen[theme.name].name}; ignored")
                continue
            seen[theme.name] = path
            by_name[theme.name] = theme
    return list(by_name.values()), errors
