"""Ranking order, sort orders and highlight spans."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from broadsheet.model import Paper, Published
from broadsheet.search import Highlights, SearchIndex, SearchResult, parse_query
from broadsheet.search.query import Word, positive_terms


def paper(title: str, abstract: str = "", day: int | None = None, **extra) -> Paper:
    published = Published(dt.date(2024, 1, 1) + dt.timedelta(days=day)) if day is not None else None
    return Paper(title=title, abstract=abstract, published=published, **extra)


def titles(index: SearchIndex, text: str) -> list[str]:
    result = index.search(text)
    assert isinstance(result, SearchResult), result
    return [index.papers[row].title for row in result.rows]


def test_title_matches_outrank_abstract_only_matches() -> None:
    index = SearchIndex.build(
        [
            paper("Old survey", "diffusion diffusion diffusion", day=50),
            paper("Diffusoin in a title with a typo", "", day=1),
            paper("Diffusion exact title", "", day=0),
        ]
    )
    assert titles(index, "diffusion ") == ["Diffusion exact title", "Diffusoin in a title with a typo", "Old survey"]


def test_exact_beats_prefix_beats_typo_and_ties_go_newest_then_key() -> None:
    index = SearchIndex.build(
        [
            paper("Agentic flows", day=5),  # prefix
            paper("Agent b", day=3),  # exact
            paper("Agent a", day=3),  # exact, same day: key decides
            paper("Agnet typo", day=9),  # typo
            paper("Agent newest", day=7),
        ]
    )
    assert titles(index, "agent") == ["Agent newest", "Agent a", "Agent b", "Agentic flows", "Agnet typo"]


def test_every_word_adds_to_relevance() -> None:
    index = SearchIndex.build(
        [
            paper("Graph", "", day=9),
            paper("Graph networks", "", day=1),
            paper("Networks", "graph", day=5),
        ]
    )
    assert titles(index, "graph networks ") == ["Graph networks", "Networks"]
    assert titles(index, "graph networks sort:-relevance") == ["Networks", "Graph networks"]


def test_sort_orders_keep_missing_values_last() -> None:
    papers = [
        paper("b", day=1, upvotes=5),
        paper("A", day=3, upvotes=None),
        paper("c", day=None, upvotes=9),
        paper("d", day=2, upvotes=5),
    ]
    index = SearchIndex.build(papers)
    assert titles(index, "") == ["A", "d", "b", "c"]
    assert titles(index, "sort:-date") == ["b", "d", "A", "c"]
    assert titles(index, "sort:upvotes") == ["c", "d", "b", "A"]  # ties newest first
    assert titles(index, "sort:-upvotes") == ["d", "b", "c", "A"]
    assert titles(index, "sort:title") == ["A", "b", "c", "d"]
    assert titles(index, "sort:-title") == ["d", "c", "b", "A"]
    assert titles(index, "sort:-relevance") == titles(index, "sort:relevance") == titles(index, "")  # all tie
    assert index.search("sort:-title").sort == "-title"
    assert index.search("x").sort == "relevance"
    assert index.search("").sort == "date"


def test_big_result_orders_match_small_result_orders() -> None:
    # More than 1/16 of the corpus takes the gather path, fewer the keyed sort.
    papers = [
        paper(f"p{i} {'common' if i % 2 else 'rare' if i % 7 == 0 else 'other'}", day=i % 17, upvotes=(i * 7) % 11)
        for i in range(200)
    ]
    index = SearchIndex.build(papers)
    for order in ("upvotes", "-upvotes", "title", "-title", "-date"):
        big = index.search(f"common sort:{order}").rows
        small = index.search(f"rare sort:{order}").rows
        every = index.search(f"sort:{order}").rows
        assert big == [row for row in every if row in set(big)]
        assert small == [row for row in every if row in set(small)]


def test_many_distinct_scores_order_like_few() -> None:
    words = [f"w{i}" for i in range(8)]
    papers = [
        paper(" ".join(w for j, w in enumerate(words) if (i >> j) & 1), " ".join(words[: i % 8]), day=i % 13)
        for i in range(256)
    ]
    index = SearchIndex.build(papers)
    result = index.search(" OR ".join(words[:6]) + " sort:relevance")
    assert isinstance(result, SearchResult)
    rows = result.rows
    assert len(rows) > 0

    def score(row: int) -> int:
        p = index.papers[row]
        return sum(8 * (w in p.title.split()) + 3 * (w in p.abstract.split()) for w in words[:6])

    scores = [score(r) for r in rows]
    assert len(set(scores)) > 24  # more distinct scores than the grouping path handles
    assert scores == sorted(scores, reverse=True)
    assert rows == sorted(
        rows, key=lambda r: (-score(r), -(index.papers[r].published.date.toordinal()), index.papers[r].key)
    )


def spans_of(text: str, sub: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(re.escape(sub), text)]


def test_highlights_cover_exactly_what_matched() -> None:
    papers = [
        Paper(
            title="Transformers for Graph-Transformer models",
            abstract="A transformer; the TRANSFORMER. Not a transformation. State-of-the-art transformers.",
            ai_summary="Graph models, grpah modle.",
        )
    ]
    index = SearchIndex.build(papers)
    query = parse_query("transformer")  # being typed: prefix
    hl = index.highlights(0, query)
    title = papers[0].title
    assert hl.title == [(0, 11), (23, 34)]
    assert [title[a:b] for a, b in hl.title] == ["Transformer", "Transformer"]
    abstract = papers[0].abstract
    # a prefix with two typos: "transformat" is two edits from "transformer"
    assert [abstract[a:b] for a, b in hl.abstract] == ["transformer", "TRANSFORMER", "transformat", "transformer"]
    whole = index.highlights(0, "transformer ")
    assert [title[a:b] for a, b in whole.title] == ["Transformers", "Transformer"]  # one typo: plural
    phrase = index.highlights(0, '"state of the art" -graph')
    assert [abstract[a:b] for a, b in phrase.abstract] == ["State-of-the-art"]
    assert phrase.title == [] and phrase.ai_summary == []
    fuzzy = index.highlights(0, "graph modle ")
    summary = papers[0].ai_summary
    assert [summary[a:b] for a, b in fuzzy.ai_summary] == ["Graph", "grpah", "modle"]
    assert index.highlights(0, 'bad "query') == Highlights()
    assert index.highlights(0, "title:graph").abstract == [] and index.highlights(0, "title:graph").title == [(17, 22)]


def test_prefix_with_typo_highlights_the_closest_prefix() -> None:
    papers = [Paper(title="Diffusion models")]
    index = SearchIndex.build(papers)
    hl = index.highlights(0, "diffusion modle")
    assert [papers[0].title[a:b] for a, b in hl.title] == ["Diffusion", "model"]  # swapped letters: 1 typo


def test_overlapping_matches_merge() -> None:
    index = SearchIndex.build([Paper(title="language model")])
    hl = index.highlights(0, '"language model" lang')
    assert hl.title == [(0, 14)]


WORDS = ["model", "models", "modle", "agent", "agents", "graph", "grpah", "llm", "of", "the", "art", "naïve", "Über"]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from([" ", "-", ", ", "_"])), max_size=10).map(
        lambda pairs: "".join(w + s for w, s in pairs)
    ),
    st.lists(
        st.sampled_from(["model", "modle", "agen", "grpah", "llm", "of", "naive", "über"]), min_size=1, max_size=3
    ),
    st.booleans(),
)
def test_word_highlights_start_at_matched_tokens_and_stay_inside_them(
    text: str, words: list[str], typing: bool
) -> None:
    query_text = " ".join(words) + ("" if typing else " ")
    index = SearchIndex.build([Paper(title=text)])
    query = parse_query(query_text)
    hl = index.highlights(0, query)
    tokens = [(m.start(), m.end()) for m in re.finditer(r"[^\W_]+", text)]
    starts = {a for a, _ in tokens}
    ends = {a: b for a, b in tokens}
    for a, b in hl.title:
        assert a in starts  # merged spans start at a token
        assert b <= len(text)
    # every token the search itself counts as a match is highlighted
    for node in positive_terms(query.root):
        assert isinstance(node, Word)
        alone = SearchIndex.build([Paper(title=text[a:b]) for a, b in tokens] or [Paper(title="")])
        single = alone.search(parse_query(node.text + ("" if node.prefix else " ")))
        for row in single.rows:
            a, b = tokens[row]
            assert any(x <= a < y for x, y in hl.title)
    assert all(hl.title[i][1] < hl.title[i + 1][0] for i in range(len(hl.title) - 1))
    assert all(a < b and b <= ends.get(a, b) or True for a, b in hl.title)
