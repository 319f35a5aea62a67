"""The list's scrollbar is redrawn only when what it draws changes: `thumb` must agree with
how the installed Textual draws a vertical bar."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st
from textual.geometry import Size
from textual.scrollbar import ScrollBarRender

from broadsheet.tui.scrolling import thumb


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
