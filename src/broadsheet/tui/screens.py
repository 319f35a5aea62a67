"""Modal screens: the help screen and the theme picker."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from broadsheet.search_help import QUERY_HELP


class HelpScreen(ModalScreen[None]):
    """Every key (as currently bound, user overrides included) and the query language."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90%; max-width: 100; height: 90%;
        border: round $primary; background: $panel; padding: 0 1;
    }
    """

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        self._rows = rows

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for keys, description in self._rows:
            table.add_row(Text(keys), Text(description))
        with VerticalScroll():
            yield Static(Text("Keys", style="bold underline"))
            yield Static(table)
            yield Static(Text("\nFilter queries", style="bold underline"))
            yield Static(Text(QUERY_HELP))
            yield Static(Text("\nEsc or q closes this screen.", style="dim"))


class ThemePicker(ModalScreen[str | None]):
    """Pick a theme; the highlighted theme is previewed live, Esc restores the old one."""

    BINDINGS = [Binding("escape,q", "cancel", "Cancel", id="theme.cancel")]
    DEFAULT_CSS = """
    ThemePicker { align: center middle; }
    ThemePicker > OptionList { width: 48; height: auto; max-height: 80%; border: round $primary; }
    """

    def __init__(self, names: list[str], current: str) -> None:
        super().__init__()
        self._names = names
        self._original = current

    def compose(self) -> ComposeResult:
        options = OptionList(*[Option(Text(name), id=name) for name in self._names])
        if self._original in self._names:
            options.highlighted = self._names.index(self._original)
        yield options

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id:
            self.app.theme = event.option.id

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.app.theme = self._original
        self.dismiss(None)
