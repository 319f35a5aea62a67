"""The reader: a thin Textual layer over the Library. Widgets render and forward intent."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterable, Sequence

from rich.text import Text
from textual import events, on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static

from broadsheet import config as config_module
from broadsheet import startup_gc
from broadsheet.library import Library, SearchEngine, SearchOutcome
from broadsheet.model import Paper
from broadsheet.themes import load_themes, theme_variable_defaults
from broadsheet.tui.compositor import ShowThroughCompositor
from broadsheet.tui.detail import DetailPane, paper_renderable
from broadsheet.tui.filter_box import FilterBox
from broadsheet.tui.idle_gc import IdleCollector
from broadsheet.tui.live_search import LiveSearch
from broadsheet.tui.outbound import OutboundActions
from broadsheet.tui.paper_list import PaperList
from broadsheet.tui.status_line import StatusLine

NARROW = 100  # below this many columns the detail pane goes under the list
TYPING_DETAIL_DELAY = 0.15  # seconds of no results before the detail follows the filter
SORT_CYCLE = ("date", "-date", "upvotes", "-upvotes", "trending", "-trending", "title", "-title", "relevance")


class BroadsheetApp(LiveSearch, OutboundActions, App[None]):
    """Papers, a detail pane, a live filter and a status line."""

    TITLE = "broadsheet"
    CSS = """
    #banner { background: $warning 30%; color: $text; padding: 0 1; height: auto; }
    #filter-row { height: auto; }
    #filter { width: 1fr; height: 1; border: none; padding: 0 1; background: $boost; }
    #filter:focus { background: $primary 20%; }
    #main { height: 1fr; }
    #papers { width: 3fr; min-width: 20; }
    #detail { width: 2fr; border-left: vkey $primary 50%; }
    Screen.-narrow #main { layout: vertical; }
    Screen.-narrow #papers { width: 100%; height: 1fr; }
    Screen.-narrow #detail { width: 100%; height: 1fr; border-left: none; border-top: hkey $primary 50%; }
    """

    BINDINGS = [
        # priority: handled as the app hands the key out, so the keys behind it in a burst
        # (a paste, a fast typist, keys batched over SSH) go to the widget it focuses
        Binding("slash", "focus_filter", "Filter", id="filter", priority=True),
        Binding("escape", "clear_filter", "Clear", show=False, id="clear", priority=True),
        Binding("enter", "leave_filter", "Done filtering", show=False, id="filter_done", priority=True),
        Binding("enter", "open_detail", "Open", id="open"),
        Binding("s", "toggle_star", "Star", id="star"),
        Binding("r,space", "toggle_read", "Read", id="read"),
        Binding("R", "mark_shown_read", "All read", show=False, id="read_all"),
        Binding("u,ctrl+z", "undo", "Undo", show=False, id="undo"),
        Binding("n", "next_unread", "Next unread", show=False, id="next_unread"),
        Binding("N", "previous_unread", "Prev unread", show=False, id="previous_unread"),
        Binding("o", "open_link", "Browser", id="browser"),
        Binding("y", "copy_link", "Copy", show=False, id="copy"),
        Binding("e", "export", "Export", show=False, id="export"),
        Binding("S", "cycle_sort", "Sort", id="sort"),
        Binding("t", "pick_theme", "Theme", show=False, id="theme"),
        Binding("question_mark,f1", "help", "Help", id="help"),
        Binding("q", "quit", "Quit", id="quit"),
    ]

    class IndexReady(Message):
        """A stage of the search index is ready (posted from the indexing thread)."""

    class StateChanged(Message):
        """Another instance, or a hand edit, changed the reading state of these keys."""

        def __init__(self, keys: set[str]) -> None:  # not a dataclass: see PaperList.Highlighted
            super().__init__()
            self.keys = keys

    def __init__(
        self,
        library: Library,
        *,
        config: config_module.Config | None = None,
        banner: str | None = None,
        after_first_paint: Sequence[Callable[[], None]] = (),
    ) -> None:
        super().__init__()
        self.library = library
        self._after_first_paint = list(after_first_paint)  # each runs on its own thread
        self._background: list[threading.Thread] = []
        self.config = config or config_module.Config()
        self._banner = banner
        self._query_text = ""
        self._status_note: str | None = None
        self._detail_pending = False
        self._detail_timer: Timer | None = None
        self._detail_due = 0.0  # when a delayed detail is due (time.monotonic)
        # "relevance" is the engine's own default (relevance with words, else newest first)
        default_sort = self.config.default_sort
        self._sort_override: str | None = None if default_sort == "relevance" else default_sort
        self._outcome: SearchOutcome | None = None
        self._search_serial = 0
        self._hold_timer: Timer | None = None  # set while a frame waits for a worker's results
        self._idle_collector = IdleCollector()
        self.last_search_latency: float | None = None
        self.close_error: Exception | None = None
        # set by the app factory when the reader shows the library (a fetch can add papers)
        self.reload_listings: Callable[[], tuple[Sequence[Paper], SearchEngine]] | None = None
        wanted = self.config.theme
        # the other bundled themes are read once the first screen is up (_load_other_themes)
        self._other_themes_due = True
        themes, self._theme_problems = load_themes(named=wanted)
        if not any(theme.name == wanted for theme in themes) and wanted not in self.available_themes:
            self._other_themes_due = False
            themes, self._theme_problems = load_themes()  # a theme of another file's name, or none
        for theme in themes:
            self.register_theme(theme)
        if wanted not in self.available_themes:
            self._theme_problems.append(f"unknown theme {wanted!r}; using {config_module.DEFAULT_THEME}")
            wanted = config_module.DEFAULT_THEME
        self._start_with_theme(wanted)

    def _start_with_theme(self, name: str) -> None:
        """What setting `theme` does, less the re-parse of every stylesheet its watcher
        schedules (~10 ms before the first frame): nothing has been parsed yet, so giving
        the stylesheet the theme's variables is enough. Before the app runs only."""
        self.set_reactive(App.theme, name)
        theme = self.current_theme
        classes = {name: False for name in self.classes if name.startswith("-theme-")}
        classes[f"-theme-{theme.name}"] = True
        classes["-dark-mode"] = theme.dark
        classes["-light-mode"] = not theme.dark
        self.update_classes(classes, update=False)
        self._refresh_truecolor_filter(self.ansi_theme)
        self._theme_started = True
        self.stylesheet.set_variables(self.get_css_variables())

    # -- composition ------------------------------------------------------------------

    _theme_started = False  # set by _start_with_theme

    def get_css_variables(self) -> dict[str, str]:
        # App.__init__ asks for textual-dark's variables (two colour systems generated,
        # ~0.9 ms of the start), which _start_with_theme replaces before anything is parsed
        return super().get_css_variables() if self._theme_started else {}

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return theme_variable_defaults(self.current_theme)

    def get_default_screen(self) -> Screen:
        screen = super().get_default_screen()
        screen._compositor = ShowThroughCompositor()  # before anything is composited
        return screen

    def compose(self) -> ComposeResult:
        if self._banner:
            yield Static(Text(self._banner), id="banner")
        # Kept as attributes: a modal screen on top (help, export) hides them from queries,
        # and results or index stages may land while it is up.
        self._filter_box = FilterBox(
            placeholder='/ filter: words, "phrase", -exclude, is:unread, sort:date … (? for help)', id="filter"
        )
        self._papers = PaperList(
            self.library.papers, is_starred=self.library.is_starred, is_read=self.library.is_read, id="papers"
        )
        self._detail = DetailPane(id="detail")
        self._status = StatusLine(id="status")
        with Horizontal(id="filter-row"):
            yield self._filter_box
        with Horizontal(id="main"):
            yield self._papers
            yield self._detail
        yield self._status
        yield Footer()

    def on_mount(self) -> None:
        if self._theme_problems:
            self.notify("\n".join(self._theme_problems), title="Theme problems", severity="warning", timeout=8)
        key_problems = []
        if self.config.keys:
            known = {binding.id for binding in self._own_bindings()}
            unknown = sorted(set(self.config.keys) - known)
            if unknown:  # Textual ignores them without a word: a typo would go unnoticed
                where = self.config.path or "config.toml"
                key_problems.append(f"{where}: ignored keys {', '.join(map(repr, unknown))} (no such binding id)")
            self.set_keymap({key: value for key, value in self.config.keys.items() if key in known})
        for problem in self.config.problems + key_problems + self.library.problems:
            self.notify(problem, severity="warning", timeout=8)
        self._apply_layout(self.size.width)
        self.paper_list.focus()
        self.watch(self._filter_box, "value", self._filter_changed, init=False)
        self._run_search("")
        # the first screen needs no index: load or build it once that screen is painted
        self.call_after_refresh(self._start_background_work)
        self.set_interval(0.5, self._poll_index_progress)
        self.set_interval(1.0, self._idle_collector.collect_if_idle)

    _key_in_hand: events.Key | None = None  # the key whose priority bindings are being tried

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseEvent)):
            self._idle_collector.saw_input()
        self._key_in_hand = event if isinstance(event, events.Key) else None  # for check_action
        try:
            await super().on_event(event)
        finally:
            self._key_in_hand = None

    def _start_background_work(self) -> None:
        self.library.counts()
        # The counts' key set and the keys cut for it live as long as the reader: out of the
        # collector's generations (O(1)), young collections need not walk their 100k entries
        # during the first keystrokes (~5-12 ms a collection at 100k papers).
        gc.freeze()
        startup_gc.resume()  # the entry point paused the collector for start-up (freezes too: O(1))
        self._load_other_themes()
        self._update_status()
        self.library.start_indexing(lambda: self.post_message(self.IndexReady()))
        for task in self._after_first_paint:
            # not a daemon: quitting at once waits for the cache being written, not half of it
            thread = threading.Thread(target=task, name="broadsheet-after-first-paint")
            thread.start()
            self._background.append(thread)
        self._after_first_paint.clear()

    def _load_other_themes(self) -> None:
        """Register the bundled themes the first screen did not need; report what is new
        among their problems (in a notification of their own: the start's were shown at
        mount). Runs once, after the first screen or when a theme list opens before it."""
        if not self._other_themes_due:
            return
        self._other_themes_due = False
        themes, problems = load_themes()
        for theme in themes:
            if theme.name not in self.available_themes:  # a user's file or the current one was read at start
                self.register_theme(theme)
        if news := [problem for problem in problems if problem not in self._theme_problems]:
            self._theme_problems += news
            self.notify("\n".join(news), title="Theme problems", severity="warning", timeout=8)

    def wait_for_background_work(self, timeout: float | None = None) -> None:
        """Join what runs after the first paint (writing the parsed-listing cache)."""
        for thread in self._background:
            thread.join(timeout)

    def _poll_index_progress(self) -> None:
        if self.library.index_progress():
            self._update_status()

    @on(IndexReady)
    def _index_ready(self) -> None:
        """Rerun the query on the better index (keeps the cursor on its paper)."""
        self._outcome = None  # results from another index cannot be narrowed
        self._run_search(self._query_text)

    def state_changed_elsewhere(self, keys: set[str]) -> None:
        """Called from the state's writer thread."""
        self.post_message(self.StateChanged(keys))

    @on(StateChanged)
    def _state_changed(self, message: StateChanged) -> None:
        self.library.recount()
        self.paper_list.refresh_all()
        self._show_current()
        self._update_status()

    @property
    def paper_list(self) -> PaperList:
        return self._papers

    def on_resize(self, event: events.Resize) -> None:
        self._apply_layout(event.size.width)

    def _apply_layout(self, width: int) -> None:
        self.screen.set_class(width < NARROW, "-narrow")

    def watch_theme(self, theme: str) -> None:
        """A theme chosen anywhere (picker, palette) is remembered; a picker preview is not."""
        from broadsheet.tui.screens import ThemePicker  # the modal screens load when first shown

        if not self.is_running or theme == self.config.theme or isinstance(self.screen, ThemePicker):
            return
        if theme in self.available_themes:
            self.config.theme = theme
            self._remember_theme(theme)

    # -- searching --------------------------------------------------------------------

    def _filter_changed(self, value: str) -> None:
        """Watches the box's value: called inside the keystroke's own handling, so a quick
        result is drawn in the frame that shows the letter (Input.Changed arrives after it)."""
        if self._detail_timer is not None:  # still typing (a malformed query too): the detail waits
            self._show_current(after=TYPING_DETAIL_DELAY)
        self._run_search(value)

    def _show_outcome(self, outcome: SearchOutcome, started: float) -> None:
        if not self.is_running or not self._filter_box.is_mounted:
            return  # the reader is closing: nothing to show it on
        self._filter_box.show_error(outcome.error)
        if outcome.error is not None:
            self._update_status()
            self._release_frame()
            return  # keep the last good results on screen
        self._outcome = outcome
        self.paper_list.set_rows(outcome.rows, outcome.title_spans)
        self._show_current(after=self._detail_delay())
        self._update_status()
        self.last_search_latency = time.perf_counter() - started
        self._release_frame()

    # -- showing ----------------------------------------------------------------------

    @on(PaperList.Highlighted)
    def _highlighted(self, message: PaperList.Highlighted) -> None:
        self._show_current(after=self._detail_delay())

    def _detail_delay(self) -> float:
        """While the filter is being typed in, results first; the detail once typing pauses."""
        return TYPING_DETAIL_DELAY if self.focused is self._filter_box else 0.0

    @on(PaperList.Selected)
    def _selected(self, message: PaperList.Selected) -> None:
        self.action_open_detail()

    def _show_current(self, *, after: float = 0.0) -> None:
        """Render the detail after the next frame, so a moved cursor or a toggled star shows
        on its row at once; moves in quick succession render the detail once. `after` waits
        that long instead, restarting on each call: while a query is being typed the detail
        (a long abstract to wrap and lay out) follows once the typing pauses."""
        if after:
            # one timer per pause, not per call (three calls a keystroke): it re-arms itself
            # until the latest due time
            self._detail_due = time.monotonic() + after
            if self._detail_timer is None:
                self._detail_timer = self.set_timer(after, self._detail_timer_fired)
            return
        if not self._detail_pending:
            self._detail_pending = True
            self.call_after_refresh(self._render_detail)

    def _detail_timer_fired(self) -> None:
        self._detail_timer = None
        wait = self._detail_due - time.monotonic()
        if wait > 0.001:
            self._detail_timer = self.set_timer(wait, self._detail_timer_fired)
        else:
            self._render_detail()

    def _render_detail(self) -> None:
        self._detail_pending = False
        if self._detail_timer is not None:
            self._detail_timer.stop()
            self._detail_timer = None
        detail = self._detail
        if not detail.is_mounted:
            return
        index = self.paper_list.current
        if index is None:
            detail.show(Text("No papers match." if self._query_text else "No papers.", style="dim"))
            return
        try:
            match_style = self.paper_list.get_component_rich_style("paper-list--match")
        except KeyError:  # the list's styles are gone: a delayed detail fired as the reader closes
            return
        spans = self._outcome.highlights(index) if self._outcome else None
        detail.show(
            paper_renderable(
                self.library.papers[index],
                starred=self.library.is_starred(index),
                read=self.library.is_read(index),
                title_spans=spans.title if spans else (),
                abstract_spans=spans.abstract if spans else (),
                summary_spans=spans.ai_summary if spans else (),
                match_style=match_style,
            )
        )

    def _update_status(self) -> None:
        shown = len(self.paper_list.rows)
        total = len(self.library.papers)
        sort = self._outcome.sort if self._outcome else "date"
        parts = [f"{shown:,} of {total:,}"]
        if counts := self.library.known_counts():  # counted once the first screen is up
            parts += [f"{counts[0]:,} starred", f"{counts[1]:,} unread"]
        parts.append(f"sort: {sort}")
        if progress := self.library.index_progress():
            parts.append(progress)
        if self._status_note:
            parts.append(self._status_note)
        self._status.show(" · ".join(parts))

    # -- actions ----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The filter's priority keys belong to the reader's own screen (a dialog on top takes
        them as usual), and a printable key typed in the filter box is text."""
        if action in ("focus_filter", "clear_filter", "leave_filter"):
            if self.screen is not self.screen_stack[0]:
                return False
            in_box = self.focused is self._filter_box
            key = self._key_in_hand
            if in_box and key is not None and key.is_printable:
                return False  # text in the box ('/', or a letter a user's keymap gave them)
            if action == "focus_filter":
                return not in_box
            if action == "leave_filter":
                return in_box
        return True

    def action_focus_filter(self) -> None:
        # set_focus is immediate (Widget.focus() is deferred): the keys behind the slash
        # are handed out after this, to the box
        self.set_focus(self._filter_box)

    def action_leave_filter(self) -> None:
        """Enter in the filter box: the results stay, the keys behind it go to the list."""
        self.set_focus(self.paper_list)

    def action_clear_filter(self) -> None:
        filter_box = self._filter_box
        if filter_box.value:
            filter_box.value = ""
        self.set_focus(self.paper_list)

    def _current(self) -> int | None:
        index = self.paper_list.current
        if index is None:
            self.bell()
        return index

    def _changed(self, indices: Iterable[int]) -> None:
        for index in indices:
            self.paper_list.refresh_paper(index)
        self._show_current()
        self._update_status()

    def action_open_detail(self) -> None:
        if (index := self._current()) is None:
            return
        if self.config.open_marks_read and not self.library.is_read(index):
            self.library.mark_read(index)
            self._changed([index])
        self._detail.focus()

    def action_toggle_star(self) -> None:
        if (index := self._current()) is not None:
            self.library.toggle_star(index)
            self._changed([index])

    def action_toggle_read(self) -> None:
        if (index := self._current()) is not None:
            self.library.toggle_read(index)
            self._changed([index])

    def action_mark_shown_read(self) -> None:
        rows = list(self.paper_list.rows)
        count = self.library.mark_read_many(rows)
        self.paper_list.refresh_all()
        self._changed([])
        self.notify(f"Marked {count:,} paper{'s' if count != 1 else ''} read (u undoes).")

    def action_undo(self) -> None:
        undone = self.library.undo()
        if undone is None:
            self.notify("Nothing to undo.")
            return
        self.paper_list.refresh_all()
        self._changed([])
        self.notify(f"Undid: {undone}")

    def _jump_unread(self, step: int) -> None:
        rows = self.paper_list.rows
        position = self.paper_list.cursor + step
        while 0 <= position < len(rows):
            if not self.library.is_read(rows[position]):
                self.paper_list.cursor = position
                return
            position += step
        self.notify("No more unread papers this way.")

    def action_next_unread(self) -> None:
        self._jump_unread(1)

    def action_previous_unread(self) -> None:
        self._jump_unread(-1)

    def _swap_papers(self, papers: Sequence[Paper], engine: SearchEngine) -> None:
        self.library.replace_papers(papers, engine)
        self.library.counts()  # the reader is up: no first screen to wait for
        self.paper_list.set_papers(papers)
        self._outcome = None
        self.library.start_indexing(lambda: self.post_message(self.IndexReady()))
        self._run_search(self._query_text)

    def _set_status_note(self, note: str | None) -> None:
        self._status_note = note
        self._update_status()

    def action_cycle_sort(self) -> None:
        current = self._sort_override or (self._outcome.sort if self._outcome else "date")
        position = SORT_CYCLE.index(current) if current in SORT_CYCLE else -1
        self._sort_override = SORT_CYCLE[(position + 1) % len(SORT_CYCLE)]
        self._run_search(self._query_text)

    def action_pick_theme(self) -> None:
        self._load_other_themes()  # a key typed ahead of the first screen comes before them

        def chosen(name: str | None) -> None:
            if name and name != self.config.theme:
                self.config.theme = name
                self._remember_theme(name)

        from broadsheet.tui.screens import ThemePicker

        self.push_screen(ThemePicker(sorted(self.available_themes), self.theme), chosen)

    def search_themes(self) -> None:
        """The palette's theme search (Textual's "Theme" command), with every theme in it."""
        self._load_other_themes()
        super().search_themes()

    def _remember_theme(self, name: str) -> None:
        try:
            config_module.save_theme(name)
        except OSError as error:
            self.notify(f"Could not save the theme choice: {error}", severity="warning")

    def action_help(self) -> None:
        from broadsheet.tui.screens import HelpScreen

        self.push_screen(HelpScreen(self._binding_rows()))

    def _own_bindings(self) -> list[Binding]:
        """The reader's bindings, the list's and the app's: the help screen's rows, and the
        ids config.toml's [keys] may name."""
        return [binding for binding in (*PaperList.BINDINGS, *self.BINDINGS) if isinstance(binding, Binding)]

    def _binding_rows(self) -> list[tuple[str, str]]:
        rows = []
        for binding in self._own_bindings():
            keys = self.config.keys.get(binding.id or "", binding.key)
            shown = ", ".join(self.get_key_display(Binding(key.strip(), "")) for key in keys.split(","))
            rows.append((shown, binding.description))
        rows.append(("ctrl+p", "Command palette"))
        return rows

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Copy as BibTeX",
            "Copy the paper under the cursor as a BibTeX entry",
            lambda: self._copy_current_as("bibtex"),
        )
        yield SystemCommand(
            "Copy as Markdown",
            "Copy the paper under the cursor as a Markdown item",
            lambda: self._copy_current_as("markdown"),
        )
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            if binding.action in ("quit", "help", "leave_filter"):
                continue
            yield SystemCommand(
                binding.description,
                f"{binding.description} ({binding.key})",
                lambda a=binding.action: self.run_action(a),
            )

    async def action_quit(self) -> None:
        self.exit()

    def on_unmount(self) -> None:
        """Save the reading state before the terminal is handed back."""
        try:
            self.library.close()
        except Exception as error:  # noqa: BLE001 - kept for the caller to report after the screen is restored
            self.close_error = error
