"""Screenshots of the main screens, compared with approved SVGs (pytest-textual-snapshot).

Paths shown on screen are relative (the test runs in its temporary folder), so the
pictures do not depend on where the tests run. Update with `pytest --snapshot-update`
after checking the new pictures by eye.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest
from tests.reader_fixtures import HOSTILE_TITLES, PLAIN_TITLES, write_listing
from tests.reader_fixtures import settle as wait_idle
from textual.pilot import Pilot
from textual.widgets import Input

from broadsheet.commands.reader import make_app


def build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, titles: list[str], theme: str | None = None) -> Any:
    monkeypatch.chdir(tmp_path)
    write_listing(tmp_path, titles)
    args = argparse.Namespace(paths=["page.txt"], year=None, state=str(tmp_path / "state.toml"), theme=theme)
    return make_app(args)


async def settle(pilot: Pilot[None]) -> None:
    await wait_idle(pilot.app, pilot)
    for box in pilot.app.query(Input):
        box.cursor_blink = False
    await pilot.pause(0.3)  # the detail follows the filter after a short pause in typing


def test_main_screen_120x40(snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = build(tmp_path, monkeypatch, PLAIN_TITLES)
    assert snap_compare(app, terminal_size=(120, 40), run_before=settle, press=["j", "s"])


def test_main_screen_80x24_stacked(snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = build(tmp_path, monkeypatch, PLAIN_TITLES)
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)


def test_filtered_with_highlights(snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = build(tmp_path, monkeypatch, PLAIN_TITLES)

    async def type_filter(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("slash", *"difusion")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(120, 30), run_before=type_filter)


def test_light_theme(snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = build(tmp_path, monkeypatch, PLAIN_TITLES, theme="broadsheet-light")
    assert snap_compare(app, terminal_size=(120, 30), run_before=settle)


def test_help_screen(snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = build(tmp_path, monkeypatch, PLAIN_TITLES)

    async def open_help(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 40), run_before=open_help)


def test_hostile_titles(snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = build(tmp_path, monkeypatch, HOSTILE_TITLES)
    assert snap_compare(app, terminal_size=(140, 30), run_before=settle)
