"""The filter box draws typed text itself; its cells must be what Textual's Input draws."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Button, Input

from broadsheet.tui.filter_box import FilterBox

VALUES = [
    "transformer",
    "multimodal instruction tuning for long context video models",  # wider than the box
    "漢字 and wide 🧪 cells",
    '"low-rank" -adapter title:lora [bold]x[/]',
]


class Holder(App[None]):
    def compose(self) -> ComposeResult:
        yield FilterBox(placeholder="filter", id="filter")
        yield Button("elsewhere")


def cells(strip) -> list[tuple[str, object]]:  # type: ignore[no-untyped-def]
    return [(character, segment.style) for segment in strip for character in segment.text]


async def test_typed_text_is_drawn_as_inputs_drawing() -> None:
    app = Holder()
    compared = set()
    async with app.run_test(size=(40, 6)) as pilot:
        box = app.query_one(FilterBox)
        for focused in (True, False):
            (box if focused else app.query_one(Button)).focus()
            await pilot.pause()
            for value in VALUES:
                box.value = value
                for cursor in sorted({0, 3, len(value) // 2, len(value)}):
                    box.cursor_position = cursor
                    await pilot.pause()
                    for visible in (True, False):
                        box._cursor_visible = visible  # noqa: SLF001 - the blink's two phases
                        ours = box._typed_line()  # noqa: SLF001
                        assert ours is not None
                        assert cells(ours) == cells(Input.render_line(box, 0)), (focused, value, cursor, visible)
                        compared.add((focused, visible, box.scroll_offset.x > 0))
    # both focus states, both blink phases, scrolled and not
    assert compared == {(f, v, s) for f in (True, False) for v in (True, False) for s in (True, False)}


async def test_what_input_draws_itself_is_left_to_it() -> None:
    app = Holder()
    async with app.run_test(size=(40, 6)) as pilot:
        box = app.query_one(FilterBox)
        box.focus()
        await pilot.pause()
        assert box._typed_line() is None  # noqa: SLF001 - the placeholder
        box.value = "diffusion"
        box.selection = (0, 4)  # type: ignore[assignment]
        await pilot.pause()
        assert box._typed_line() is None  # noqa: SLF001 - a selection
