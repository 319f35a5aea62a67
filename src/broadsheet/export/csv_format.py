"""CSV: one row per paper for spreadsheets and scripts; RFC 4180, UTF-8, a header row.

Rows end in CRLF; fields are quoted only when they hold a comma, a quote or a line break
(quotes doubled), so Python's `csv` module, pandas and spreadsheets read them back exactly.
No byte-order mark. Columns, in this order (empty where unknown):

| column | content |
|---|---|
| `key` | `arxiv:2410.17243` or `title:<normalized title>` |
| `title` | as listed |
| `authors` | names joined by `; ` (a name may contain a comma); empty when only a count is known |
| `authors_count` | integer |
| `organization` | the organization's display name (`NAVER AI Lab`) |
| `published` | `YYYY-MM-DD` (the year may be inferred; see the JSON export's `year_inferred`) |
| `upvotes` | integer |
| `arxiv_id` | without version |
| `url` | the best link: Hugging Face page, else arXiv, else a listed URL, else an arXiv title search |
| `abstract` | as listed; line breaks kept inside the quoted field |
| `ai_summary` | the page's AI-generated summary |
| `starred` | `true` / `false`; empty when exported without reading state |
| `read` | `true` / `false`; empty when exported without reading state |

Formula injection: text is written as is, never prefixed with `'` or otherwise mangled,
because the export must round-trip losslessly and most consumers are scripts. A title that
starts with `=`, `+`, `-` or `@` may be taken for a formula by a spreadsheet that opens the
file directly; import it with the columns typed as text when that matters.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterable, Iterator

from broadsheet.links import best_link
from broadsheet.model import Paper

COLUMNS = (
    "key",
    "title",
    "authors",
    "authors_count",
    "organization",
    "published",
    "upvotes",
    "arxiv_id",
    "url",
    "abstract",
    "ai_summary",
    "starred",
    "read",
)
AUTHOR_SEPARATOR = "; "


def _text(value: object) -> str:
    """Empty for unknown, `true`/`false` for flags (as in JSON), else the plain string."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def paper_row(paper: Paper, status: Callable[[str], tuple[bool, bool]] | None = None) -> list[str]:
    """The paper's fields in `COLUMNS` order, as strings."""
    starred, read = status(paper.key) if status is not None else (None, None)
    values: tuple[object, ...] = (
        paper.key,
        paper.title,
        AUTHOR_SEPARATOR.join(paper.authors),
        paper.authors_count,
        paper.organization.name if paper.organization else None,
        paper.published.date.isoformat() if paper.published else None,
        paper.upvotes,
        paper.arxiv_id,
        best_link(paper),
        paper.abstract,
        paper.ai_summary,
        starred,
        read,
    )
    return [_text(value) for value in values]


def write_csv(papers: Iterable[Paper], *, status: Callable[[str], tuple[bool, bool]] | None = None) -> Iterator[str]:
    """The header, then one CRLF-terminated record per paper (a record may span lines).

    Write the strings to a file opened with `newline=""`, or the CRLFs get translated.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for row in itertools.chain([list(COLUMNS)], (paper_row(p, status) for p in papers)):
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
