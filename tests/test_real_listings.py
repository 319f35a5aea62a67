"""The real listings in ../shared: every field right. Skips when ../shared is absent."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from broadsheet.model import Organization, Published
from broadsheet.sources.loader import load_listings

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"real listings not found at {SEEDS} (../shared is absent)")


@pytest.fixture(scope="module")
def listings():  # type: ignore[no-untyped-def]
    return load_listings([str(SEEDS)])


def test_four_seeds_give_282_entries_and_270_papers(listings) -> None:  # type: ignore[no-untyped-def]
    assert len(listings.files) == 4
    assert listings.entries == 282
    assert len(listings.papers) == 270
    assert listings.warnings == []


def by_title(listings, title: str):  # type: ignore[no-untyped-def]
    [paper] = [p for p in listings.papers if p.title == title]
    return paper


def test_authors_date_with_year(listings) -> None:  # type: ignore[no-untyped-def]
    paper = by_title(listings, "LLM-Pruner: On the Structural Pruning of Large Language Models")
    assert paper.authors_count == 3
    assert paper.published == Published(dt.date(2023, 5, 19), year_inferred=False)
    assert paper.upvotes is None
    assert paper.abstract.startswith("Large language models (LLMs) have shown remarkable")
    assert paper.abstract.endswith("https://github.com/horseee/LLM-Pruner")


def test_yearless_date_with_upvotes_resolves_to_page_year(listings) -> None:  # type: ignore[no-untyped-def]
    paper = by_title(listings, "Attention Mechanisms Perspective: Exploring LLM Processing of Graph-Structured Data")
    assert paper.authors_count == 5
    assert paper.published == Published(dt.date(2025, 5, 4), year_inferred=True)
    assert paper.upvotes == 1


def test_organization_lines(listings) -> None:  # type: ignore[no-untyped-def]
    google = by_title(listings, "Extracting alignment data in open models")
    assert google.organization == Organization("google", "Google")
    assert google.published == Published(dt.date(2025, 10, 21), year_inferred=True)
    assert google.upvotes == 5
    naver = by_title(listings, "AdamP: Slowing Down the Slowdown for Momentum Optimizers on Scale-invariant Weights")
    assert naver.organization == Organization("naver-ai", "NAVER AI Lab")
    assert naver.published == Published(dt.date(2020, 6, 15), year_inferred=False)


def test_paper_without_metadata_in_one_dump_keeps_it_from_another(listings) -> None:  # type: ignore[no-untyped-def]
    multi = [p for p in listings.papers if len(p.sources) > 1]
    assert len(multi) == 12
    files = {Path(s.file).name[:3] for p in multi for s in p.sources}
    assert "003" in files
    from_003 = [p for p in multi if any(Path(s.file).name.startswith("003") for s in p.sources)]
    assert any(p.published is not None for p in from_003)


def test_every_paper_has_title_and_abstract(listings) -> None:  # type: ignore[no-untyped-def]
    for paper in listings.papers:
        assert paper.title and len(paper.title) < 300
        assert len(paper.abstract) > 500
        assert paper.key.startswith("title:")
