"""The detail pane draws its own lines (`boxes.boxed_lines`); they must be Textual's, cell for cell."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.reader_fixtures import HOSTILE_TITLES, PLAIN_TITLES, settle, write_listing
from tests.test_reader import args_for
from textual.geometry import Region
from textual.widget import Widget

from broadsheet.commands.reader import make_app
from broadsheet.tui.boxes import needs_textuals_pass
from broadsheet.tui.detail import DetailPane


def cells(strips: list) -> list[list[tuple[str, object]]]:  # type: ignore[type-arg]
    """Each cell's character and whole style, however the strips cut their segments."""
    return [[(character, segment.style) for segment in strip for character in segment.text] for strip in strips]


def textuals(pane: DetailPane, crop: Region) -> list:  # type: ignore[type-arg]
    pane._styles_cache.clear()  # noqa: SLF001 - every line through Textual's own pass
    return Widget.render_lines(pane, crop)


@pytest.mark.parametrize(
    ("size", "theme", "no_color"),
    [
        ((120, 16), "broadsheet-dark", False),  # beside the list: a border on the left
        ((120, 16), "broadsheet-light", False),
        ((120, 16), "broadsheet-high-contrast", True),
        ((80, 24), "broadsheet-newsprint", False),  # stacked below it: a border on top
        ((80, 24), "broadsheet-phosphor", True),
    ],
)
async def test_the_panes_lines_are_textuals(
    tmp_path: Path, size: tuple[int, int], theme: str, no_color: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    titles = HOSTILE_TITLES + PLAIN_TITLES
    app = make_app(args_for([write_listing(tmp_path, titles)], tmp_path / "state.toml", theme=theme))
    compared, seen = 0, []
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        pane = app.query_one(DetailPane)
        assert not needs_textuals_pass(pane, own_box=True)  # the pane's own drawing is what is compared
        for shown in range(len(titles)):
            await pilot.press("s" if shown % 3 == 0 else "j")  # stars too, shown in the pane
            await pilot.pause()
            whole = Region(0, 0, *pane.region.size)
            ours = pane.render_lines(whole)
            seen += [strip.text for strip in ours]
            assert cells(ours) == cells(textuals(pane, whole)), shown
            part = Region(3, 1, pane.region.width - 5, 4)  # a partial repaint: some lines, some columns
            assert cells(pane.render_lines(part)) == cells(textuals(pane, part)), shown
            compared += 1
        pane.scroll_to(0, 3, animate=False, immediate=True)  # scrolled: other lines, same box
        await pilot.pause()
        assert pane.scroll_offset.y == 3
        whole = Region(0, 0, *pane.region.size)
        assert cells(pane.render_lines(whole)) == cells(textuals(pane, whole))
        pane.styles.padding = (1, 2, 2, 3)  # as a user's CSS could: lines above and below the text
        pane.styles.border_right = ("heavy", "green")
        pane.styles.border_bottom = ("heavy", "green")
        await pilot.pause()
        assert not needs_textuals_pass(pane, own_box=True)
        whole = Region(0, 0, *pane.region.size)
        boxed = pane.render_lines(whole)
        assert cells(boxed) == cells(textuals(pane, whole))
        assert all(strip.text.endswith("┃") for strip in boxed[1:-1])  # the border, on padding lines too
        assert "━" in boxed[-1].text
    assert compared == len(titles)
    assert any("[bold]Not Bold[/bold]" in text for text in seen)  # hostile text, literally
    assert any("★" in text for text in seen)  # a starred paper, as the pane says it


async def test_a_box_only_textual_draws_goes_through_textuals_pass(tmp_path: Path) -> None:
    """A tint (which user CSS could set) is drawn by Textual's pass, as it draws it."""
    app = make_app(args_for([write_listing(tmp_path, PLAIN_TITLES)], tmp_path / "state.toml"))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        pane = app.query_one(DetailPane)
        plain = pane.render_lines(Region(0, 0, *pane.region.size))
        pane.styles.tint = "red 40%"
        await pilot.pause()
        assert needs_textuals_pass(pane, own_box=True)
        whole = Region(0, 0, *pane.region.size)
        tinted = pane.render_lines(whole)
        assert cells(tinted) == cells(textuals(pane, whole))
        assert [strip.text for strip in tinted] == [strip.text for strip in plain]
        assert cells(tinted) != cells(plain)  # the tint is there
