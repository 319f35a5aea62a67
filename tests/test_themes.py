"""Themes: bundled files load and apply, broken files give one-line errors, users can override."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.color import Color
from textual.widgets import Static

from broadsheet import paths, themes
from broadsheet.themes import (
    DEFAULT_THEME,
    PAPER_VARIABLES,
    ThemeError,
    bundled_themes_dir,
    load_theme_file,
    load_themes,
    theme_variable_defaults,
)

SRC = Path(themes.__file__).resolve().parent
REQUIRED = {"broadsheet-dark", "broadsheet-light", "broadsheet-high-contrast"}


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours."""

    def luminance(text: str) -> float:
        color = Color.parse(text)
        channels = [v / 255 for v in (color.r, color.g, color.b)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    low, high = sorted((luminance(a), luminance(b)))
    return (high + 0.05) / (low + 0.05)


@pytest.fixture
def bundled() -> dict[str, themes.Theme]:
    loaded, errors = load_themes(Path("/nonexistent-user-themes"))
    assert errors == []
    return {theme.name: theme for theme in loaded}


def test_bundled_themes_cover_the_required_set(bundled: dict[str, themes.Theme]) -> None:
    assert set(bundled) >= REQUIRED
    assert DEFAULT_THEME in bundled and bundled[DEFAULT_THEME].dark
    assert not bundled["broadsheet-light"].dark
    assert len(bundled) >= 4
    for theme in bundled.values():
        assert set(PAPER_VARIABLES) <= set(theme.variables), theme.name


def test_bundled_themes_are_legible(bundled: dict[str, themes.Theme]) -> None:
    """Text colours reach WCAG AA everywhere and AAA in the high-contrast theme."""
    for theme in bundled.values():
        assert theme.background and theme.foreground
        minimum = 7.0 if theme.name == "broadsheet-high-contrast" else 4.5
        for colour in [theme.foreground, *(theme.variables[name] for name in PAPER_VARIABLES)]:
            assert contrast(colour, theme.background) >= minimum, (theme.name, colour)


class ThemedApp(App[None]):
    CSS = """
    #star { color: $paper-star; }
    #unread { color: $paper-unread; }
    #read { color: $paper-read; }
    #match { color: $paper-match; }
    """

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return theme_variable_defaults(self.current_theme)

    def compose(self) -> ComposeResult:
        for name in ("star", "unread", "read", "match"):
            yield Static(name, id=name)


async def test_every_bundled_theme_registers_and_applies(bundled: dict[str, themes.Theme]) -> None:
    app = ThemedApp()
    async with app.run_test(size=(40, 10)) as pilot:
        for theme in bundled.values():
            app.register_theme(theme)
        for theme in bundled.values():
            app.theme = theme.name
            await pilot.pause()
            assert app.current_theme.name == theme.name
            for name in ("star", "unread", "read", "match"):
                shown = app.query_one(f"#{name}", Static).styles.color
                assert shown == Color.parse(theme.variables[f"paper-{name}"]), (theme.name, name)
        # A Textual theme that knows nothing of broadsheet still gets paper colours.
        app.theme = "nord"
        await pilot.pause()
        star = Color.parse(theme_variable_defaults(app.current_theme)["paper-star"])
        assert app.query_one("#star", Static).styles.color == star
        assert abs(star.r - 0xEB) <= 1 and star.g == 0xCB  # nord's warning yellow


def test_variable_defaults_are_colours() -> None:
    for defaults in (theme_variable_defaults(), theme_variable_defaults(themes.Theme("x", "#123456"))):
        assert set(defaults) == set(PAPER_VARIABLES)
        for value in defaults.values():
            Color.parse(value)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('name = "x"\nprimary = "#fff', "invalid TOML"),
        ('name = "x"\nprimary = "#ggg000"', "'primary': '#ggg000' is not a colour"),
        ('name = "x"\nprimary = "#fff"\nbackground = 12', "'background' must be a string"),
        ('primary = "#fff"', "missing 'name'"),
        ('name = ""\nprimary = "#fff"', "'name' must be a non-empty string"),
        ('name = "x"', "missing 'primary'"),
        ('name = "x"\nprimary = "#fff"\nprimery = "#fff"', "unknown key 'primery'"),
        ('name = "x"\nprimary = "#fff"\ndark = "yes"', "'dark' must be true or false"),
        ('name = "x"\nprimary = "#fff"\ntext_alpha = 2', "'text_alpha' must be a number from 0 to 1"),
        ('name = "x"\nprimary = "#fff"\nvariables = 3', "[variables] must be a table"),
        ('name = "x"\nprimary = "#fff"\n[variables]\n"paper-star" = "gold-ish"', "is not a colour"),
        ('name = "x"\nprimary = "#fff"\n[variables]\n"paper-starred" = "#fff"', "unknown variable"),
        ('name = "x"\nprimary = "#fff"\n[variables]\n"border" = "#fff 40%x"', "is not a colour"),
        ('name = "x"\nprimary = "#fff"\n[variables]\n"link-style" = "wobbly"', "not a text style"),
    ],
)
def test_broken_file_gives_one_line_error_naming_it(tmp_path: Path, text: str, reason: str) -> None:
    path = write(tmp_path, "broken.toml", text)
    with pytest.raises(ThemeError) as caught:
        load_theme_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert reason in message
    assert "\n" not in message


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "binary.toml"
    path.write_bytes(b"\xff\xfe\x00name")
    with pytest.raises(ThemeError, match="not UTF-8"):
        load_theme_file(path)


def test_textual_variables_and_css_forms_are_accepted(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "ok.toml",
        """
        name = "ok"
        primary = "rgb(10, 20, 30)"
        ansi = false
        [variables]
        "input-selection-background" = "#81a1c1 35%"
        "block-cursor-text-style" = "bold reverse"
        "footer-key-background" = "transparent"
        "paper-match" = "hsl(30, 80%, 60%)"
        """,
    )
    theme = load_theme_file(path)
    assert theme.name == "ok" and theme.variables["paper-match"] == "hsl(30, 80%, 60%)"


def test_user_theme_overrides_and_extends(tmp_path: Path, bundled: dict[str, themes.Theme]) -> None:
    write(tmp_path, "mine.toml", 'name = "broadsheet-dark"\nprimary = "#FF0000"\n')
    write(tmp_path, "extra.toml", 'name = "solarized-ish"\nprimary = "#268BD2"\n')
    broken = write(tmp_path, "broken.toml", 'name = "oops"\nprimary = "not a colour"\n')
    write(tmp_path, "copy.toml", 'name = "solarized-ish"\nprimary = "#000000"\n')
    write(tmp_path, "notes.txt", "ignored: not a .toml file")

    loaded, errors = load_themes(tmp_path)

    names = [theme.name for theme in loaded]
    assert names[: len(bundled)] == list(bundled)  # the override keeps the bundled position
    assert names[len(bundled) :] == ["solarized-ish"]
    by_name = {theme.name: theme for theme in loaded}
    assert by_name["broadsheet-dark"].primary == "#FF0000"
    assert by_name["solarized-ish"].primary == "#000000"  # copy.toml sorts first
    assert len(errors) == 2
    assert any(error.startswith(f"{broken}: ") for error in errors)
    assert any("also defined in copy.toml" in error for error in errors)


def test_each_bundled_file_is_named_after_its_theme(bundled: dict[str, themes.Theme]) -> None:
    """The reader's first screen reads only `<theme>.toml` of the bundled files."""
    assert {path.stem for path in bundled_themes_dir().glob("*.toml")} == set(bundled)


def test_a_named_load_reads_that_bundled_file_and_every_user_file(tmp_path: Path) -> None:
    write(tmp_path, "mine.toml", 'name = "mine"\nprimary = "#FF0000"\n')
    write(tmp_path, "dark.toml", 'name = "broadsheet-dark"\nprimary = "#00FF00"\n')
    loaded, errors = load_themes(tmp_path, named="broadsheet-light")
    assert errors == []
    assert {theme.name: theme.primary for theme in loaded if theme.name != "broadsheet-light"} == {
        "mine": "#FF0000",
        "broadsheet-dark": "#00FF00",
    }
    assert "broadsheet-light" in {theme.name for theme in loaded}
    assert [theme.name for theme in load_themes(tmp_path, named="nord")[0]] == ["broadsheet-dark", "mine"]


def test_user_themes_default_to_the_config_folder(isolated_home: Path) -> None:
    write(paths.user_themes_dir(), "night.toml", 'name = "night"\nprimary = "#223344"\n')
    loaded, errors = load_themes()
    assert errors == []
    assert "night" in {theme.name for theme in loaded}


def test_checkout_fallback_finds_top_level_themes() -> None:
    if (SRC / "themes_data").is_dir():
        pytest.skip("running from an installed wheel")
    assert bundled_themes_dir() == SRC.parents[1] / "themes"


def make_package(root: Path, *, with_data: bool) -> Path:
    """A copy of the package under `root`, optionally with the wheel's `themes_data`."""
    package = root / "broadsheet"
    package.mkdir(parents=True)
    for name in ("__init__.py", "paths.py", "themes.py"):
        shutil.copy(SRC / name, package / name)
    if with_data:
        shutil.copytree(bundled_themes_dir(), package / "themes_data")
    return package


@pytest.mark.parametrize("layout", ["wheel", "checkout", "neither"])
def test_bundled_dir_in_each_layout(tmp_path: Path, layout: str) -> None:
    """Run the real lookup in a fresh interpreter against a wheel-like or src-like tree."""
    if layout == "wheel":
        site = tmp_path / "site-packages"
        expected = str(make_package(site, with_data=True) / "themes_data")
    else:
        site = tmp_path / "repo" / "src"
        make_package(site, with_data=False)
        expected = str(tmp_path / "repo" / "themes")
        if layout == "checkout":
            shutil.copytree(bundled_themes_dir(), expected)
    script = (
        "from broadsheet import themes\n"
        "try:\n    print(themes.bundled_themes_dir())\n"
        "except FileNotFoundError as error:\n    print('ERROR', error)\n"
        "print(len(themes.load_themes()[0]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    found, count = done.stdout.splitlines()
    if layout == "neither":
        assert found.startswith("ERROR bundled themes not found") and count == "0"
    else:
        assert found == expected and int(count) >= 4
