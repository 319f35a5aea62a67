"""One entry point for every export format, shared by the CLI and the reader."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

from broadsheet.export.bibtex import write_bibtex
from broadsheet.export.csv_format import write_csv
from broadsheet.export.json_lines import write_json, write_jsonl
from broadsheet.export.markdown import write_markdown
from broadsheet.model import Paper
from broadsheet.sources.dump import write_dump

FORMATS = ("jsonl", "json", "dump", "bibtex", "markdown", "csv")
EXTENSIONS = {"jsonl": "jsonl", "json": "json", "dump": "txt", "bibtex": "bib", "markdown": "md", "csv": "csv"}
Status = Callable[[str], tuple[bool, bool]]


def render(
    papers: Sequence[Paper], fmt: str, *, status: Status | None = None, with_abstracts: bool = False
) -> Iterator[str]:
    """The export as text chunks; `status(key) -> (starred, read)` adds reading state where the format has room."""
    chunks: Iterable[str]
    if fmt == "jsonl":
        chunks = write_jsonl(papers)
    elif fmt == "json":
        chunks = write_json(papers)
    elif fmt == "dump":
        chunks = [write_dump(papers)]
    elif fmt == "bibtex":
        chunks = write_bibtex(papers, with_abstract=with_abstracts)
    elif fmt == "markdown":
        chunks = write_markdown(papers, group_by="date", with_abstracts=with_abstracts, status=status)
    elif fmt == "csv":
        chunks = write_csv(papers, status=status)
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    yield from chunks
