"""The paper record: keys, normalisation and merging of sightings."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import string
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from broadsheet.model import (
    Organization,
    Paper,
    Published,
    Source,
    dedupe,
    make_key,
    merge,
    normalize_arxiv_id,
    normalize_title,
    paper_from_fields,
)


def test_title_key_collapses_case_punctuation_and_space() -> None:
    assert normalize_title("  LLM-Pruner:  On the  Structural\tPruning ") == "llm pruner on the structural pruning"
    assert make_key("E^2-LLM: Fast?") == "title:e 2 llm fast"


@given(st.text(alphabet=string.printable + "\x00\x1c\x7f", max_size=40))
def test_ascii_titles_fold_as_the_rule_for_all_titles_does(title: str) -> None:
    # the byte table for ASCII titles is a shortcut: NFKC, casefold and \W give the same
    folded = unicodedata.normalize("NFKC", title).casefold()
    assert normalize_title(title) == " ".join(re.sub(r"[\W_]+", " ", folded).split())
    assert normalize_title(title) == re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()  # the old shortcut


def test_a_paper_found_again_by_an_explicit_key_merges_by_its_title_too() -> None:
    first = Paper(title="Same: Title", key="custom:1", sources=(Source("a", 1),))
    again = Paper(title="same title", sources=(Source("b", 2),))
    [one] = dedupe([first, again])
    assert one.key == "custom:1" and one.sources == (Source("a", 1), Source("b", 2))


def test_arxiv_key_strips_version() -> None:
    assert normalize_arxiv_id("2410.17243v2") == "2410.17243"
    assert normalize_arxiv_id("arXiv:2410.17243") == "2410.17243"
    assert normalize_arxiv_id("hep-th/9901001v1") == "hep-th/9901001"
    assert normalize_arxiv_id("not an id") is None
    assert Paper(title="T", arxiv_id="2410.17243").key == "arxiv:2410.17243"


def test_paper_from_fields_makes_the_paper_the_constructor_makes() -> None:
    values = dict(
        title="T: a [bold] title",
        abstract="An abstract.",
        ai_summary="A summary.",
        authors=("A. One", "B. Two"),
        authors_count=2,
        organization=Organization("org", "Org"),
        published=Published(dt.date(2024, 5, 1), True),
        upvotes=7,
        arxiv_id="2405.00001",
        urls=("https://arxiv.org/abs/2405.00001",),
        sources=(Source("f.txt", 3),),
        key="arxiv:2405.00001",
        upvote_history=(),
    )
    assert list(values) == [f.name for f in dataclasses.fields(Paper)]  # the order it takes them in
    made = paper_from_fields(*values.values())
    assert type(made) is Paper and made == Paper(**values) and hash(made) == hash(Paper(**values))
    with pytest.raises(AttributeError):
        made.title = "B"  # type: ignore[misc]


def test_paper_is_immutable() -> None:
    paper = Paper(title="A")
    try:
        paper.title = "B"  # type: ignore[misc]
    except AttributeError:
        return
    raise AssertionError("Paper must be frozen")


def test_merge_keeps_richer_fields_and_all_sources() -> None:
    bare = Paper(title="A paper", abstract="short", sources=(Source("a.txt", 1),))
    rich = Paper(
        title="A Paper",
        abstract="a longer abstract",
        authors_count=3,
        organization=Organization("google", "Google"),
        published=Published(dt.date(2024, 5, 1)),
        upvotes=7,
        sources=(Source("b.txt", 9),),
    )
    merged = merge(bare, rich)
    assert merged.abstract == "a longer abstract"
    assert merged.authors_count == 3
    assert merged.organization == Organization("google", "Google")
    assert merged.published == Published(dt.date(2024, 5, 1))
    assert merged.upvotes == 7
    assert merged.sources == (Source("a.txt", 1), Source("b.txt", 9))
    assert merged.key == bare.key


def test_explicit_year_beats_inferred_and_upvotes_take_the_max() -> None:
    a = Paper(title="X", published=Published(dt.date(2025, 1, 2), year_inferred=True), upvotes=9)
    b = Paper(title="X", published=Published(dt.date(2024, 1, 2)), upvotes=3)
    merged = merge(a, b)
    assert merged.published == Published(dt.date(2024, 1, 2), False)
    assert merged.upvotes == 9


def test_dedupe_moves_a_title_keyed_paper_to_its_arxiv_key() -> None:
    by_title = Paper(title="Attention Is All You Need", sources=(Source("a", 1),))
    by_id = Paper(title="Attention is all you need", arxiv_id="1706.03762", sources=(Source("b", 2),))
    [one] = dedupe([by_title, by_id])
    assert one.key == "arxiv:1706.03762"
    assert len(one.sources) == 2
    # and the other way round
    [two] = dedupe([by_id, by_title])
    assert two.key == "arxiv:1706.03762"


def test_dedupe_keeps_same_title_different_ids_apart() -> None:
    a = Paper(title="Survey", arxiv_id="2401.00001")
    b = Paper(title="Survey", arxiv_id="2401.00002")
    assert len(dedupe([a, b])) == 2


def test_display_authors() -> None:
    assert Paper(title="t", authors=("A", "B")).display_authors == "A, B"
    assert Paper(title="t", authors_count=1).display_authors == "1 author"
    assert Paper(title="t", authors_count=4).display_authors == "4 authors"
    assert Paper(title="t").display_authors == ""
