"""The status line draws itself; its cells must be what Textual's own pass draws."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widget import Widget

from broadsheet.themes import load_themes
from broadsheet.tui.status_line import StatusLine

TEXTS = [
    "",
    "312 of 8,214 · 12 starred · 40 unread · sort: relevance",
    "1,000,000 of 1,000,000 · 999 starred · 1,000,000 unread · sort: -date · indexing abstracts 33%",
    "[bold]not markup[/] and [link=https://evil.example]x[/link]",
    "wide 漢字かな混じり 🧪🔬 text · sort: title",
    "control \x1b[31mred\x1b[0m and \x07 bell",
]


class Holder(App[None]):
    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")


def cells(strips: list) -> list[list[tuple[str, object]]]:  # type: ignore[type-arg]
    """Each cell's character and style, however the strips cut their segments."""
    out = []
    for strip in strips:
        line = []
        for segment in strip:
            for character in segment.text:
                line.append((character, segment.style))
        out.append(line)
    return out


@pytest.mark.parametrize("theme", ["broadsheet-dark", "broadsheet-light", "broadsheet-high-contrast"])
async def test_drawn_cells_are_textuals(theme: str) -> None:
    app = Holder()
    for loaded in load_themes()[0]:
        app.register_theme(loaded)
    compared = 0
    async with app.run_test(size=(60, 5)) as pilot:
        app.theme = theme
        status = app.query_one(StatusLine)
        for width in (60, 31, 12, 3, 2):
            status.styles.width = width
            await pilot.pause()
            assert status.outer_size.width == width
            for text in TEXTS:
                status.show(text)
                whole = Region(0, 0, width, 1)
                ours = status.render_lines(whole)
                status._styles_cache.clear()  # noqa: SLF001 - Textual's pass from scratch
                theirs = Widget.render_lines(status, whole)
                assert sum(cell_len(s.text) for s in ours[0]) == width
                inner = width - 2
                shown = status.text if cell_len(status.text) <= inner else None
                drawn = "".join(s.text for s in ours[0])
                if inner <= 0:  # no room inside the padding
                    assert drawn == " " * width
                    continue
                if shown is None:  # cut: Textual's pass crops it, this line ends it with an ellipsis
                    assert drawn[1:-1].endswith("…") and cell_len(drawn[1:-1]) == inner, (width, text)
                    assert status.text.startswith(drawn[1:-1][:-1].rstrip())
                    continue
                assert cells(ours) == cells(theirs), (width, text)
                if width > 4:
                    part = Region(2, 0, width - 4, 1)  # a partial repaint asks for part of the line
                    assert cells(status.render_lines(part)) == cells(Widget.render_lines(status, part))
                compared += 1
    assert compared >= len(TEXTS)  # every text that fits was compared


async def test_text_is_shown_literally_on_one_line() -> None:
    app = Holder()
    async with app.run_test(size=(80, 5)) as pilot:
        status = app.query_one(StatusLine)
        status.show("[bold]x[/] · a\nb\tc \x1b[31m")
        await pilot.pause()
        drawn = "".join(s.text for s in status.render_lines(Region(0, 0, 80, 1))[0])
        assert drawn.startswith(" [bold]x[/] · a b c ")
        assert "\x1b" not in drawn and "\n" not in drawn
        assert status.text == drawn.strip()


async def test_a_box_only_textual_draws_goes_through_textuals_pass() -> None:
    """A tint (which user CSS could set) is drawn by Textual's pass: the line is then
    exactly what that pass makes."""
    app = Holder()
    async with app.run_test(size=(60, 5)) as pilot:
        status = app.query_one(StatusLine)
        status.show("312 of 8,214 · sort: relevance")
        status.styles.tint = "red 40%"
        await pilot.pause()
        whole = Region(0, 0, 60, 1)
        ours = status.render_lines(whole)
        status._styles_cache.clear()  # noqa: SLF001
        assert cells(ours) == cells(Widget.render_lines(status, whole))
        assert ours[0].text.startswith(" 312 of 8,214")
