"""Matching: typos, prefixes, phrases, exclusions, OR, fields, status; checked against a
brute-force reference model, including ranking order, narrowing and sliced search."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA

from broadsheet.model import Organization, Paper, Published, UpvoteSample, merge_history
from broadsheet.search import Query, QueryError, SearchIndex, SearchResult, StatusLookup, parse_query
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


def ref_growth(p: Paper) -> float | None:
    history = sorted(p.upvote_history, key=lambda sample: sample.seen)
    if len(history) < 2 or history[0].seen == history[-1].seen:
        return None
    return (history[-1].upvotes - history[0].upvotes) / (history[-1].seen - history[0].seen).days


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
    if sort == "trending":
        sign = 1 if rev else -1
        growth = {i: ref_growth(papers[i]) for i in hits}
        return sorted(hits, key=lambda i: (growth[i] is None, sign * (growth[i] or 0), slot[i]))
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
    upvote_history=st.lists(
        st.builds(
            UpvoteSample, st.integers(0, 6).map(lambda d: dt.date(2024, 1, 1) + dt.timedelta(days=d)), st.integers(0, 9)
        ),
        max_size=3,
    ).map(lambda samples: merge_history(tuple(samples), ())),
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
    "sort:trending",
    "sort:-trending",
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


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=60)
    | st.text(alphabet="aZ09 _-.,\t\n\x0b\x0cé", max_size=60)
)
def test_tokenizer_fast_path_equals_the_regex(text: str) -> None:
    from broadsheet.search.text import token_set_bytes, token_spans, tokens

    expected = [t.lower() for t in TOKEN.findall(text)]
    assert tokens(text) == expected
    assert token_set_bytes(text) == {t.encode() for t in expected}
    assert list(token_spans(text)) == [(m.start(), m.end(), m.group().lower()) for m in TOKEN.finditer(text)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus_strategy, query_strategy)
def test_a_query_highlighter_shared_by_rows_equals_highlighting_each_alone(papers: list[Paper], text: str) -> None:
    """The list highlights its rows with one highlighter per query, which remembers each
    token's match and keeps titles tokenized; every row must get what a fresh computation
    for that paper alone gives."""
    index = SearchIndex.build(papers)
    query = parse_query(text)
    shared = index.title_highlighter(query)
    rows = [*range(len(papers)), *reversed(range(len(papers)))]  # every row twice: memo and token cache hit
    for row in rows:
        expected = [] if isinstance(query, QueryError) else index.highlights(row, query).title
        assert shared(row) == expected
