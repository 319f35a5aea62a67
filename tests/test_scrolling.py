"""The list's scrollbar is redrawn only when what it draws changes: `thumb` must agree with
how the installed Textual draws a vertical bar."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st
from textual.geometry import Size
from textual.scrollbar import ScrollBarRender

from broadsheet.tui.scrolling import ThumbScrollBar, changed_lines, line_drawings, thumb


def drawn(size: int, virtual: int, window: int, position: float) -> list[tuple[str, object]]:
    """The segments Textual's ScrollBar would draw for these numbers (its _render_bar)."""
    segments = ScrollBarRender.render_bar(
        size=size,
        virtual_size=virtual,
        window_size=window if window < virtual else 0,
        position=position,
        thickness=2,
        vertical=True,
    )
    return [(segment.text, segment.style) for segment in segments.segments]


bars = st.integers(1, 60).flatmap(
    lambda size: st.integers(1, 5000).flatmap(
        lambda virtual: st.integers(1, 80).flatmap(
            lambda window: st.integers(0, max(0, virtual - window) * 8).map(
                lambda eighths: (size, virtual, window, eighths / 8)
            )
        )
    )
)


def bar(size: int, virtual: int, window: int, position: float) -> SimpleNamespace:
    return SimpleNamespace(size=Size(2, size), window_virtual_size=virtual, window_size=window, position=position)


def test_result_counts_share_a_drawing_exactly_when_they_share_a_thumb() -> None:
    """The list at 120x40: 37 rows shown, from 1 to 20,000 results, at the top and scrolled."""
    for position in (0, 5):
        drawings: dict[tuple[int, ...], list[tuple[str, object]]] = {}
        for virtual in range(1, 20_000, 7):
            if position > max(0, virtual - 37):
                continue
            key = thumb(bar(37, virtual, 37, position))  # type: ignore[arg-type]
            drawing = drawn(37, virtual, 37, position)
            assert drawings.setdefault(key, drawing) == drawing
        assert len(drawings) > 50  # the thumb did change along the way
        assert len({str(d) for d in drawings.values()}) == len(drawings)  # and each thumb draws differently


@settings(max_examples=200, deadline=None)
@given(bars)
def test_a_result_count_change_that_keeps_the_thumb_keeps_the_drawing(numbers: tuple) -> None:  # type: ignore[type-arg]
    size, virtual, window, position = numbers
    grown = (size, virtual + 1 + virtual // 10, window, position)
    if thumb(bar(*numbers)) == thumb(bar(*grown)):  # type: ignore[arg-type]
        assert drawn(*numbers) == drawn(*grown)
    else:
        assert drawn(*numbers) != drawn(*grown)


@settings(max_examples=300, deadline=None)
@given(bars, st.integers(0, 5000), st.integers(0, 400))
def test_lines_of_the_same_kind_are_drawn_alike(numbers: tuple, virtual: int, eighths: int) -> None:  # type: ignore[type-arg]
    """ThumbScrollBar repaints only lines whose kind changed, and reuses a line by its kind."""
    size, _, window, _ = numbers
    other = (size, max(1, virtual), window, min(eighths, max(0, virtual - window) * 8) / 8)
    kinds_a, kinds_b = (line_drawings(thumb(bar(*n))) for n in (numbers, other))  # type: ignore[arg-type]
    lines_a, lines_b = drawn(*numbers), drawn(*other)
    for y in range(size):
        if kinds_a[y] == kinds_b[y]:
            assert lines_a[y] == lines_b[y]
    changed = {y for start, stop in changed_lines(thumb(bar(*numbers)), thumb(bar(*other))) for y in range(start, stop)}  # type: ignore[arg-type]
    assert changed >= {y for y in range(size) if lines_a[y] != lines_b[y]}


async def test_the_list_bar_draws_as_a_fresh_textual_bar_while_typing_and_scrolling(tmp_path: Path) -> None:
    """Its repainted and kept lines, composited, are what Textual draws from scratch."""
    import argparse

    from tests.reader_fixtures import settle, write_listing
    from textual.geometry import Region
    from textual.widget import Widget

    from broadsheet.commands.reader import make_app
    from broadsheet.tui.paper_list import PaperList

    words = ["diffusion", "graph", "agent", "vision", "language", "sparse"]
    titles = [f"{words[n % 6]} {words[n * 7 % 5]} study {n}" for n in range(400)]
    listing = write_listing(tmp_path, titles)
    args = argparse.Namespace(paths=[str(listing)], year=None, state=str(tmp_path / "state.toml"), theme=None)
    app = make_app(args)

    def cells(strips: list) -> list[list[tuple[str, object, object]]]:  # type: ignore[type-arg]
        return [[(s.text, s.style, s.style.meta if s.style else None) for s in strip] for strip in strips]

    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        papers = app.query_one(PaperList)
        bar = papers.vertical_scrollbar
        assert isinstance(bar, ThumbScrollBar)
        steps = [("pagedown",), ("pagedown", "pagedown"), ("G",), ("slash", "d", "i", "f"), ("backspace", "backspace")]
        steps += [("escape",), ("g",), ("slash", "s", "t", "u"), ("space", "9"), ("escape", "end", "pageup")]
        steps += [("theme:broadsheet-light",), ("pagedown",), ("theme:broadsheet-high-contrast",), ("home",)]
        checked = 0
        for keys in steps:
            if keys[0].startswith("theme:"):  # new colours: no line kept from the old ones may show
                app.theme = keys[0].removeprefix("theme:")
            else:
                await pilot.press(*keys)
            await settle(app, pilot)
            kept = cells(bar.render_lines(Region(0, 0, *bar.size)))
            bar._set_dirty()  # noqa: SLF001 - from scratch: Textual's own pass, no kept lines
            bar._kinds = []  # noqa: SLF001
            fresh = Widget.render_lines(bar, Region(0, 0, *bar.size))
            assert kept == [[(s.text, s.style, s.style.meta if s.style else None) for s in strip] for strip in fresh], (
                keys
            )
            checked += 1
        assert checked == len(steps)
