"""The reader, driven with Pilot: keys change the reading state and what is on screen."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from tests.reader_fixtures import HOSTILE_TITLES, PLAIN_TITLES, settle, write_listing
from tests.test_fetch import RAW_DAY, FakeApi, Reply, api
from textual.color import Color
from textual.widgets import Input

__all__ = ["api"]  # the local papers API fixture

from broadsheet.commands.reader import make_app
from broadsheet.state import ReadingState
from broadsheet.tui.app import BroadsheetApp
from broadsheet.tui.paper_list import PaperList


def args_for(paths: list[Path], state: Path, theme: str | None = None) -> argparse.Namespace:
    return argparse.Namespace(paths=[str(p) for p in paths], year=None, state=str(state), theme=theme)


@pytest.fixture
def listing(tmp_path: Path) -> Path:
    return write_listing(tmp_path, PLAIN_TITLES)


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    return tmp_path / "state.toml"


def screen_text(app: BroadsheetApp) -> str:
    """What a person sees: the screen rendered to plain text."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())  # noqa: SLF001


async def ready(app: BroadsheetApp, pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(app, pilot)


def titles_shown(app: BroadsheetApp) -> list[str]:
    papers = app.library.papers
    return [papers[i].title for i in app.query_one(PaperList).rows]


def saved(state_path: Path) -> ReadingState:
    return ReadingState(state_path, readonly=True)


async def test_star_read_and_quit_persist(listing: Path, state_path: Path) -> None:
    app = make_app(args_for([listing], state_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        first = titles_shown(app)[0]
        assert first == PLAIN_TITLES[0]  # newest first
        await pilot.press("s")
        await pilot.press("j", "r")
        second = titles_shown(app)[1]
        assert "1 starred" in screen_text(app)
        assert "★" in screen_text(app)
        await pilot.press("q")
    state = saved(state_path)
    keys = {p.title: p.key for p in app.library.papers}
    assert state.is_starred(keys[first]) and not state.is_read(keys[first])
    assert state.is_read(keys[second]) and not state.is_starred(keys[second])


async def test_enter_marks_read_and_space_toggles(listing: Path, state_path: Path) -> None:
    app = make_app(args_for([listing], state_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await pilot.press("enter")
        index = app.query_one(PaperList).current
        assert index is not None and app.library.is_read(index)
        await pilot.press("escape", "space")
        assert not app.library.is_read(index)


async def test_filter_typing_shows_matches_and_escape_clears(listing: Path, state_path: Path) -> None:
    app = make_app(args_for([listing], state_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await pilot.press("slash", *"difusion")  # a typo on purpose
        await ready(app, pilot)
        assert titles_shown(app) == ["Diffusion Models for Video Generation"]
        assert f"1 of {len(PLAIN_TITLES)}" in screen_text(app)
        await pilot.press("escape")
        await ready(app, pilot)
        assert len(titles_shown(app)) == len(PLAIN_TITLES)
        assert app.focused is app.query_one(PaperList)


def burst(app: BroadsheetApp, *keys: str) -> None:
    """Keys as a terminal delivers a burst of them (a paste, a fast typist, keys batched over
    SSH): all queued before the first is handled."""
    from textual import events

    for key in keys:
        character = key if len(key) == 1 else {"slash": "/", "space": " "}.get(key)
        event = events.Key(key, character)
        event.set_sender(app)
        app._driver.send_message(event)  # noqa: SLF001 - the path a terminal's keys take


async def test_keys_right_behind_the_slash_or_escape_go_where_the_focus_went(listing: Path, state_path: Path) -> None:
    """The app hands each key to the widget focused at that moment, so a burst is handed out
    before its first key has moved the focus: the letters behind `/` reached the list (and
    ran as its commands), the keys behind Esc or Enter the filter box."""
    app = make_app(args_for([listing], state_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        burst(app, "slash", *"sparse")
        await ready(app, pilot)
        assert app.query_one("#filter", Input).value == "sparse"
        assert titles_shown(app) == ["Sparse Attention at Scale"]
        assert not app.library.is_starred(app.query_one(PaperList).current)  # "s" reached no list
        burst(app, "escape", "j", "s")
        await ready(app, pilot)
        papers = app.query_one(PaperList)
        assert app.query_one("#filter", Input).value == "" and app.focused is papers
        below = titles_shown(app).index("Sparse Attention at Scale") + 1  # the cursor kept its paper
        assert papers.cursor == below and app.library.is_starred(papers.current)  # j, then s, on the list
        burst(app, "slash", "a", "slash", "b")  # a slash inside the box is text
        await ready(app, pilot)
        assert app.query_one("#filter", Input).value == "a/b"
        burst(app, "escape", "slash", "d", "enter", "j", "s")  # Enter leaves the box; j and s are the list's
        await ready(app, pilot)
        assert app.query_one("#filter", Input).value == "d" and app.focused is papers
        assert len(papers.rows) >= 2 and papers.cursor == 1
        assert app.library.is_starred(papers.current)


async def test_the_palette_focuses_and_clears_the_filter(listing: Path, state_path: Path) -> None:
    """The two keys' actions are guarded to the reader's own screen; from the palette, run
    once it has closed, they still work."""
    app = make_app(args_for([listing], state_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await pilot.press("ctrl+p", *"Filter")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await ready(app, pilot)
        assert app.focused is app.query_one("#filter", Input)
        await pilot.press(*"sparse")
        await ready(app, pilot)
        await pilot.press("ctrl+p", *"Clear")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await ready(app, pilot)
        assert app.query_one("#filter", Input).value == ""
        assert app.focused is app.query_one(PaperList)


async def test_invalid_query_shows_error_and_keeps_results(listing: Path, state_path: Path) -> None:
    app = make_app(args_for([listing], state_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await pilot.press("slash", *"sparse")
        await ready(app, pilot)
        assert titles_shown(app) == ["Sparse Attention at Scale"]
        await pilot.press(*' "unclosed')
        await ready(app, pilot)
        assert titles_shown(app) == ["Sparse Attention at Scale"]
        assert "quote" in screen_text(app).lower()


async def test_cursor_stays_on_its_paper_when_the_filter_changes(listing: Path, state_path: Path) -> None:
    app = make_app(args_for([listing], state_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await pilot.press("j", "j", "j")
        paper = app.query_one(PaperList).current
        assert paper is not None
        await pilot.press("slash", *"s")  # a prefix many titles share
        await ready(app, pilot)
        if paper in app.query_one(PaperList).rows:
            assert app.query_one(PaperList).current == paper


async def test_mark_all_shown_read_then_undo(listing: Path, state_path: Path) -> None:
    app = make_app(args_for([listing], state_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await pilot.press("R")
        assert app.library.counts() == (0, 0)
        await pilot.press("u")
        assert app.library.counts() == (0, len(PLAIN_TITLES))


async def test_counts_come_right_after_the_first_screen_and_follow_changes(listing: Path, state_path: Path) -> None:
    with ReadingState(state_path) as state:  # one paper already starred and read from before
        paper = next(p for p in make_app(args_for([listing], state_path)).library.papers)
        state.star(paper.key, title=paper.title)
        state.mark_read(paper.key, title=paper.title)
    app = make_app(args_for([listing], state_path))
    assert app.library.known_counts() is None  # not counted while the first screen is built
    total = len(app.library.papers)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        assert app.library.known_counts() == (1, total - 1)
        assert f"1 starred · {total - 1:,} unread" in screen_text(app)
        await pilot.press("G", "s", "r")  # the oldest paper: not the one marked before
        await pilot.pause()
        assert f"2 starred · {total - 2:,} unread" in screen_text(app)
    fresh = make_app(args_for([listing], state_path))
    fresh.library.toggle_star(0 if not fresh.library.is_starred(0) else 1)  # before anything was counted
    assert fresh.library.counts() == (3, total - 2)


async def test_next_unread_and_navigation_keys(listing: Path, state_path: Path) -> None:
    app = make_app(args_for([listing], state_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        papers = app.query_one(PaperList)
        await pilot.press("r")  # first read
        await pilot.press("g")
        await pilot.press("n")
        assert papers.cursor == 1
        await pilot.press("G")
        assert papers.cursor == len(PLAIN_TITLES) - 1
        await pilot.press("N")
        assert papers.cursor == len(PLAIN_TITLES) - 2
        await pilot.press("home")
        assert papers.cursor == 0
        await pilot.press("end")
        assert papers.cursor == len(PLAIN_TITLES) - 1
        await pilot.press("pageup")
        assert papers.cursor == 0


async def test_copy_puts_title_and_link_on_the_clipboard(listing: Path, state_path: Path) -> None:
    app = make_app(args_for([listing], state_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await pilot.press("y")
        assert app.clipboard.startswith(PLAIN_TITLES[0] + " https://")


async def test_open_only_opens_http_links(listing: Path, state_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    app = make_app(args_for([listing], state_path))
    monkeypatch.setattr(app, "open_url", lambda url, **_: opened.append(url))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await pilot.press("o")
    assert len(opened) == 1 and opened[0].startswith("https://")


async def test_sort_cycles_and_status_says_so(listing: Path, state_path: Path) -> None:
    app = make_app(args_for([listing], state_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await pilot.press("S")  # date → oldest first
        await ready(app, pilot)
        assert "sort: -date" in screen_text(app)
        assert titles_shown(app)[0] == PLAIN_TITLES[-1]
        await pilot.press("S")  # upvotes, most first
        await ready(app, pilot)
        assert "sort: upvotes" in screen_text(app)
        assert titles_shown(app)[0] == PLAIN_TITLES[-1]


async def test_help_screen_lists_keys_and_query_language(listing: Path, state_path: Path) -> None:
    app = make_app(args_for([listing], state_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        assert "Star" in text and "Undo" in text and "is:unread" in text
        await pilot.press("escape")
        await pilot.pause()
        assert "is:unread  is:read" not in screen_text(app)


async def test_theme_picker_changes_and_remembers_theme(listing: Path, state_path: Path) -> None:
    app = make_app(args_for([listing], state_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await pilot.press("t")
        await pilot.pause()
        for _ in range(20):
            if app.theme == "broadsheet-light":
                break
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        assert app.theme == "broadsheet-light"
    from broadsheet.config import load_config

    assert load_config().theme == "broadsheet-light"


async def test_a_chosen_theme_is_in_place_from_the_first_frame_without_a_reparse(
    listing: Path, state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.css.stylesheet import Stylesheet

    reparses: list[int] = []
    reparse = Stylesheet.reparse

    def counted(self: Stylesheet) -> None:
        reparses.append(1)
        reparse(self)

    monkeypatch.setattr(Stylesheet, "reparse", counted)
    app = make_app(args_for([listing], state_path, theme="broadsheet-light"))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        assert reparses == []  # the stylesheet was parsed once, with the light theme's variables
        assert app.has_class("-theme-broadsheet-light", "-light-mode") and not app.has_class("-dark-mode")
        light = app.get_theme("broadsheet-light")
        assert app.query_one(PaperList).styles.background == Color.parse(light.surface)
        app.theme = "broadsheet-dark"  # and switching later works as before
        await pilot.pause()
        assert app.has_class("-theme-broadsheet-dark", "-dark-mode") and not app.has_class("-theme-broadsheet-light")
        assert app.query_one(PaperList).styles.background == Color.parse(app.get_theme("broadsheet-dark").surface)


async def test_the_first_screen_reads_one_bundled_theme_and_the_rest_follow(
    listing: Path, state_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from broadsheet import themes

    folder = tmp_path / "bundled"
    shutil.copytree(themes.bundled_themes_dir(), folder)
    (folder / "zz-broken.toml").write_text('name = "zz-broken"\nprimary = "not-a-colour"\n')
    monkeypatch.setattr(themes, "bundled_themes_dir", lambda: folder)
    ours = {path.stem for path in folder.glob("*.toml")} - {"zz-broken"}
    app = make_app(args_for([listing], state_path, theme="broadsheet-light"))
    assert ours & set(app.available_themes) == {"broadsheet-light"}  # before the first screen
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        assert ours <= set(app.available_themes)
        assert app.theme == "broadsheet-light"
        notes = [str(n.message) for n in app._notifications]  # noqa: SLF001
        assert sum("zz-broken.toml" in note for note in notes) == 1


async def test_a_theme_list_opened_before_the_rest_are_read_has_them_all(
    listing: Path, state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`t` typed ahead of the first screen is handled before the background work that reads
    the other bundled themes: the picker, and the palette's theme search, read them first."""
    from textual.command import CommandPalette
    from textual.widgets import OptionList

    from broadsheet import themes
    from broadsheet.tui.screens import ThemePicker

    monkeypatch.setattr(BroadsheetApp, "_start_background_work", lambda self: None)  # not yet
    bundled = {path.stem for path in themes.bundled_themes_dir().glob("*.toml")}
    for opened in ("picker", "palette"):
        app = make_app(args_for([listing], state_path))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert not bundled <= set(app.available_themes)
            if opened == "picker":
                await pilot.press("t")
            else:
                app.action_change_theme()
            await pilot.pause()
            assert isinstance(app.screen, ThemePicker if opened == "picker" else CommandPalette)
            assert bundled <= set(app.available_themes)
            if opened == "picker":
                options = app.screen.query_one(OptionList)
                assert bundled <= {options.get_option_at_index(i).id for i in range(options.option_count)}


async def test_broken_user_theme_is_reported_and_default_used(
    listing: Path, state_path: Path, isolated_home: Path
) -> None:
    themes = isolated_home / "config" / "broadsheet" / "themes"
    themes.mkdir(parents=True)
    (themes / "bad.toml").write_text('name = "bad"\nprimary = "not-a-colour"\n')
    app = make_app(args_for([listing], state_path, theme="bad"))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        assert app.theme == "broadsheet-dark"
        assert any("bad.toml" in n.message for n in app._notifications)  # noqa: SLF001


async def test_narrow_terminal_stacks_and_tiny_one_does_not_crash(listing: Path, state_path: Path) -> None:
    app = make_app(args_for([listing], state_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        assert app.screen.has_class("-narrow")
        for size in [(40, 12), (10, 5), (3, 2), (1, 1), (120, 40)]:
            await pilot.resize_terminal(*size)
            await pilot.pause()
        assert not app.screen.has_class("-narrow")
        assert PLAIN_TITLES[0] in screen_text(app)


async def test_hostile_titles_render_literally(tmp_path: Path, state_path: Path) -> None:
    listing = write_listing(tmp_path, HOSTILE_TITLES, "hostile.txt")
    app = make_app(args_for([listing], state_path))
    async with app.run_test(size=(200, 50)) as pilot:
        await ready(app, pilot)
        text = screen_text(app)
        assert "[bold]Not Bold[/bold]" in text
        assert "[Re] Reproducing [MASK]" in text
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
        assert "␛[31mRED␛[0m" in text


async def test_first_run_opens_the_sample_with_a_banner(state_path: Path) -> None:
    app = make_app(args_for([], state_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        text = screen_text(app)
        assert "sample data" in text
        assert len(app.library.papers) > 20


async def test_export_shown_to_clipboard_and_file(listing: Path, state_path: Path, tmp_path: Path) -> None:
    import bibtexparser
    from textual.widgets import Input

    from broadsheet.tui.export_screen import ExportScreen

    app = make_app(args_for([listing], state_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await pilot.press("slash", *"sparse", "enter")
        await ready(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        await pilot.press("ctrl+y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        entries = bibtexparser.parse_string(app.clipboard).entries
        assert [e.fields_dict["title"].value for e in entries] == ["{Sparse Attention at Scale}"]
        target = tmp_path / "out" / "list.csv"
        await pilot.press("e")
        await pilot.pause()
        await pilot.click("#format-csv")
        app.screen.query_one("#export-path", Input).value = str(target)
        await pilot.click("#export-write")
        await app.workers.wait_for_complete()
        await pilot.pause()
    import csv

    rows = list(csv.DictReader(target.open(newline="", encoding="utf-8")))
    assert [r["title"] for r in rows] == ["Sparse Attention at Scale"]
    assert rows[0]["starred"] == "false"


async def test_click_moves_the_cursor_and_double_click_opens(listing: Path, state_path: Path) -> None:
    app = make_app(args_for([listing], state_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        papers = app.query_one(PaperList)
        await pilot.click(PaperList, offset=(5, 2))
        assert papers.cursor == 2
        await pilot.double_click(PaperList, offset=(5, 3))
        index = papers.current
        assert papers.cursor == 3 and index is not None and app.library.is_read(index)


async def test_fetch_today_from_the_palette_adds_papers_to_the_open_library(
    api: FakeApi, state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from broadsheet.commands import fetch_command

    monkeypatch.setenv("BROADSHEET_HF_API", api.url)
    api.on(fetch_command.utc_today(), Reply(200, RAW_DAY))
    app = make_app(argparse.Namespace(paths=[], year=None, state=str(state_path), theme=None))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        assert app.reload_listings is not None
        sample_count = len(app.library.papers)
        app.action_fetch_today()
        for _ in range(200):
            await pilot.pause(0.05)
            if len(app.library.papers) != sample_count:
                break
        await ready(app, pilot)
        assert len(app.library.papers) == 4  # the sample gives way to the library, which now holds the day
        assert any("added 4 papers" in n.message for n in app._notifications)  # noqa: SLF001
        assert len(app.query_one(PaperList).rows) == 4


async def test_opens_at_the_top_of_the_newest_first_list(tmp_path: Path, state_path: Path) -> None:
    from tests.reader_fixtures import ABSTRACT

    listing = tmp_path / "ascending.txt"  # load order: oldest first, so newest-first must reorder
    entries = [f"Paper {n}\n\n{ABSTRACT}\n\n  • 2 authors\n·\nJan {n + 1}, 2024\n" for n in range(28)]
    listing.write_text("Daily Papers\n\n" + "\n".join(entries), encoding="utf-8")
    app = make_app(args_for([listing], state_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        papers = app.query_one(PaperList)
        assert papers.cursor == 0 and papers.scroll_y == 0
        assert titles_shown(app)[0] == "Paper 27"
        assert app.library.papers[papers.current].title == "Paper 27"  # type: ignore[index]


def write_config(home: Path, text: str) -> Path:
    """The user's config.toml in the test's own home."""
    config = home / "config" / "broadsheet" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(text)
    return config


async def test_config_default_sort_and_open_marks_read(listing: Path, state_path: Path, isolated_home: Path) -> None:
    write_config(isolated_home, 'default_sort = "-date"\nopen_marks_read = false\n')
    app = make_app(args_for([listing], state_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        assert titles_shown(app)[0] == PLAIN_TITLES[-1]  # oldest first
        assert "sort: -date" in screen_text(app)
        await pilot.press("enter")
        index = app.query_one(PaperList).current
        assert index is not None and not app.library.is_read(index)


async def test_a_printable_key_given_to_the_filters_keys_is_still_text_in_the_box(
    listing: Path, state_path: Path, isolated_home: Path
) -> None:
    """The filter's keys are priority bindings; one a user's keymap makes printable must not
    be taken from the box (nor must the box's own keys, like backspace)."""
    write_config(isolated_home, '[keys]\nclear = "escape,x"\nfilter = "slash,f"\nfilter_done = "enter,d"\n')
    app = make_app(args_for([listing], state_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        box = app.query_one("#filter", Input)
        await pilot.press("f", *"fixed", "backspace")
        await ready(app, pilot)
        assert app.focused is box and box.value == "fixe"
        await pilot.press("escape")  # still clears, from the box
        await ready(app, pilot)
        assert box.value == "" and app.focused is app.query_one(PaperList)
        await pilot.press("slash", *"s", "x")  # ... and x, from the list
        await ready(app, pilot)
        assert box.value == "sx"
        await pilot.press("escape", "x")
        await ready(app, pilot)
        assert box.value == "" and app.focused is app.query_one(PaperList)


async def test_key_overrides_from_config(listing: Path, state_path: Path, isolated_home: Path) -> None:
    config = write_config(isolated_home, '[keys]\nstar = "f"\n"list.down" = "ctrl+n"\nstra = "x"\n')
    app = make_app(args_for([listing], state_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        shown = [str(n.message) for n in app._notifications]  # noqa: SLF001
        # a typo is said, once
        assert sum(message == f"{config}: ignored keys 'stra' (no such binding id)" for message in shown) == 1
        assert not any("star" in message.replace("'stra'", "") for message in shown)
        await pilot.press("ctrl+n", "f")
        papers = app.query_one(PaperList)
        assert papers.cursor == 1
        assert app.library.is_starred(papers.current)  # type: ignore[arg-type]
        await pilot.press("s")  # no longer bound to star
        assert app.library.is_starred(papers.current)  # type: ignore[arg-type]


def cells(strips: list) -> list[list[tuple[str, object]]]:  # type: ignore[type-arg]
    """Each cell's character and background, and its colour and attributes where it shows ink."""
    rows = []
    for strip in strips:
        row = []
        for segment in strip:
            style = segment.style
            for character in segment.text:
                ink = None if character == " " or style is None else (style.color, style.bold, style.underline)
                row.append((character, style.bgcolor if style else None, ink))
        rows.append(row)
    return rows


@pytest.mark.parametrize("no_color", [False, True])
async def test_list_rows_look_as_textuals_own_styling_pass_draws_them(
    tmp_path: Path, state_path: Path, no_color: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The list skips Textual's per-line styling pass (it draws nothing the list uses) and
    runs its rows' styles, not the rows, through the line filters: the rows must come out
    cell for cell as that pass would draw them (also with NO_COLOR's filter), and with
    padding set (say by a user theme) the pass runs as usual."""
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    from textual.geometry import Region
    from textual.widget import Widget

    listing = write_listing(tmp_path, [f"{title} {n}" for n in range(6) for title in PLAIN_TITLES + HOSTILE_TITLES])
    app = make_app(args_for([listing], state_path))
    async with app.run_test(size=(100, 20)) as pilot:
        await ready(app, pilot)
        await pilot.press("s", "j", "space", "pagedown", "k", "s")  # stars, read rows, a scrolled cursor
        await pilot.press("slash", *"diffusion OR emoji", "enter")  # highlights
        await settle(app, pilot)
        papers = app.query_one(PaperList)
        await pilot.press("escape")
        await settle(app, pilot)
        papers.focus()
        await pilot.press("pagedown", "j")
        await pilot.pause()
        assert papers.scroll_y > 0
        crop = Region(0, 0, papers.size.width, papers.size.height)
        fast = papers.render_lines(crop)
        papers._styles_cache.clear()  # noqa: SLF001 - every line through Textual's own pass
        textual = Widget.render_lines(papers, crop)
        assert [strip.text for strip in fast] == [strip.text for strip in textual]
        assert cells(fast) == cells(textual)
        assert any("★" in strip.text for strip in fast)

        papers.styles.padding = (0, 2)
        await pilot.pause()
        padded = papers.render_lines(Region(0, 0, papers.size.width, papers.size.height))
        assert all(strip.text.startswith("  ") for strip in padded)


async def test_a_click_picks_the_row_under_it_in_a_scrolled_list(tmp_path: Path, state_path: Path) -> None:
    listing = write_listing(tmp_path, [f"Paper number {n}" for n in range(60)])
    app = make_app(args_for([listing], state_path))
    async with app.run_test(size=(120, 20)) as pilot:
        await ready(app, pilot)
        papers = app.query_one(PaperList)
        await pilot.press("G")
        await pilot.pause()
        top = int(papers.scroll_y)
        assert top > 0
        await pilot.click(PaperList, offset=(5, 1))
        assert papers.cursor == top + 1
        assert papers.current == papers.rows[top + 1]


async def test_new_results_repaint_the_rows_not_the_scrollbar(tmp_path: Path, state_path: Path) -> None:
    """The scrollbar is drawn over the list's right edge; new rows with the same thumb leave
    it alone (redrawing it was a sixth of a keystroke's frame)."""
    listing = write_listing(tmp_path, [f"Paper number {n}" for n in range(60)])
    app = make_app(args_for([listing], state_path))
    async with app.run_test(size=(120, 20)) as pilot:
        await ready(app, pilot)
        papers = app.query_one(PaperList)
        rows = list(papers.rows)
        papers._repaint_regions.clear()  # noqa: SLF001
        papers.set_rows([rows[0], *reversed(rows[1:])])  # same count and cursor paper
        regions = set(papers._repaint_regions)  # noqa: SLF001
        assert regions
        assert all(region.right <= papers.scrollable_content_region.width for region in regions)
        await pilot.pause()
        assert titles_shown(app)[1] == app.library.papers[rows[-1]].title
        assert app.library.papers[rows[-1]].title in screen_text(app)
