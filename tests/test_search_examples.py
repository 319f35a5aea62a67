"""Matching by example: typos, prefixes, phrases, exclusions, OR, fields, status, building."""

from __future__ import annotations

import datetime as dt

import pytest

from broadsheet.model import Organization, Paper, Published
from broadsheet.search import QueryError, SearchIndex, SearchResult, StatusLookup, bits


def paper(title: str, abstract: str = "", **extra) -> Paper:
    day = extra.pop("day", None)
    if day is not None:
        extra["published"] = Published(dt.date(2024, 1, 1) + dt.timedelta(days=day))
    return Paper(title=title, abstract=abstract, **extra)


def rows_of(index: SearchIndex, text: str, **kwargs) -> list[int]:
    result = index.search(text, **kwargs)
    assert isinstance(result, SearchResult), result
    return result.rows


@pytest.fixture(scope="module")
def library() -> list[Paper]:
    return [
        paper(
            "Attention Is All You Need",
            "The Transformer, a model architecture.",
            day=10,
            upvotes=100,
            organization=Organization("google", "Google Brain"),
            authors_count=8,
        ),
        paper(
            "Denoising Diffusion Probabilistic Models",
            "Image synthesis with diffusion models.",
            day=20,
            upvotes=50,
            authors=("Ho", "Jain", "Abbeel"),
        ),
        paper(
            "Mamba: Linear-Time Sequence Modeling",
            "Transformers are slow; selective state space models.",
            day=30,
            upvotes=80,
            ai_summary="A state-of-the-art SSM beating transformers.",
        ),
        paper("LLM agents: a survey", "Large language model based agents and agentic workflows.", upvotes=None),
        paper(
            "Graph neural networks",
            "Message passing on graphs.",
            day=5,
            upvotes=3,
            organization=Organization("deepmind", "Google DeepMind"),
        ),
    ]


@pytest.fixture(scope="module")
def index(library: list[Paper]) -> SearchIndex:
    return SearchIndex.build(library)


def test_typos_within_allowance(index: SearchIndex) -> None:
    assert set(rows_of(index, "transfromer ")) == {0, 2}  # swapped letters count once
    assert set(rows_of(index, "grpah ")) == {4}
    assert set(rows_of(index, "modle ")) == {0, 3}  # model; "models" is two edits away
    assert set(rows_of(index, "modle")) == {0, 1, 2, 3}  # being typed: "model" is a prefix of models
    assert rows_of(index, "gaph ") == [4]  # 4 letters: one typo
    assert rows_of(index, "grph ") == [4]
    assert rows_of(index, "lm ") == []  # 3 letters or fewer: exact only
    assert rows_of(index, "tronsfremer ") == []  # 2 typos in 11 letters is fine... but 3 is not
    assert set(rows_of(index, "tronsformer ")) == {0, 2}


@pytest.mark.parametrize(
    ("typed", "title"),
    [
        ("transfomer", "Attention Is All You Need: the Transformer"),  # a letter missing
        ("lroa", "LoRA: Low-Rank Adaptation of Large Language Models"),  # two letters swapped
        ("quantizaton", "GPTQ: Accurate Post-Training Quantization"),  # a letter missing, 12 letters
    ],
)
@pytest.mark.parametrize("finished", [True, False])  # a finished word, and the word being typed
def test_the_issues_typo_examples(typed: str, title: str, finished: bool) -> None:
    papers = [
        paper(title, "An abstract about something else entirely."),
        paper("Unrelated: Graph Neural Networks", "Message passing on graphs."),
    ]
    found = rows_of(SearchIndex.build(papers), typed + (" " if finished else ""))
    assert found == [0]
    spans = SearchIndex.build(papers).highlights(0, typed).title
    word = title.lower().index(typed[:2] if typed != "lroa" else "lora")
    assert any(start <= word < end for start, end in spans)  # and the word is what is highlighted


def test_the_word_being_typed_is_a_prefix(index: SearchIndex) -> None:
    assert set(rows_of(index, "age")) == {3}
    assert rows_of(index, "age ") == []
    assert set(rows_of(index, "diff")) == {1}
    assert set(rows_of(index, "agentc")) == {3}  # prefix with a typo
    assert rows_of(index, "-agen") == [2, 1, 0, 4, 3]  # exclusions are never prefixes: nothing excluded


def test_phrases_and_exclusions(index: SearchIndex) -> None:
    assert rows_of(index, '"state space"') == [2]
    assert rows_of(index, '"space state"') == []
    assert rows_of(index, "state-of-the-art") == [2]
    assert rows_of(index, "state-of-the-a") == [2]  # being typed: last word a prefix
    assert rows_of(index, '"transformer"') == [0]  # quoted: exact word, no plural
    assert set(rows_of(index, "-transformer")) == {1, 3, 4}
    assert set(rows_of(index, '-"diffusion models"')) == {0, 2, 3, 4}


def test_or_and_parentheses(index: SearchIndex) -> None:
    assert set(rows_of(index, "mamba OR attention")) == {0, 2}
    assert set(rows_of(index, "(mamba OR attention) need")) == {0}
    assert set(rows_of(index, "-(mamba OR attention)")) == {1, 3, 4}


def test_fields(index: SearchIndex) -> None:
    assert rows_of(index, "title:transformer") == []
    assert set(rows_of(index, "abstract:transformer")) == {0, 2}
    assert rows_of(index, "abstract:ssm") == [2]  # the AI summary counts as abstract
    assert rows_of(index, "org:google") == [0, 4]  # newest first
    assert rows_of(index, "org:deepmind") == [4]
    assert rows_of(index, 'org:"google brain"') == [0]
    assert rows_of(index, "upvotes:>60") == [2, 0]
    assert rows_of(index, "upvotes:3..50") == [1, 4]
    assert rows_of(index, "authors:>5") == [0]
    assert rows_of(index, "authors:3") == [1]  # from the listed authors
    assert rows_of(index, "year:2024") == [2, 1, 0, 4]
    assert rows_of(index, "date:2024-01-10..2024-01-25") == [1, 0]
    assert rows_of(index, "date:..2024-01-06") == [4]


def test_status_filters_use_the_callback(index: SearchIndex) -> None:
    asked: list[str] = []

    def is_read(key: str) -> bool:
        asked.append(key)
        return key == index.papers[2].key

    status = StatusLookup(is_read=is_read, is_starred=lambda key: key == index.papers[0].key)
    assert rows_of(index, "is:read", status=status) == [2]
    assert rows_of(index, "is:unread", status=status) == [1, 0, 4, 3]
    assert rows_of(index, "is:starred", status=status) == [0]
    asked.clear()
    assert rows_of(index, "mamba is:unread", status=status) == []
    assert len(asked) <= 1  # only the papers still in the running are asked about
    assert rows_of(index, "is:read") == []  # no lookup: nothing read or starred
    assert len(rows_of(index, "is:unread")) == 5


def test_empty_corpus_and_empty_query() -> None:
    empty = SearchIndex.build([])
    assert rows_of(empty, "") == []
    assert rows_of(empty, "anything sort:upvotes") == []
    assert rows_of(SearchIndex.build([paper("x")]), "") == [0]


def test_a_malformed_query_returns_the_error(index: SearchIndex) -> None:
    error = index.search('llm "open')
    assert error == QueryError("unclosed quote", 4)
    assert list(index.search_steps('llm "open'))[-1] == error


def test_long_words_with_typos(library: list[Paper]) -> None:
    long_word = "supercalifragilisticexpialidociousness"
    index = SearchIndex.build(library + [paper(long_word)])
    assert rows_of(index, long_word[:-3] + "xyz ") == []
    assert rows_of(index, long_word[:20] + "x" + long_word[21:] + " ") == [5]
    assert rows_of(index, long_word[:30]) == [5]


def test_frequent_terms_are_bitsets_and_rare_ones_slot_lists() -> None:
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
    papers = [
        paper(f"t{i} {words[i % 8]}", " ".join([words[(i * j) % 8] for j in range(1, 1 + i % 7)] + [f"r{i % 50}"]))
        for i in range(300)
    ]
    index = SearchIndex.build(papers)
    assert index.body.dense and len(index.body.postings)  # both representations are exercised
    for term_id, term in enumerate(index.vocab.terms):
        expected = {s for s, row in enumerate(index.slot_to_row) if term in papers[row].abstract.split()}
        assert set(bits.to_slots(index.body.term(term_id))) == expected


def test_build_reports_progress_and_can_be_cancelled(library: list[Paper]) -> None:
    from broadsheet.search import BuildCancelled

    seen: list[tuple[int, int]] = []
    SearchIndex.build(library * 1, progress=lambda done, total: seen.append((done, total)))
    assert seen[0][0] == 0 and seen[-1][0] == seen[-1][1]
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    with pytest.raises(BuildCancelled):
        SearchIndex.build(library, should_cancel=lambda: True)


def test_title_only_index(library: list[Paper]) -> None:
    titles = SearchIndex.build_titles(library)
    assert not titles.complete
    result = titles.search("transformer")
    assert isinstance(result, SearchResult) and not result.complete and result.rows == []
    assert titles.search("mamba").rows == [2]
    assert titles.search("abstract:slow").rows == []


def test_status_version_caches_until_it_changes(index: SearchIndex) -> None:
    read = {index.papers[0].key}
    calls: list[str] = []

    def is_read(key: str) -> bool:
        calls.append(key)
        return key in read

    first = index.search("is:unread", status=StatusLookup(is_read=is_read, version=1))
    asked = len(calls)
    again = index.search("is:unread t", status=StatusLookup(is_read=is_read, version=1), previous=first)
    assert len(calls) == asked  # same version: no new lookups
    assert again.narrowed
    read.add(index.papers[1].key)
    stale = index.search("is:unread", status=StatusLookup(is_read=is_read, version=1))
    assert 1 in stale.rows  # the caller broke the promise: the old answer is reused
    fresh = index.search("is:unread", status=StatusLookup(is_read=is_read, version=2), previous=first)
    assert not fresh.narrowed and 0 not in fresh.rows and 1 not in fresh.rows


def test_deep_nesting_is_an_error_not_a_crash(index: SearchIndex) -> None:
    for text in ["(" * 500 + "a" + ")" * 500, "-" * 2000 + "a", "(" * 31 + "a" + ")" * 31]:
        outcome = index.search(text)
        assert isinstance(outcome, (SearchResult, QueryError))


def test_key_lookups_are_made_in_steps_and_find_every_paper(monkeypatch: pytest.MonkeyPatch) -> None:
    from broadsheet.search import index as index_module

    monkeypatch.setattr(index_module, "_KEYS_PER_STEP", 3)
    papers = [paper(f"Paper {i}", day=i % 4) for i in range(10)]
    index = SearchIndex.build(papers)
    steps = index.slot_of_key_steps()
    yields = 0
    try:
        while True:
            next(steps)
            yields += 1
    except StopIteration as done:
        lookup = done.value
    assert yields >= 2 * 4  # keys in slot order, then the lookup: 4 chunks of 3 each
    assert lookup == {papers[row].key: slot for slot, row in enumerate(index.slot_to_row)}
    starred = {papers[1].key, papers[6].key}
    status = StatusLookup(starred=starred, is_starred=starred.__contains__)
    assert sorted(rows_of(index, "is:starred", status=status)) == [1, 6]


def test_short_prefix_ranges_are_every_one_and_two_letter_prefix() -> None:
    from broadsheet.search.vocab import Vocabulary

    def naive(vocab: Vocabulary) -> list[tuple[int, int]]:
        prefixes = sorted({term[:size] for term in vocab.terms for size in (1, 2)})
        return [vocab.prefix_range(prefix) for prefix in prefixes]

    vocab = Vocabulary(sorted({"a", "ab", "abc", "ac", "b", "ba", "c", "cd", "ce", "é", "éa", "日本", "xy"}))
    assert vocab.short_prefix_ranges() == naive(vocab)
    # a term holding U+10FFFF sorts past its prefix's range: the hops still end, covering the same
    odd = Vocabulary(sorted({"x", "xy", "x\U0010ffff", "x\U0010ffffz", "\U0010ffff", "\U0010ffffa"}))
    assert set(odd.short_prefix_ranges()) == set(naive(odd))


def test_every_sort_order_is_a_plain_sort_with_ties_by_slot() -> None:
    import functools
    import random

    from broadsheet.model import UpvoteSample, upvote_growth

    rng = random.Random(5)
    start = dt.date(2024, 3, 1)
    papers = []
    for i in range(400):
        votes = rng.choice([None, 0, 3, 3, 7, 12])
        seen = [
            UpvoteSample(start + dt.timedelta(days=d), v)
            for d, v in ((0, 1), (rng.choice([1, 2, 4]), rng.choice([2, 5, 9])))
        ]
        papers.append(
            paper(
                rng.choice(["Alpha", "alpha", "Beta", "ÄLPHA", "beta", "Gamma"]) + ("" if i % 3 else f" {i % 5}"),
                day=rng.choice([None, 1, 2, 3]),
                upvotes=votes,
                upvote_history=tuple(seen) if i % 4 else (),
                key=f"k{i:03}",
            )
        )
    index = SearchIndex.build(papers)
    rows, n = index.slot_to_row, len(papers)
    titles = [papers[row].title.casefold() for row in rows]
    days = [papers[row].published.date if papers[row].published else None for row in rows]
    number = {
        "upvotes": [papers[row].upvotes for row in rows],
        "trending": [upvote_growth(papers[row]) for row in rows],
    }

    def by(values: list, descending: bool) -> list[int]:
        """Known values first (ascending or descending), ties by slot; unknown ones last, by slot."""

        def compare(a: int, b: int) -> int:
            x, y = values[a], values[b]
            if x != y:
                return (-1 if x < y else 1) * (-1 if descending else 1)
            return a - b

        known = sorted((s for s in range(n) if values[s] is not None), key=functools.cmp_to_key(compare))
        return known + [s for s in range(n) if values[s] is None]

    expected = {
        "date": list(range(n)),
        "-date": by(days, descending=False),
        "title": by(titles, descending=False),
        "-title": by(titles, descending=True),
        "upvotes": by(number["upvotes"], descending=True),
        "-upvotes": by(number["upvotes"], descending=False),
        "trending": by(number["trending"], descending=True),
        "-trending": by(number["trending"], descending=False),
    }
    for name in ("-title", "trending", "-date", "upvotes", "title", "-upvotes", "-trending", "date"):
        assert list(index.facets.order(name).slots) == expected[name], name
