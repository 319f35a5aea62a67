"""How search results reach the screen: quick ones inline, slow ones in a worker's slices,
stale ones never; and the list's scrolling follows the row count without a layout pass."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from tests.reader_fixtures import PLAIN_TITLES, settle, write_listing

import broadsheet.tui.live_search as app_module
from broadsheet.commands.reader import make_app
from broadsheet.tui.app import BroadsheetApp
from broadsheet.tui.paper_list import PaperList


def args_for(path: Path, state: Path) -> argparse.Namespace:
    return argparse.Namespace(paths=[str(path)], year=None, state=str(state), theme=None)


def titles_shown(app: BroadsheetApp) -> list[str]:
    return [app.library.papers[i].title for i in app.query_one(PaperList).rows]


def search_workers(app: BroadsheetApp) -> list[object]:
    return [worker for worker in app.workers if worker.group == "search"]


async def test_a_quick_search_is_shown_without_a_worker(tmp_path: Path) -> None:
    app = make_app(args_for(write_listing(tmp_path, PLAIN_TITLES), tmp_path / "state.toml"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"sparse")
        # no settling: the result was applied while the keystroke itself was handled
        assert titles_shown(app) == ["Sparse Attention at Scale"]
        assert search_workers(app) == []  # and no worker was needed


async def test_a_slow_search_goes_on_in_a_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_module, "INLINE_SEARCH_BUDGET", -1.0)  # out of time at the first pause
    app = make_app(args_for(write_listing(tmp_path, PLAIN_TITLES), tmp_path / "state.toml"))
    engine_steps = app.library.search_steps

    def pausing_steps(*args, **kwargs):  # type: ignore[no-untyped-def]
        for step in engine_steps(*args, **kwargs):
            yield None  # as a long search does between its slices
            yield step

    monkeypatch.setattr(app.library, "search_steps", pausing_steps)
    handed_over: list[str] = []
    original = app._search_on  # noqa: SLF001

    def search_on(steps, serial, started):  # type: ignore[no-untyped-def]
        handed_over.append(app._query_text)  # noqa: SLF001
        return original(steps, serial, started)

    monkeypatch.setattr(app, "_search_on", search_on)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"speculative")
        await settle(app, pilot)
        assert handed_over[-1] == "speculative"
        assert titles_shown(app) == ["Efficient Inference with Speculative Decoding"]
        assert app._batch_count == 0  # noqa: SLF001 - the frame held for the results is let go


async def test_a_sliced_search_lands_in_the_frame_that_shows_its_letter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.screen import Screen

    from broadsheet.tui.filter_box import FilterBox

    monkeypatch.setattr(app_module, "INLINE_SEARCH_BUDGET", -1.0)  # every search goes on in slices
    monkeypatch.setattr(app_module, "SEARCH_SLICE", -1.0)  # one step a slice: several wake-ups
    app = make_app(args_for(write_listing(tmp_path, PLAIN_TITLES), tmp_path / "state.toml"))
    engine_steps = app.library.search_steps

    def pausing_steps(*args, **kwargs):  # type: ignore[no-untyped-def]
        for step in engine_steps(*args, **kwargs):
            yield None
            yield step

    monkeypatch.setattr(app.library, "search_steps", pausing_steps)
    drawn: list[set[str]] = []  # per frame: which of the two widgets it drew
    refresh_screen = Screen._compositor_refresh

    def frame(screen: Screen) -> None:
        drawn.append(set())
        refresh_screen(screen)

    def spy(cls, name, label):  # type: ignore[no-untyped-def]
        original = getattr(cls, name)

        def wrapper(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            if drawn:
                drawn[-1].add(label)
            return original(self, *args, **kwargs)

        monkeypatch.setattr(cls, name, wrapper)

    monkeypatch.setattr(Screen, "_compositor_refresh", frame)
    spy(FilterBox, "render_line", "box")
    spy(PaperList, "render_lines", "list")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash")
        await settle(app, pilot)
        for letter in "graph":
            drawn.clear()
            await pilot.press(letter)
            await settle(app, pilot)
            showing_letter = [frame for frame in drawn if "box" in frame]
            assert showing_letter and showing_letter[0] == {"box", "list"}, (letter, drawn)
        assert titles_shown(app) == ["Graph Neural Networks for Chips"]


async def test_a_frame_waits_for_a_slow_search_only_so_long(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    import time

    monkeypatch.setattr(app_module, "INLINE_SEARCH_BUDGET", -1.0)
    app = make_app(args_for(write_listing(tmp_path, PLAIN_TITLES), tmp_path / "state.toml"))
    engine_steps = app.library.search_steps
    release = threading.Event()

    def stalled_steps(*args, **kwargs):  # type: ignore[no-untyped-def]
        while not release.is_set():  # a search that takes its time, slice after slice
            yield None
        yield from engine_steps(*args, **kwargs)

    events: list[tuple[str, float, int]] = []
    hold, let_go = app._hold_frame, app._release_frame  # noqa: SLF001

    def spy_hold() -> None:
        hold()
        events.append(("hold", time.monotonic(), app._batch_count))  # noqa: SLF001

    def spy_release() -> None:
        let_go()
        events.append(("release", time.monotonic(), app._batch_count))  # noqa: SLF001

    monkeypatch.setattr(app, "_hold_frame", spy_hold)
    monkeypatch.setattr(app, "_release_frame", spy_release)
    frames: list[tuple[float, str]] = []  # when a frame went out, and the box's text then
    display = app._display  # noqa: SLF001

    def spy_display(screen, update):  # type: ignore[no-untyped-def]
        display(screen, update)
        if update is not None:
            frames.append((time.monotonic(), app.query_one("#filter").value))

    monkeypatch.setattr(app, "_display", spy_display)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        monkeypatch.setattr(app.library, "search_steps", stalled_steps)
        app.query_one("#filter").cursor_blink = False  # its blink would wake the screen anyway
        await pilot.press("slash", "g")
        await pilot.pause(0.3)
        assert not release.is_set()
        holds = [(at, count) for kind, at, count in events if kind == "hold"]
        (held_at, held_count) = holds[0]
        lets_go = [(at, count) for kind, at, count in events if kind == "release" and at > held_at]
        (released_at, released_count) = lets_go[0]
        assert released_count == held_count - 1  # no frames while held, and then let go
        assert 0.03 <= released_at - held_at < 0.2  # after FRAME_HOLD, the search still running
        # and the letter is painted then, not when something unrelated next wakes the screen
        # (without the prompt that was the test's own pilot, ~2 s later; 0.2 s is no speed target)
        painted = [at for at, value in frames if at >= released_at and value == "g"]
        assert painted and painted[0] - released_at < 0.2, (frames, released_at)
        release.set()
        await settle(app, pilot)
        assert "Graph Neural Networks for Chips" in titles_shown(app)  # the late results land
        assert app._batch_count == 0  # noqa: SLF001


async def test_a_result_for_an_older_query_is_never_shown(tmp_path: Path) -> None:
    app = make_app(args_for(write_listing(tmp_path, PLAIN_TITLES), tmp_path / "state.toml"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        stale = app.library.search("sparse")
        await pilot.press("slash", *"graph")
        await settle(app, pilot)
        # a worker still busy with an earlier query finishes after the newer result landed
        worker = app._search_on(iter([None, stale]), app._search_serial - 1, 0.0)  # noqa: SLF001
        await worker.wait()
        await settle(app, pilot)
        assert titles_shown(app) == ["Graph Neural Networks for Chips"]


async def test_scrolling_follows_the_row_count(tmp_path: Path) -> None:
    titles = [f"Paper number {n} about topic {'odd' if n % 2 else 'even'}" for n in range(80)]
    app = make_app(args_for(write_listing(tmp_path, titles), tmp_path / "state.toml"))
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(app, pilot)
        papers = app.query_one(PaperList)
        assert papers.max_scroll_y == 80 - papers.scrollable_content_region.height
        await pilot.press("slash", *"number 7")
        await settle(app, pilot)
        shown = len(papers.rows)
        assert 1 <= shown < papers.scrollable_content_region.height
        assert papers.max_scroll_y == 0
        # the scrollbar stays (its thumb fills the track): showing and hiding it re-laid out the screen
        assert papers.show_vertical_scrollbar
        assert papers.vertical_scrollbar.window_virtual_size == shown
        await pilot.press("escape", "G")
        await settle(app, pilot)
        assert papers.cursor == 79
        assert papers.scroll_y == papers.max_scroll_y == 80 - papers.scrollable_content_region.height
        assert papers.show_vertical_scrollbar
        assert papers.vertical_scrollbar.window_virtual_size == 80


async def test_the_cursor_keeps_its_paper_in_view_when_the_results_change(tmp_path: Path) -> None:
    """Deep in the list, a filter that keeps the cursor's paper moves the cursor to it and
    scrolls it into view (and draws that row as the cursor's); one that drops it goes to
    the top. Each change of the highlighted paper is announced to the app."""
    titles = [f"Paper number {n} about topic {'odd' if n % 3 else 'triple'}" for n in range(300)]
    app = make_app(args_for(write_listing(tmp_path, titles), tmp_path / "state.toml"))
    highlighted: list[int | None] = []
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(app, pilot)
        papers = app.query_one(PaperList)
        papers.focus()
        await pilot.press("G")
        papers.cursor = 150  # the middle, scrolled there from the end
        await settle(app, pilot)
        paper = papers.current
        assert papers.cursor == 150 and paper is not None and papers.scroll_y > 100
        word = "triple" if "triple" in app.library.papers[paper].title else "odd"
        original = PaperList.post_message

        def spy(self, message):  # type: ignore[no-untyped-def]
            if isinstance(message, PaperList.Highlighted):
                highlighted.append(message.paper_index)
            return original(self, message)

        PaperList.post_message = spy  # type: ignore[method-assign]
        try:
            await pilot.press("slash", *word)
            await settle(app, pilot)
            assert len(papers.rows) == (100 if word == "triple" else 200)
            assert papers.current == paper and papers.cursor == list(papers.rows).index(paper) != 150
            height = papers.scrollable_content_region.height
            assert papers.scroll_y <= papers.cursor < papers.scroll_y + height
            assert highlighted == []  # the same paper: nothing to announce
            await pilot.press(*" zzzz")  # matches nothing of it: the top, and it is announced
            await settle(app, pilot)
            assert list(papers.rows) == [] and highlighted == [None]
            await pilot.press("escape")
            await settle(app, pilot)
            assert papers.cursor == 0 and papers.scroll_y == 0
            assert highlighted and highlighted[-1] == papers.current
        finally:
            PaperList.post_message = original  # type: ignore[method-assign]


def filter_line(app: BroadsheetApp) -> str:
    return app.query_one("#filter").render_line(0).text


async def test_a_query_error_shows_inside_the_box_and_goes_when_fixed(tmp_path: Path) -> None:
    app = make_app(args_for(write_listing(tmp_path, PLAIN_TITLES), tmp_path / "state.toml"))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"sparse")
        await settle(app, pilot)
        await pilot.press(*' "[bold]att')
        await settle(app, pilot)
        line = filter_line(app)
        assert line.startswith('sparse "[bold]att')  # the text stays; markup stays literal
        assert "unclosed quote (at 8)" in line
        assert titles_shown(app) == ["Sparse Attention at Scale"]  # the last good results
        await pilot.press('"')
        await settle(app, pilot)
        assert "unclosed" not in filter_line(app)
        assert app.query_one("#filter").error is None


async def test_a_long_error_is_cut_to_leave_room_for_the_query(tmp_path: Path) -> None:
    app = make_app(args_for(write_listing(tmp_path, PLAIN_TITLES), tmp_path / "state.toml"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"zzz:abc")
        await settle(app, pilot)
        line = filter_line(app)
        assert "unknown field 'zzz:'" in line and line.rstrip().endswith("…")
        assert line.startswith("zzz:abc")


async def test_the_detail_follows_the_filter_once_typing_pauses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a query is typed the detail waits (each keystroke postpones it); it renders
    once, for the paper under the cursor, when the typing pauses."""
    from textual.geometry import Region

    import broadsheet.tui.app as reader_app
    from broadsheet.tui.detail import DetailPane

    monkeypatch.setattr(reader_app, "TYPING_DETAIL_DELAY", 0.6)
    app = make_app(args_for(write_listing(tmp_path, PLAIN_TITLES), tmp_path / "state.toml"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        renders: list[str | None] = []
        original = BroadsheetApp._render_detail

        def counting(self: BroadsheetApp) -> None:
            renders.append(self._query_text)
            original(self)

        monkeypatch.setattr(BroadsheetApp, "_render_detail", counting)
        await pilot.press("slash")
        for letter in "sparse":
            await pilot.press(letter)
            await pilot.pause(0.1)  # well inside the delay: each key postpones the detail
        assert renders == []
        await pilot.pause(1.0)
        assert renders == ["sparse"]
        detail = app.query_one(DetailPane)
        shown = "".join(strip.text for strip in detail.render_lines(Region(0, 0, *detail.size)))
        assert "Sparse Attention at Scale" in shown


async def test_the_box_keeps_its_changed_messages_to_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from textual.widgets import Input

    reached: list[str] = []

    def heard(self: BroadsheetApp, message: Input.Changed) -> None:
        reached.append(message.value)

    monkeypatch.setattr(BroadsheetApp, "on_input_changed", heard, raising=False)
    app = make_app(args_for(write_listing(tmp_path, PLAIN_TITLES), tmp_path / "state.toml"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"graph")
        await settle(app, pilot)
        assert titles_shown(app) == ["Graph Neural Networks for Chips"]  # the watcher searched
        assert reached == []  # and no message went up the DOM to the app
