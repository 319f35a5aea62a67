"""The Hugging Face papers API JSON: a real daily_papers sample plus small fixtures for drift."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from broadsheet.export.json_lines import write_json
from broadsheet.model import Organization, Paper, Published
from broadsheet.sources.errors import ListingError
from broadsheet.sources.hf_api import looks_like_hf_json, parse_hf_json

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sources"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
REAL_DAILY = SHARED / "fixtures" / "peers-found" / "hf-api-daily_papers-2024-10-25-first4.json"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.mark.skipif(not REAL_DAILY.exists(), reason=f"shared real-world sample not present at {REAL_DAILY}")
def test_real_daily_papers_sample() -> None:
    text = REAL_DAILY.read_text(encoding="utf-8")
    assert looks_like_hf_json(text)
    result = parse_hf_json(text, "daily.json")
    assert result.warnings == []
    assert result.entries == 4
    first = result.papers[0]
    # the outer title, without the inner title's hard wrap
    assert first.title == "Breaking the Memory Barrier: Near Infinite Batch Size Scaling for Contrastive Loss"
    assert first.arxiv_id == "2410.17243" and first.key == "arxiv:2410.17243"
    # paper.publishedAt (the arXiv date), not the outer publishedAt (featured on 2024-10-25)
    assert first.published == Published(dt.date(2024, 10, 22), year_inferred=False)
    assert first.upvotes == 64
    assert first.authors_count == 9 and first.authors[0] == "Zesen Cheng"
    assert first.abstract.startswith(
        "Contrastive loss is a powerful approach for representation learning, where larger"
    )
    assert [p.upvotes for p in result.papers] == [64, 41, 37, 35]
    assert [s.line for p in result.papers for s in p.sources] == [1, 2, 3, 4]
    for paper in result.papers:
        assert "\n" not in paper.title + paper.abstract and "  " not in paper.title + paper.abstract
        assert paper.ai_summary is None and paper.organization is None and paper.urls == ()
    assert result.papers[3].title == (
        "Unleashing Reasoning Capability of LLMs via Scalable Question Synthesis from Scratch"
    )


def test_newer_fields_nulls_and_junk_entries() -> None:
    result = parse_hf_json(fixture("hf-api-daily-new-fields.json"), "new.json")
    rich, nulls, no_id = result.papers
    assert rich.ai_summary == "Composing continual learning mechanisms reduces catastrophic forgetting."
    assert rich.organization == Organization("thinkingmachines", "Thinking Machines")
    assert rich.urls == ("https://github.com/example/composing", "https://example.org/composing")
    assert rich.authors == ("Ada Lovelace", "Alan Turing")
    assert rich.published == Published(dt.date(2026, 9, 8))
    assert rich.abstract == "Composing complementary mechanisms reduces forgetting. We show it on five benchmarks."
    # null upvotes stay unknown; the organization may sit on the outer item; a javascript: link is dropped
    assert nulls.upvotes is None
    assert nulls.organization == Organization("google", "google")
    assert nulls.urls == () and nulls.authors == () and nulls.authors_count is None
    # a non-arXiv id keeps the paper, keyed by title; a boolean is not a vote count
    assert no_id.arxiv_id is None and no_id.key == "title:a paper without an arxiv id"
    assert no_id.upvotes is None and no_id.published is None
    assert [(w.line, w.reason) for w in result.warnings] == [
        (3, "entry without a title, skipped"),
        (4, "entry is a JSON str, not an object; skipped"),
        (5, "unreadable publishedAt 'yesterday', date left out"),
    ]
    assert [s.line for p in result.papers for s in p.sources] == [1, 2, 5]
    assert result.entries == 3


def test_single_paper_object_from_api_papers_id() -> None:
    text = fixture("hf-api-paper.json")
    assert looks_like_hf_json(text)
    [paper] = parse_hf_json(text, "one.json").papers
    assert paper.title == "Breaking the Memory Barrier: Near Infinite Batch Size Scaling for Contrastive Loss"
    assert paper.upvotes == 0  # a real zero stays zero
    assert paper.published == Published(dt.date(2024, 10, 22))
    assert paper.sources[0].line == 1


def test_flat_list_from_api_papers() -> None:
    text = json.dumps(
        [{"id": "2501.00001v2", "title": "Flat", "summary": "s", "upvotes": 3, "publishedAt": "2025-01-01"}]
    )
    assert looks_like_hf_json(text)
    [paper] = parse_hf_json(text, "flat.json").papers
    assert (paper.arxiv_id, paper.upvotes, paper.published) == ("2501.00001", 3, Published(dt.date(2025, 1, 1)))


def test_malformed_json_names_the_position() -> None:
    with pytest.raises(ListingError) as caught:
        parse_hf_json(fixture("hf-api-malformed.json"), "bad.json")
    message = str(caught.value)
    assert message.startswith("bad.json: not valid JSON: ") and "line 2 column 2" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[]", "no papers (empty list)"),
        ('{"error": "Paper not found"}', "API error: Paper not found"),
        ('{"something": "else"}', "not a papers API response"),
        ("42", "JSON int, not a papers API response"),
        ("[" * 100_000 + "]" * 100_000, "JSON nested too deeply to read"),
        ('[{"paper": {"id": "2401.00001"}}]', "no papers found (entry without a title, skipped at entry 1)"),
    ],
)
def test_unusable_responses_raise_one_line_listing_errors(text: str, reason: str) -> None:
    with pytest.raises(ListingError) as caught:
        parse_hf_json(text, "x.json")
    assert caught.value.reason == reason


def test_huge_integer_is_a_listing_error_not_a_crash() -> None:
    with pytest.raises(ListingError, match="not readable JSON"):
        parse_hf_json('[{"title": "t", "upvotes": ' + "9" * 5000 + "}]", "x.json")


def test_sniffer_rejects_other_json_and_text() -> None:
    export = "".join(write_json([Paper(title="T", abstract="A", upvotes=3, arxiv_id="2401.00001")]))
    assert not looks_like_hf_json(export)  # broadsheet's own export has `upvotes` too
    assert not looks_like_hf_json('{"version": "https://jsonfeed.org/version/1.1", "items": [{"paper": {}}]}')
    assert not looks_like_hf_json("Daily Papers\n\nbyAK and the research community\n")
    assert not looks_like_hf_json("<rss/>")
    assert looks_like_hf_json("\ufeff  [ ]\n")  # a weekend's empty answer reads as "no papers"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["paper", "title", "id", "summary", "upvotes", "publishedAt", "authors", "organization"]),
            children,
            max_size=6,
        )
    ),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None)
@given(JSON_VALUES)
def test_any_json_gives_papers_or_a_listing_error(value: object) -> None:
    try:
        result = parse_hf_json(json.dumps(value), "fuzz.json")
    except ListingError as error:
        assert "\n" not in str(error)
    else:
        assert result.papers and all(p.title for p in result.papers)
