"""Property tests: no text crashes or hangs the parser, and the writer round-trips."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from broadsheet.model import Organization, Paper, Published
from broadsheet.sources.dump import parse_dump, write_dump
from broadsheet.sources.dump_parser import HEADER_LINES

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
SAMPLE = Path(__file__).resolve().parents[1] / "src" / "broadsheet" / "sample" / "sample.txt"

LINES = [
    "",
    "·",
    "  • 3 authors",
    "google Google",
    "May 4 1",
    "Jun 19",
    "Nov 6, 2023 7",
    "Daily Papers",
    "AI-generated summary",
    "Abstract",
]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_random_text_never_crashes(text: str) -> None:
    result = parse_dump(text, "x")
    assert result.entries == len(result.papers)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(LINES), st.text(min_size=1, max_size=500)), max_size=60))
def test_line_soup_never_crashes(lines: list[str]) -> None:
    result = parse_dump("\n".join(lines), "x")
    for paper in result.papers:
        assert paper.title and "\n" not in paper.title


def _seed_lines() -> list[str]:
    if SEEDS.is_dir():
        return (SEEDS / "000_e67c5225bb203cf2.txt").read_text(encoding="utf-8").split("\n")[:200]
    return SAMPLE.read_text(encoding="utf-8").split("\n")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_listing_never_crashes(data: st.DataObject) -> None:
    lines = _seed_lines()
    for _ in range(data.draw(st.integers(1, 8))):
        if not lines:
            break
        i = data.draw(st.integers(0, len(lines) - 1))
        op = data.draw(st.sampled_from(["drop", "dup", "swap", "truncate"]))
        if op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = data.draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            lines[i] = lines[i][: data.draw(st.integers(0, len(lines[i])))]
    text = "\n".join(lines)
    encoding = data.draw(st.sampled_from(["utf-8", "latin-1", "cp1252"]))
    redecoded = text.encode("utf-8").decode(encoding, errors="replace")
    for variant in (text, redecoded, text.replace("\n", "\r\n")):
        result = parse_dump(variant, "m")
        assert all(p.title for p in result.papers)


words = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_categories=["Cc", "Cs", "Zl", "Zp", "Zs"], exclude_characters="\ufeff"
    ),
    min_size=1,
    max_size=12,
)


@st.composite
def papers(draw: st.DrawFn) -> Paper:
    title = " ".join(draw(st.lists(words, min_size=1, max_size=12)))
    # a title that is only the middle dot is the metadata separator itself, and a first
    # paper titled like a line of page furniture ("new", "Subscribe") reads as that
    # furniture: no page has either
    assume(title != "·" and title not in HEADER_LINES)
    # real abstracts run to hundreds of characters; the parser uses that to tell them from titles
    abstract = " ".join(draw(st.lists(words.filter(lambda w: len(w) >= 3), min_size=80, max_size=100)))
    dated = draw(st.booleans())
    org = draw(
        st.one_of(
            st.none(),
            st.builds(
                Organization,
                st.from_regex(r"[a-z][a-z0-9-]{1,10}", fullmatch=True),
                st.from_regex(r"[A-Z][A-Za-z ]{0,20}[a-z]", fullmatch=True),
            ),
        )
    )
    return Paper(
        title=title,
        abstract=abstract,
        authors_count=draw(st.one_of(st.none(), st.integers(1, 500))) if dated and org is None else None,
        organization=org if dated else None,
        published=Published(draw(st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)))) if dated else None,
        upvotes=draw(st.one_of(st.none(), st.integers(0, 99999))) if dated else None,
    )


def _comparable(paper: Paper) -> tuple[object, ...]:
    return (paper.title, paper.abstract, paper.authors_count, paper.organization, paper.published, paper.upvotes)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(papers(), min_size=1, max_size=8, unique_by=lambda p: p.key))
def test_parse_of_write_gives_the_same_papers(items: list[Paper]) -> None:
    # a title that looks like page furniture cannot be told apart from it; such pages don't exist
    result = parse_dump(write_dump(items), "rt")
    assert result.warnings == []
    assert [_comparable(p) for p in result.papers] == [_comparable(p) for p in items]
