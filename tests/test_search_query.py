"""The query language parser: every syntax element, every error and its position."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from broadsheet.search import Query, QueryError, parse_query
from broadsheet.search.query import All, And, Not, Or, Org, Phrase, Range, Status, Word


def ordinal(text: str) -> int:
    return dt.date.fromisoformat(text).toordinal()


def parsed(text: str) -> Query:
    query = parse_query(text)
    assert isinstance(query, Query), query
    return query


def root(text: str):
    return parsed(text).root


def test_empty_query_matches_all_newest_first() -> None:
    query = parsed("")
    assert query.root == All()
    assert query.effective_sort == "date"
    assert not query.has_terms
    assert parsed("   ").root == All()


def test_words_are_lowercased_and_anded_and_the_last_one_is_a_prefix() -> None:
    assert root("LLM Pruning") == And((Word("llm"), Word("pruning", prefix=True)))
    assert root("llm pruning ") == And((Word("llm"), Word("pruning")))
    assert parsed("llm").effective_sort == "relevance"


def test_a_word_with_inner_punctuation_is_a_phrase() -> None:
    assert root("state-of-the-art") == Phrase(("state", "of", "the", "art"), prefix=True)
    assert root("gpt-4 x") == And((Phrase(("gpt", "4")), Word("x", prefix=True)))
    assert root("(llm)") == Word("llm")  # ends with ')', not being typed


def test_quoted_phrases_are_exact_and_never_prefixes() -> None:
    assert root('"Exact  Phrase"') == Phrase(("exact", "phrase"))
    assert root('"word"') == Phrase(("word",))
    assert root('""') == All()


def test_exclusions() -> None:
    assert root("a -b") == And((Word("a"), Not(Word("b"))))
    assert root('-"x y"') == Not(Phrase(("x", "y")))
    assert root("-title:foo") == Not(Word("foo", "title"))
    assert root("-(a b)") == Not(And((Word("a"), Word("b"))))
    assert root("--a") == Not(Not(Word("a")))
    assert root("a - b") == And((Word("a"), Word("b", prefix=True)))  # a lone hyphen separates
    assert root("a -") == Word("a")


def test_or_binds_tighter_than_and() -> None:
    assert root("diffusion transformer OR mamba") == And(
        (Word("diffusion"), Or((Word("transformer"), Word("mamba", prefix=True))))
    )
    assert root("a OR b OR c") == Or((Word("a"), Word("b"), Word("c", prefix=True)))
    assert root("a or b") == And((Word("a"), Word("or"), Word("b", prefix=True)))
    assert root("a AND b") == And((Word("a"), Word("b", prefix=True)))


def test_parentheses_group() -> None:
    assert root("(a OR b) c") == And((Or((Word("a"), Word("b"))), Word("c", prefix=True)))
    assert root("((a))") == Word("a")


def test_text_fields() -> None:
    assert root("title:Trans") == Word("trans", "title", prefix=True)
    assert root("abstract:x y") == And((Word("x", "abstract"), Word("y", prefix=True)))
    assert root('title:"a b"') == Phrase(("a", "b"), "title")
    assert root("TITLE:a-b ") == Phrase(("a", "b"), "title")


def test_org_status_and_sort_fields() -> None:
    assert root("org:DeepMind") == Org("deepmind")
    assert root('org:"Google  DeepMind"') == Org("google deepmind")
    assert root("is:starred is:read is:unread") == And((Status("starred"), Status("read"), Status("unread")))
    query = parsed("llm sort:-date")
    assert (query.sort, query.reverse, query.effective_sort) == ("date", True, "-date")
    assert parsed("sort:upvotes").effective_sort == "upvotes"
    assert parsed("x sort:Title").effective_sort == "title"
    assert parsed("sort:relevance").root == All()


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("year:2024", "2024-01-01", "2024-12-31"),
        ("year:2022..2023", "2022-01-01", "2023-12-31"),
        ("year:>=2023", "2023-01-01", None),
        ("year:>2023", "2024-01-01", None),
        ("year:<2023", None, "2022-12-31"),
        ("date:2024-05-03", "2024-05-03", "2024-05-03"),
        ("date:2024-02", "2024-02-01", "2024-02-29"),
        ("date:2024-05..2024-06", "2024-05-01", "2024-06-30"),
        ("date:2024-05..", "2024-05-01", None),
        ("date:..2024-06-10", None, "2024-06-10"),
        ("date:>2024-05", "2024-06-01", None),
        ("date:<=2024", None, "2024-12-31"),
        ("date:=2024-5-3", "2024-05-03", "2024-05-03"),
    ],
)
def test_dates(text: str, low: str | None, high: str | None) -> None:
    expected = Range("date", ordinal(low) if low else None, ordinal(high) if high else None)
    assert root(text) == expected


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("upvotes:>10", 11, None),
        ("upvotes:>=10", 10, None),
        ("upvotes:<10", None, 9),
        ("upvotes:<=10", None, 10),
        ("upvotes:=10", 10, 10),
        ("upvotes:10", 10, 10),
        ("upvotes:10..20", 10, 20),
        ("upvotes:10..", 10, None),
        ("upvotes:..20", None, 20),
    ],
)
def test_numbers(text: str, low: int | None, high: int | None) -> None:
    assert root(text) == Range("upvotes", low, high)
    assert root(text.replace("upvotes", "authors")) == Range("authors", low, high)


def test_a_colon_without_a_known_field_name_and_urls_are_words() -> None:
    assert root("LLM: survey") == And((Word("llm"), Word("survey", prefix=True)))
    assert root("https://arxiv.org/abs") == Phrase(("https", "arxiv", "org", "abs"), prefix=True)


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ('a "unclosed', "unclosed quote", 2),
        ('title:"x', "unclosed quote", 6),
        ("a (b", "unclosed '('", 2),
        ("a)", "unmatched ')'", 1),
        ("()", "empty parentheses", 0),
        ("OR a", "OR needs something on its left", 0),
        ("a OR", "OR needs something on its right", 2),
        ("a OR OR b", "OR needs something on its right", 2),
        ("(a OR) b", "OR needs something on its right", 3),
        ("foo:bar", "unknown field 'foo:'", 0),
        ("x titel:y", "unknown field 'titel:'", 2),
        ("title:", "missing value after 'title:'", 6),
        ("title:-", "nothing to search for after 'title:'", 6),
        ("org:", "missing value after 'org:'", 4),
        ('org:""', "missing organization after 'org:'", 5),
        ("is:new", "unknown status 'new'", 3),
        ("sort:size", "unknown sort 'size'", 5),
        ("sort:-size", "unknown sort 'size'", 6),
        ("(sort:date)", "sort: applies to the whole query", 1),
        ("a OR sort:date", "sort: can't be part of an OR", 5),
        ("-sort:date", "sort: can't be excluded", 1),
        ("sort:date x sort:title", "only one sort: per query", 12),
        ("year:24", "year: expected a year", 5),
        ("year:abc", "year: expected a year", 5),
        ("date:2024-13", "date: no such date '2024-13'", 5),
        ("date:2024-02-30", "date: no such date", 5),
        ("date:yesterday", "date: expected a date", 5),
        ("date:..", "date: a range needs at least one end", 5),
        ("date:2024-06..2024-05", "date: the range is empty", 5),
        ("upvotes:>x", "upvotes: expected a number", 8),
        ("upvotes:>", "upvotes: expected a number", 8),
        ("authors:5..1", "authors: the range is empty", 8),
        ('year:"2024"', "'year:' takes no quotes", 5),
        ("(" * 40 + "a" + ")" * 40, "too many nested parentheses", 32),
        ("-" * 40 + "a", "too many nested exclusions", 32),
    ],
)
def test_errors_carry_message_and_position(text: str, message: str, position: int) -> None:
    error = parse_query(text)
    assert isinstance(error, QueryError), error
    assert error.message.startswith(message), error.message
    assert error.position == position
    assert 0 <= error.position <= len(text)
    assert str(position + 1) in str(error)


QUERY_PIECES = st.sampled_from(
    [
        "a",
        "llm",
        "model",
        '"',
        "(",
        ")",
        " ",
        "-",
        "OR",
        "AND",
        ":",
        "title:",
        "abstract:",
        "org:",
        "is:",
        "year:",
        "date:",
        "upvotes:",
        "authors:",
        "sort:",
        "..",
        ">",
        "<=",
        "2024",
        "-05",
        "10",
        "é",
        "_",
        "starred",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(QUERY_PIECES, max_size=12).map("".join))
def test_structured_noise_never_raises(text: str) -> None:
    result = parse_query(text)
    assert isinstance(result, (Query, QueryError))
    if isinstance(result, QueryError):
        assert 0 <= result.position <= len(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_random_text_never_raises(text: str) -> None:
    result = parse_query(text)
    assert isinstance(result, (Query, QueryError))
    if isinstance(result, QueryError):
        assert 0 <= result.position <= len(text)
