"""CSV export: RFC 4180 records that the csv module reads back to exactly the same fields."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from broadsheet.export.csv_format import COLUMNS, paper_row, write_csv
from broadsheet.links import best_link
from broadsheet.model import Organization, Paper, Published

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"

HOSTILE = [
    "Commas, everywhere, really",
    'Quotes "inside" and at the end"',
    '"Quoted from the start"',
    "Line\nbreak in a title",
    "CRLF\r\nand lone CR\rinside",
    "=1+1",
    "+cmd|' /C calc'!A0",
    "-minus",
    "@SUM(A1)",
    "Tabs\tand trailing spaces   ",
    "Accents é ü ø and emoji 🚀",
    "NUL \x00 and ESC \x1b",
    "",
]


def read_back(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_header_is_the_documented_columns() -> None:
    assert next(write_csv([])) == ",".join(COLUMNS) + "\r\n"
    assert COLUMNS == (
        "key", "title", "authors", "authors_count", "organization", "published", "upvotes",
        "arxiv_id", "url", "abstract", "ai_summary", "starred", "read",
    )  # fmt: skip


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_round_trips(text: str) -> None:
    paper = Paper(
        title=text or "x",
        abstract=f'First paragraph, with {text}.\n\nSecond "paragraph".\r\n',
        ai_summary=text,
        authors=(text or "Solo", "Doe, Jane"),
        organization=Organization("org", text or "Org"),
    )
    rows = read_back("".join(write_csv([paper])))
    assert rows == [list(COLUMNS), paper_row(paper)]
    record = dict(zip(COLUMNS, rows[1], strict=True))
    assert record["title"] == (text or "x")  # never mangled, not even formula-like text
    assert record["abstract"] == paper.abstract
    assert record["ai_summary"] == text
    assert record["authors"] == f"{text or 'Solo'}; Doe, Jane"
    assert record["organization"] == (text or "Org")


def test_full_record_and_status() -> None:
    paper = Paper(
        title="LLM-Pruner",
        abstract="Abstract",
        ai_summary=None,
        authors_count=3,
        published=Published(dt.date(2023, 5, 19), year_inferred=True),
        upvotes=0,
        arxiv_id="2305.11627",
    )
    [_, row] = read_back("".join(write_csv([paper])))
    assert row == [
        "arxiv:2305.11627", "LLM-Pruner", "", "3", "", "2023-05-19", "0", "2305.11627",
        "https://huggingface.co/papers/2305.11627", "Abstract", "", "", "",
    ]  # fmt: skip
    [_, row] = read_back("".join(write_csv([paper], status=lambda key: (key == "arxiv:2305.11627", False))))
    assert row[-2:] == ["true", "false"]


def test_one_crlf_terminated_record_per_chunk() -> None:
    papers = [Paper(title="a"), Paper(title="b", abstract="x\ny"), Paper(title="c, d")]
    chunks = list(write_csv(papers))
    assert len(chunks) == 4
    assert all(chunk.endswith("\r\n") for chunk in chunks)
    assert chunks[2] == f'title:b,b,,,,,,,{best_link(papers[1])},"x\ny",,,\r\n'
    assert chunks[3].startswith('title:c d,"c, d",')


def test_file_written_with_newline_off_reads_back(tmp_path: Path) -> None:
    paper = Paper(title='Wörds, "quoted"\nand more', abstract="a\r\nb")
    path = tmp_path / "papers.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.writelines(write_csv([paper]))
    assert path.read_bytes().startswith(b"key,title,")  # no byte-order mark
    with path.open(encoding="utf-8", newline="") as handle:
        assert list(csv.reader(handle))[1] == paper_row(paper)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",))), min_size=1, max_size=4))
def test_any_text_round_trips(texts: list[str]) -> None:
    papers = [Paper(title=t or "t", abstract=t, ai_summary=t, authors=(t,)) for t in texts]
    rows = read_back("".join(write_csv(papers)))
    assert rows[1:] == [paper_row(p) for p in papers]
    assert [row[1] for row in rows[1:]] == [t or "t" for t in texts]


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"real listings not found at {SEEDS} (../shared is absent)")
def test_every_real_paper_round_trips() -> None:
    from broadsheet.sources.loader import load_listings

    papers = load_listings([str(SEEDS)]).papers
    rows = read_back("".join(write_csv(papers)))
    assert rows[0] == list(COLUMNS)
    assert len(rows) == len(papers) + 1
    for paper, row in zip(papers, rows[1:], strict=True):
        record = dict(zip(COLUMNS, row, strict=True))
        assert record["key"] == paper.key
        assert record["title"] == paper.title
        assert record["abstract"] == paper.abstract
        assert record["authors_count"] == ("" if paper.authors_count is None else str(paper.authors_count))
        assert record["published"] == (paper.published.date.isoformat() if paper.published else "")
    assert len({row[0] for row in rows[1:]}) == len(papers)
