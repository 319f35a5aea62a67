"""Reader actions that reach outside it: the browser, the clipboard, files and the network.

A mixin of BroadsheetApp; the heavy parts (rendering an export, fetching) run on worker
threads and report back through `call_from_thread`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.worker import get_current_worker

from broadsheet.atomic import write_atomically
from broadsheet.links import best_link
from broadsheet.text_safety import is_openable_url, one_line

if TYPE_CHECKING:
    from broadsheet.library import Library, SearchEngine
    from broadsheet.model import Paper
    from broadsheet.tui.export_screen import ExportRequest
    from broadsheet.tui.paper_list import PaperList


class OutboundActions:
    """Open (o), copy (y, palette), export (e) and fetch today's papers (palette)."""

    if TYPE_CHECKING:  # provided by BroadsheetApp
        library: Library
        paper_list: PaperList
        reload_listings: Callable[[], tuple[Sequence[Paper], SearchEngine]] | None

        def _current(self) -> int | None: ...
        def _set_status_note(self, note: str | None) -> None: ...
        def _swap_papers(self, papers: Sequence[Paper], engine: SearchEngine) -> None: ...
        def notify(self, message: str, **kwargs: object) -> None: ...
        def open_url(self, url: str, *, new_tab: bool = True) -> None: ...
        def copy_to_clipboard(self, text: str) -> None: ...
        def call_from_thread(self, callback: Callable[..., object], *args: object, **kwargs: object) -> object: ...
        def push_screen(self, screen: object, callback: Callable[..., object] | None = None) -> object: ...

    def action_open_link(self) -> None:
        if (index := self._current()) is None:
            return
        url = best_link(self.library.papers[index])
        if not is_openable_url(url):
            self.notify("This paper has no http(s) link.", severity="warning")
            return
        self.open_url(url)
        self.notify(f"Opening {url}")

    def action_copy_link(self) -> None:
        if (index := self._current()) is None:
            return
        paper = self.library.papers[index]
        self.copy_to_clipboard(f"{one_line(paper.title)} {best_link(paper)}")
        self.notify("Copied the title and link.")

    def action_export(self) -> None:
        rows = list(self.paper_list.rows)
        starred = (
            [i for i in range(len(self.library.papers)) if self.library.is_starred(i)]
            if self.library.counts()[0]
            else []
        )

        def chosen(request: ExportRequest | None) -> None:
            if request is not None:
                self._export(request, rows if request.scope == "shown" else starred)

        from broadsheet.tui.export_screen import ExportScreen  # the export formats load when used

        self.push_screen(ExportScreen(len(rows), len(starred), Path.cwd()), chosen)

    @work(thread=True, group="export")
    def _export(self, request: ExportRequest, rows: list[int]) -> None:
        """Rendering 100k papers takes a moment: off the event loop, then report."""
        from broadsheet.export.formats import render

        papers = [self.library.papers[i] for i in rows]
        store = self.library.store
        chunks = render(papers, request.fmt, status=lambda key: (store.is_starred(key), store.is_read(key)))
        noun = f"{len(papers):,} paper{'s' if len(papers) != 1 else ''}"
        if request.destination is None:
            text = "".join(chunks)
            self.call_from_thread(self.copy_to_clipboard, text)
            self.call_from_thread(self.notify, f"Copied {noun} as {request.fmt}.")
            return
        try:
            write_atomically(request.destination, chunks, newline="" if request.fmt == "csv" else None)
        except OSError as error:
            self.call_from_thread(
                self.notify, f"Export failed: {request.destination}: {error.strerror or error}", severity="error"
            )
            return
        self.call_from_thread(self.notify, f"Wrote {noun} to {request.destination}.")

    def action_fetch_today(self) -> None:
        self.notify("Fetching today's papers…")
        self._fetch_today()

    @work(thread=True, exclusive=True, group="fetch")
    def _fetch_today(self) -> None:
        """Network and parsing on a worker thread; the reader stays usable meanwhile."""
        from broadsheet.commands.common import CommandError
        from broadsheet.commands.fetch_command import failure_lines, store_days, utc_today
        from broadsheet.fetch import fetch_days, resolve_base_url

        worker = get_current_worker()
        try:
            base_url = resolve_base_url()
        except ValueError as error:
            self.call_from_thread(self.notify, str(error), severity="error")
            return
        report = fetch_days(
            [utc_today()],
            base_url=base_url,
            on_progress=lambda progress: self.call_from_thread(self._set_status_note, str(progress)),
            should_cancel=lambda: worker.is_cancelled,
        )
        try:
            lines = store_days(report) + failure_lines(report)
        except CommandError as error:
            lines = [str(error)]
        self.call_from_thread(self._set_status_note, None)
        failed = bool(report.failed or report.unreachable)
        self.call_from_thread(
            self.notify, "\n".join(lines) or "Nothing fetched.", severity="error" if failed else "information"
        )
        if self.reload_listings is not None and any("added" in line for line in lines):
            papers, engine = self.reload_listings()
            self.call_from_thread(self._swap_papers, papers, engine)

    def _copy_current_as(self, fmt: str) -> None:
        if (index := self._current()) is None:
            return
        from broadsheet.export.formats import render

        paper = self.library.papers[index]
        self.copy_to_clipboard("".join(render([paper], fmt)))
        self.notify(f"Copied as {fmt}.")
