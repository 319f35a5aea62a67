"""Matching: typos, prefixes, phrases, exclusions, OR, fields, status; checked against a
brute-force reference model, including ranking order, narrowing and sliced search."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA

from broadsheet.model import Organization, Paper, Published
from broadsheet.search import Query, QueryError, SearchIndex, SearchResult, StatusLookup, parse_query
from broadsheet.search import build as build_module
from broadsheet.search.query import All, And, Not, Or, Org, Phrase, Range, Status, Word, positive_terms
from broadsheet.search.text import max_edits

TOKEN = re.compile(r"[^\W_]+")


def paper(title: str, abstract: str = "", **extra) -> Paper:
    day = extra.pop("day", None)
    if day is not None:
        extra["published"] = Published(dt.date(2024, 1, 1) + dt.timedelta(days=day))
    return Paper(title=title, abstract=abstract, **extra)


def rows_of(index: SearchIndex, text: str, **kwargs) -> list[int]:
    result = index.search(text, **kwargs)
    assert isinstance(result, SearchResult), result
    return result.rows


# -- a brute-force reference ---------------------------------------------------------------


def toks(text: str | None) -> list[str]:
    return [t.lower() for t in TOKEN.findall(text or "")]


def word_hit(word: Word, token: str) -> int:
    """0 no match, 3 exact, 2 prefix, 1 typo."""
    w, edits = word.text, max_edits(word.text)
    if token == w:
        return 3
    if word.prefix and token.startswith(w):
        return 2
    if edits and OSA.distance(w, token) <= edits:
        return 1
    if edits and word.prefix and any(OSA.distance(w, token[:n]) <= edits for n in range(1, len(token) + 1)):
        return 1
    return 0


def phrase_in(words: tuple[str, ...], prefix: bool, tokens: list[str]) -> bool:
    m = len(words)
    for i in range(len(tokens) - m + 1):
        head = tokens[i : i + m - 1] == list(words[:-1])
        last = tokens[i + m - 1]
        if head and (last == words[-1] or (prefix and last.startswith(words[-1]))):
            return True
    return False


def texts_of(p: Paper, field: str, complete: bool) -> list[list[str]]:
    out = []
    if field in ("any", "title"):
        out.append(toks(p.title))
    if field in ("any", "abstract") and complete:
        out += [toks(p.abstract), toks(p.ai_summary)]
    return out


def authors_of(p: Paper) -> int | None:
    return p.authors_count if p.authors_count is not None else (len(p.authors) if p.authors else None)


def ref_match(node, p: Paper, starred: set[str], read: set[str], complete: bool = True) -> bool:
    if isinstance(node, All):
        return True
    if isinstance(node, Word):
        return any(word_hit(node, t) for ts in texts_of(p, node.field, complete) for t in ts)
    if isinstance(node, Phrase):
        return any(phrase_in(node.words, node.prefix, ts) for ts in texts_of(p, node.field, complete))
    if isinstance(node, Org):
        org = p.organization
        return org is not None and (
            node.value in org.id.casefold() or node.value in " ".join(org.name.casefold().split())
        )
    if isinstance(node, Status):
        return {"starred": p.key in starred, "read": p.key in read, "unread": p.key not in read}[node.status]
    if isinstance(node, Range):
        if node.field == "date":
            value = p.published.date.toordinal() if p.published else None
        elif node.field == "upvotes":
            value = p.upvotes
        else:
            value = authors_of(p)
        return (
            value is not None and (node.low is None or value >= node.low) and (node.high is None or value <= node.high)
        )
    if isinstance(node, Not):
        return not ref_match(node.child, p, starred, read, complete)
    if isinstance(node, And):
        return all(ref_match(c, p, starred, read, complete) for c in node.children)
    if isinstance(node, Or):
        return any(ref_match(c, p, starred, read, complete) for c in node.children)
    raise AssertionError(node)


def ref_score(query: Query, p: Paper, complete: bool = True) -> int:
    score = 0
    for node in list(positive_terms(query.root))[:20]:
        fields = [("title", (0, 5, 7, 8)), ("abstract", (0, 1, 2, 3))]
        for field, weights in fields:
            if node.field not in ("any", field):
                continue
            texts = texts_of(p, field, complete)
            if isinstance(node, Word):
                score += weights[max((word_hit(node, t) for ts in texts for t in ts), default=0)]
            elif any(phrase_in(node.words, node.prefix, ts) for ts in texts):
                score += weights[3]
    return min(score, 255)


def slot_key(p: Paper) -> tuple:
    return (p.published is None, -(p.published.date.toordinal() if p.published else 0), p.key)


def ref_rows(papers: list[Paper], query: Query, starred=frozenset(), read=frozenset(), complete=True) -> list[int]:
    hits = [i for i, p in enumerate(papers) if ref_match(query.root, p, set(starred), set(read), complete)]
    slot = {i: rank for rank, i in enumerate(sorted(range(len(papers)), key=lambda i: slot_key(papers[i])))}
    sort = query.sort or ("relevance" if query.has_terms else "date")
    rev = query.reverse
    if sort == "relevance":
        return sorted(hits, key=lambda i: ((1 if rev else -1) * ref_score(query, papers[i], complete), slot[i]))
    if sort == "date":
        if not rev:
            return sorted(hits, key=lambda i: slot[i])
        return sorted(
            hits,
            key=lambda i: (
                papers[i].published is None,
                papers[i].published.date if papers[i].published else 0,
                papers[i].key,
            ),
        )
    if sort == "upvotes":
        sign = 1 if rev else -1
        return sorted(hits, key=lambda i: (papers[i].upvotes is None, sign * (papers[i].upvotes or 0), slot[i]))
    titles = {i: papers[i].title.casefold() for i in hits}
    ordered = sorted(hits, key=lambda i: slot[i])
    return sorted(ordered, key=titles.__getitem__, reverse=rev)


# -- hypothesis corpora and queries ------------------------------------------------------------

WORDS = [
    "model",
    "models",
    "modle",
    "Model",
    "transformer",
    "transformers",
    "tranformer",
    "diffusion",
    "agent",
    "agents",
    "agentic",
    "graph",
    "grpah",
    "llm",
    "LLMs",
    "a",
    "of",
    "the",
    "state",
    "art",
    "learning",
    "lerning",
    "attention",
    "naïve",
    "Über",
    "gpt",
    "4",
    "x1",
    "reinforcement",
]
SEPARATORS = [" ", " ", " ", "-", ", ", ": ", "_", ". "]

text_strategy = st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), max_size=8).map(
    lambda pairs: "".join(w + s for w, s in pairs)
)
orgs = st.sampled_from([None, Organization("deepmind", "Google DeepMind"), Organization("meta-ai", "Meta AI")])
paper_strategy = st.builds(
    Paper,
    title=text_strategy,
    abstract=text_strategy,
    ai_summary=st.one_of(st.none(), text_strategy),
    authors_count=st.one_of(st.none(), st.integers(0, 12)),
    organization=orgs,
    published=st.one_of(
        st.none(), st.integers(0, 800).map(lambda d: Published(dt.date(2023, 1, 1) + dt.timedelta(days=d)))
    ),
    upvotes=st.one_of(st.none(), st.integers(0, 30)),
)


def unique_keys(papers: list[Paper]) -> list[Paper]:
    seen: set[str] = set()
    out = []
    for p in papers:
        if p.key not in seen:
            seen.add(p.key)
            out.append(p)
    return out


corpus_strategy = st.lists(paper_strategy, max_size=25).map(unique_keys)
QUERY_WORDS = [
    "model",
    "modle",
    "mod",
    "transfromer",
    "tranformer",
    "agen",
    "agent",
    "grpah",
    "graph",
    "llm",
    "lerning",
    "learning",
    "naive",
    "naïve",
    "über",
    "gpt-4",
    "state-of-the-art",
    "a",
    "of",
    "x1",
    "reinforcment",
    "reinforcement",
]
QUERY_PIECES = QUERY_WORDS + [
    '"language model"',
    '"of the"',
    '"model"',
    "OR",
    "-",
    "(",
    ")",
    "title:",
    "abstract:",
    "org:deep",
    "org:meta",
    "is:starred",
    "is:read",
    "is:unread",
    "year:2024",
    "year:>=2024",
    "date:2023-06..2024-02",
    "upvotes:>10",
    "upvotes:..5",
    "authors:>3",
    "sort:date",
    "sort:-date",
    "sort:upvotes",
    "sort:-upvotes",
    "sort:title",
    "sort:-title",
    "sort:-relevance",
]
query_strategy = st.lists(st.sampled_from(QUERY_PIECES), min_size=1, max_size=5).flatmap(
    lambda pieces: st.sampled_from([" ", ""]).map(lambda end: " ".join(pieces) + end)
)


def status_for(papers: list[Paper]) -> tuple[set[str], set[str]]:
    return {p.key for p in papers[::3]}, {p.key for p in papers[::2]}


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus_strategy, query_strategy, st.booleans())
def test_engine_agrees_with_brute_force(papers: list[Paper], text: str, use_sets: bool) -> None:
    query = parse_query(text)
    if isinstance(query, QueryError):
        return
    starred, read = status_for(papers)
    if use_sets:
        status = StatusLookup(starred=starred, read=read)
    else:
        status = StatusLookup(is_starred=starred.__contains__, is_read=read.__contains__)
    index = SearchIndex.build(papers)
    result = index.search(query, status=status)
    assert result.rows == ref_rows(papers, query, starred, read)
    titles = SearchIndex.build_titles(papers)
    assert titles.search(query, status=status).rows == ref_rows(papers, query, starred, read, complete=False)


FILTERS = [piece for piece in QUERY_PIECES if ":" in piece and not piece.endswith(":") and "sort" not in piece]
SORTS = [piece for piece in QUERY_PIECES if piece.startswith("sort:")]
filter_query_strategy = st.tuples(
    st.lists(st.sampled_from(FILTERS + ["-", "OR", "a", "model"]), max_size=3), st.sampled_from(SORTS + [""])
).map(lambda parts: " ".join([*parts[0], parts[1]]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus_strategy, filter_query_strategy)
def test_filters_and_sort_orders_agree_with_brute_force(papers: list[Paper], text: str) -> None:
    query = parse_query(text)
    if isinstance(query, QueryError):
        return
    starred, read = status_for(papers)
    index = SearchIndex.build(papers)
    assert index.search(query, status=StatusLookup(starred=starred, read=read)).rows == ref_rows(
        papers, query, starred, read
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus_strategy, query_strategy, st.sampled_from([None, 7]))
def test_narrowing_while_typing_equals_fresh_search(papers: list[Paper], text: str, version: int | None) -> None:
    index = SearchIndex.build(papers)
    starred, read = status_for(papers)
    status = StatusLookup(starred=starred, read=read, version=version)
    previous = None
    for end in range(1, len(text) + 1):
        typed = text[:end]
        fresh = index.search(typed, status=status)
        narrowed = index.search(typed, status=status, previous=previous)
        assert type(fresh) is type(narrowed)
        if isinstance(fresh, SearchResult):
            assert narrowed.rows == fresh.rows, typed
            previous = narrowed


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus_strategy, query_strategy)
def test_sliced_search_equals_one_shot(papers: list[Paper], text: str) -> None:
    index = SearchIndex.build(papers)
    outcome = None
    for step in index.search_steps(text, step_ms=0):
        outcome = step if step is not None else outcome
    one_shot = index.search(text)
    assert type(outcome) is type(one_shot)
    if isinstance(one_shot, SearchResult):
        assert outcome.rows == one_shot.rows and outcome.sort == one_shot.sort


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=30))
def test_any_text_searches_without_raising(text: str) -> None:
    papers = [paper("Attention is all you need", "transformer model", day=1), paper("Diffusion", "graph")]
    index = SearchIndex.build(papers)
    result = index.search(text)
    assert isinstance(result, (SearchResult, QueryError))
    if isinstance(result, SearchResult):
        for row in result.rows:
            index.highlights(row, result.query)
    assert isinstance(index.highlights(0, text), object)


# -- examples ---------------------------------------------------------------------------------


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


def test_frequent_term_path_gives_the_same_index(monkeypatch: pytest.MonkeyPatch) -> None:
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
    papers = [
        paper(f"t{i} {words[i % 8]}", " ".join(words[(i * j) % 8] for j in range(1, 1 + i % 7)), day=i % 40)
        for i in range(300)
    ]
    plain = SearchIndex.build(papers)
    monkeypatch.setattr(build_module, "HOT_MIN_PAPERS", 0)
    hot = SearchIndex.build(papers)
    assert hot.vocab.terms == plain.vocab.terms
    for term_id in range(len(plain.vocab)):
        assert hot.body.term(term_id) == plain.body.term(term_id)
    assert plain.body.dense and hot.body.dense  # both representations are exercised


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
