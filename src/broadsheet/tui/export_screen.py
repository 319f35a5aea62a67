"""The export dialog: what (shown or starred papers), which format, and where (file or clipboard)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, RadioButton, RadioSet, Static

from broadsheet.export.formats import EXTENSIONS, FORMATS


@dataclass(frozen=True)
class ExportRequest:
    scope: str  # "shown" or "starred"
    fmt: str
    destination: Path | None  # None: the clipboard


class ExportScreen(ModalScreen[ExportRequest | None]):
    """Enter writes the file; ctrl+y copies to the clipboard instead; Esc cancels."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
        Binding("ctrl+y", "copy", "Copy to clipboard", id="export.copy"),
    ]
    DEFAULT_CSS = """
    ExportScreen { align: center middle; }
    ExportScreen > Vertical {
        width: 72; height: auto; border: round $primary; background: $panel; padding: 0 1;
    }
    ExportScreen RadioSet { width: 1fr; height: auto; }
    ExportScreen #export-path { margin: 1 0 0 0; }
    ExportScreen #export-buttons { height: auto; margin: 1 0 0 0; }
    ExportScreen Button { margin: 0 1 0 0; }
    """

    def __init__(self, shown: int, starred: int, folder: Path) -> None:
        super().__init__()
        self._shown = shown
        self._starred = starred
        self._folder = folder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Export papers", style="bold"))
            with Horizontal(id="export-choices"):
                with RadioSet(id="export-scope"):
                    yield RadioButton(f"shown ({self._shown:,})", value=True, id="scope-shown")
                    yield RadioButton(f"starred ({self._starred:,})", id="scope-starred")
                with RadioSet(id="export-format"):
                    for fmt in FORMATS:
                        yield RadioButton(fmt, value=fmt == "bibtex", id=f"format-{fmt}")
            yield Input(str(self._folder / "broadsheet-export.bib"), id="export-path")
            with Horizontal(id="export-buttons"):
                yield Button("Write file", id="export-write", variant="primary")
                yield Button("Copy (ctrl+y)", id="export-copy")
                yield Button("Cancel", id="export-cancel")

    def _choice(self, set_id: str, prefix: str) -> str:
        pressed = self.query_one(f"#{set_id}", RadioSet).pressed_button
        return (pressed.id or "").removeprefix(prefix) if pressed else ""

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        if event.radio_set.id == "export-format":
            box = self.query_one("#export-path", Input)
            path = Path(box.value)
            box.value = str(path.with_suffix("." + EXTENSIONS[self._choice("export-format", "format-")]))

    def _request(self, to_clipboard: bool) -> ExportRequest:
        path = Path(self.query_one("#export-path", Input).value).expanduser()
        return ExportRequest(
            scope=self._choice("export-scope", "scope-") or "shown",
            fmt=self._choice("export-format", "format-") or "bibtex",
            destination=None if to_clipboard else path,
        )

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "export-write":
            self.dismiss(self._request(False))
        elif event.button.id == "export-copy":
            self.dismiss(self._request(True))
        else:
            self.dismiss(None)

    def on_input_submitted(self) -> None:
        self.dismiss(self._request(False))

    def action_copy(self) -> None:
        self.dismiss(self._request(True))

    def action_cancel(self) -> None:
        self.dismiss(None)
