"""The reader's compositor writes what Textual's own partial repaint writes, and draws less."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from tests.reader_fixtures import HOSTILE_TITLES, PLAIN_TITLES, settle, write_listing
from textual._compositor import Compositor
from textual.widget import Widget

from broadsheet.commands.reader import make_app
from broadsheet.tui.compositor import ShowThroughCompositor
from broadsheet.tui.detail import DetailPane

# a cursor move followed by nothing (another move, a new line, the end) writes nothing
IDLE_MOVE = re.compile(r"\x1b\[\d+;\d+H(?=\n|\x1b\[\d+;\d+H|$)")
# nor does a style with no text before its reset (an empty segment)
IDLE_STYLE = re.compile(r"\x1b\[[\d;]*m\x1b\[0m")


def written(update, console) -> str | None:  # type: ignore[no-untyped-def]
    if update is None:
        return None
    return IDLE_MOVE.sub("", IDLE_STYLE.sub("", update.render_segments(console)))


async def test_every_partial_repaint_writes_what_textuals_own_pass_writes(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    listing = write_listing(tmp_path, [f"{title} {n}" for n in range(8) for title in PLAIN_TITLES + HOSTILE_TITLES])
    args = argparse.Namespace(paths=[str(listing)], year=None, state=str(tmp_path / "state.toml"), theme=None)
    app = make_app(args)
    compared: list[tuple[str | None, str | None]] = []
    drawn: list[tuple[set[str], bool]] = []  # per repaint: the widgets ours drew, did the detail change
    drawing: list[set[str] | None] = [None]
    ours = ShowThroughCompositor.render_partial_update

    def both(self: ShowThroughCompositor):  # type: ignore[no-untyped-def]
        changed = set(self._dirty_regions)
        theirs = Compositor.render_partial_update(self)
        self._dirty_regions.update(changed)
        detail = app.query_one(DetailPane).region
        detail_changed = any(region.overlaps(detail) for region in changed)
        drawing[0] = set()
        update = ours(self)
        drawn.append((drawing[0], detail_changed))
        drawing[0] = None
        compared.append((written(theirs, app.console), written(update, app.console)))
        return update

    original_render_lines = Widget.render_lines

    def noting(self: Widget, crop):  # type: ignore[no-untyped-def]
        if drawing[0] is not None:
            drawing[0].add(type(self).__name__)
        return original_render_lines(self, crop)

    monkeypatch.setattr(ShowThroughCompositor, "render_partial_update", both)
    monkeypatch.setattr(Widget, "render_lines", noting)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen._compositor, ShowThroughCompositor)  # noqa: SLF001
        await pilot.press("enter")  # the detail pane shows a paper
        await settle(app, pilot)
        await pilot.press("escape", "slash", *"diffusion", "escape")
        await settle(app, pilot)
        await pilot.press("j", "j", "s", "space", "pagedown", "G", "g", "k", "R", "u", "S")
        await settle(app, pilot)
        await pilot.click("#papers", offset=(4, 3))
        await pilot.resize_terminal(84, 24)  # stacked layout
        await settle(app, pilot)
        await pilot.press("pagedown", "s", "slash", *"emoji", "backspace", "escape")
        await settle(app, pilot)
        await pilot.press("question_mark")  # a modal over the reader
        await settle(app, pilot)
        await pilot.press("escape", "j")
        await settle(app, pilot)

    assert len(compared) > 30
    for index, (theirs, ours_written) in enumerate(compared):
        assert ours_written == theirs, f"repaint {index} differs"
    # typing repaints the box, the list and the status line, not the detail pane beside them
    # (Textual's own pass draws it on every such repaint)
    typing = [widgets for widgets, detail_changed in drawn if "FilterBox" in widgets and not detail_changed]
    assert len(typing) >= 5
    assert all("DetailPane" not in widgets and "Screen" not in widgets for widgets in typing)
    assert all(detail_changed for widgets, detail_changed in drawn if "DetailPane" in widgets)
