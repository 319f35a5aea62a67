"""The query language: a small lexer and recursive-descent parser producing a `Query` tree.

Parsing never raises: every problem becomes a `QueryError` carrying the character offset,
so the UI can point at it and keep showing the last good results. `OR` binds tighter than
the implicit AND, as in web search engines: `diffusion transformer OR mamba` means
diffusion AND (transformer OR mamba).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from dataclasses import field as _field

from .text import tokens
from .values import parse_dates, parse_numbers, parse_years

SORTS = ("relevance", "date", "upvotes", "title", "trending")
STATUSES = ("starred", "read", "unread")
TEXT_FIELDS = {"title": "title", "abstract": "abstract"}
FIELDS = ("title", "abstract", "org", "is", "year", "date", "upvotes", "authors", "sort")
MAX_DEPTH = 32  # nesting deeper than this is an error, not a RecursionError


@dataclass(frozen=True, slots=True)
class QueryError:
    """Why a query can't be run, and the 0-based character offset to point at."""

    message: str
    position: int

    def __str__(self) -> str:
        return f"{self.message} (at character {self.position + 1})"


@dataclass(frozen=True, slots=True)
class Word:
    """One token matched with typos; `prefix` when it is the word still being typed."""

    text: str
    field: str = "any"  # "any" | "title" | "abstract" (abstract covers the AI summary too)
    prefix: bool = False
    position: int = _field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Phrase:
    """Consecutive tokens matched exactly; the last one as a prefix when still being typed."""

    words: tuple[str, ...]
    field: str = "any"
    prefix: bool = False
    position: int = _field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Org:
    """Organization whose id or name contains `value` (case-insensitive)."""

    value: str


@dataclass(frozen=True, slots=True)
class Status:
    """`is:starred`, `is:read` or `is:unread`, answered by the caller's status lookup."""

    status: str


@dataclass(frozen=True, slots=True)
class Range:
    """An inclusive range on `date` (day ordinals), `upvotes` or `authors`; None is open."""

    field: str
    low: int | None
    high: int | None


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class All:
    """Matches every paper (the empty query)."""


Node = Word | Phrase | Org | Status | Range | Not | And | Or | All


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query. `sort` is None when the query did not say; see `effective_sort`."""

    text: str
    root: Node
    sort: str | None = None
    reverse: bool = False

    @property
    def has_terms(self) -> bool:
        """True when some word or phrase must match (relevance ranking applies)."""
        return any(True for _ in positive_terms(self.root))

    @property
    def effective_sort(self) -> str:
        """`relevance`, `date`, ... with a leading `-` when reversed."""
        base = self.sort or ("relevance" if self.has_terms else "date")
        return f"-{base}" if self.reverse else base


def positive_terms(node: Node, positive: bool = True) -> Iterator[Word | Phrase]:
    """Words and phrases that must be present (under an even number of negations)."""
    if isinstance(node, (Word, Phrase)):
        if positive:
            yield node
    elif isinstance(node, Not):
        yield from positive_terms(node.child, not positive)
    elif isinstance(node, (And, Or)):
        for child in node.children:
            yield from positive_terms(child, positive)


class _Fail(Exception):
    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # "(" ")" "OR" "AND" "-" "phrase" "field" "word" "end"
    start: int
    end: int
    text: str = ""
    name: str = ""  # field name
    value_start: int = 0
    quoted: bool = False


_FIELD = re.compile(r"([A-Za-z]+):")


def _lex(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c in "()":
            out.append(_Tok(c, i, i + 1))
            i += 1
        elif c == "-":
            if i + 1 < n and not text[i + 1].isspace() and text[i + 1] != ")":
                out.append(_Tok("-", i, i + 1))
            i += 1  # a lone hyphen (as in pasted titles, or just typed) separates nothing
        elif c == '"':
            close = text.find('"', i + 1)
            if close < 0:
                raise _Fail("unclosed quote", i)
            out.append(_Tok("phrase", i, close + 1, text[i + 1 : close]))
            i = close + 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in '()"':
                j += 1
            run = text[i:j]
            match = _FIELD.match(run)
            if match and not run[match.end() :].startswith("//"):
                name = match.group(1).lower()
                if name not in FIELDS and j == i + match.end():
                    out.append(_Tok("word", i, j, run))  # "LLM: a survey" - a colon, not a field
                    i = j
                    continue
                if name not in FIELDS:
                    raise _Fail(f"unknown field '{match.group(1)}:' (fields: {', '.join(FIELDS)})", i)
                value_start = i + match.end()
                if j == value_start and j < n and text[j] == '"':
                    close = text.find('"', j + 1)
                    if close < 0:
                        raise _Fail("unclosed quote", j)
                    out.append(_Tok("field", i, close + 1, text[j + 1 : close], name, j + 1, True))
                    i = close + 1
                    continue
                if j == value_start:
                    raise _Fail(f"missing value after '{name}:'", value_start)
                out.append(_Tok("field", i, j, text[value_start:j], name, value_start))
            elif run == "OR":
                out.append(_Tok("OR", i, j))
            elif run == "AND":
                out.append(_Tok("AND", i, j))
            else:
                out.append(_Tok("word", i, j, run))
            i = j
    out.append(_Tok("end", n, n))
    return out


class _SortMark:
    """Placeholder a `sort:` token parses to; only allowed directly at the top level."""

    def __init__(self, name: str, reverse: bool, position: int) -> None:
        self.name, self.reverse, self.position = name, reverse, position


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _lex(text)
        self.i = 0
        self.sort: _SortMark | None = None
        self.depth = 0

    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def parse(self) -> Node:
        root = self.sequence(top=True)
        if self.tok.kind == ")":
            raise _Fail("unmatched ')'", self.tok.start)
        return root

    def sequence(self, top: bool) -> Node:
        children: list[Node] = []
        while self.tok.kind not in ("end", ")"):
            if self.tok.kind == "AND":
                self.i += 1
                continue
            node = self.disjunction()
            if isinstance(node, _SortMark):
                if not top:
                    raise _Fail("sort: applies to the whole query; it can't be inside parentheses", node.position)
                if self.sort is not None:
                    raise _Fail("only one sort: per query", node.position)
                self.sort = node
            elif node is not None:
                children.append(node)
        if not children:
            return All()
        return children[0] if len(children) == 1 else And(tuple(children))

    def disjunction(self) -> Node | _SortMark | None:
        if self.tok.kind == "OR":
            raise _Fail("OR needs something on its left", self.tok.start)
        first = self.unary()
        if self.tok.kind != "OR":
            return first
        operands = [first]
        while self.tok.kind == "OR":
            or_tok = self.tok
            self.i += 1
            if self.tok.kind in ("end", ")", "OR", "AND"):
                raise _Fail("OR needs something on its right", or_tok.start)
            operands.append(self.unary())
        for operand in operands:
            if isinstance(operand, _SortMark):
                raise _Fail("sort: can't be part of an OR", operand.position)
        kept = [op for op in operands if op is not None]
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else Or(tuple(kept))  # type: ignore[arg-type]

    def unary(self) -> Node | _SortMark | None:
        tok = self.tok
        if tok.kind == "-":
            self.i += 1
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise _Fail("too many nested exclusions", tok.start)
            child = self.unary()
            self.depth -= 1
            if isinstance(child, _SortMark):
                raise _Fail("sort: can't be excluded; use sort:-field to reverse", child.position)
            return None if child is None else Not(_settled(child))
        return self.primary()

    def primary(self) -> Node | _SortMark | None:
        tok = self.tok
        self.i += 1
        if tok.kind == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise _Fail("too many nested parentheses", tok.start)
            inner = self.sequence(top=False)
            self.depth -= 1
            if self.tok.kind != ")":
                raise _Fail("unclosed '('", tok.start)
            if isinstance(inner, All):
                raise _Fail("empty parentheses", tok.start)
            self.i += 1
            return inner
        if tok.kind == ")":
            raise _Fail("unmatched ')'", tok.start)
        if tok.kind == "phrase":
            return _phrase(tokens(tok.text), "any", False, tok.start, quoted=True)
        if tok.kind == "word":
            return _phrase(tokens(tok.text), "any", tok.end == len(self.text), tok.start, quoted=False)
        if tok.kind == "field":
            return self.field(tok)
        raise _Fail(f"unexpected {tok.kind}", tok.start)  # pragma: no cover - lexer guarantees

    def field(self, tok: _Tok) -> Node | _SortMark | None:
        name, value, at = tok.name, tok.text, tok.value_start
        if name in TEXT_FIELDS:
            words = tokens(value)
            if not words:
                raise _Fail(f"nothing to search for after '{name}:'", at)
            typing = not tok.quoted and tok.end == len(self.text)
            return _phrase(words, TEXT_FIELDS[name], typing, tok.start, quoted=tok.quoted)
        if name == "org":
            folded = " ".join(value.casefold().split())
            if not folded:
                raise _Fail("missing organization after 'org:'", at)
            return Org(folded)
        if name == "is":
            status = value.lower()
            if status not in STATUSES:
                raise _Fail(f"unknown status '{value}' (is:starred, is:read, is:unread)", at)
            return Status(status)
        if name == "sort":
            reverse = value.startswith("-")
            key = value[1:] if reverse else value
            if key.lower() not in SORTS:
                raise _Fail(f"unknown sort '{key}' (sort: {', '.join(SORTS)}; '-' reverses)", at + reverse)
            return _SortMark(key.lower(), reverse, tok.start)
        if tok.quoted:
            raise _Fail(f"'{name}:' takes no quotes", at - 1)
        try:
            if name == "year":
                low, high = parse_years(value)
                return Range("date", low, high)
            if name == "date":
                low, high = parse_dates(value)
                return Range("date", low, high)
            low, high = parse_numbers(value)
        except ValueError as error:
            raise _Fail(f"{name}: {error}", at) from None
        return Range(name, low, high)


def _phrase(words: list[str], field_name: str, typing: bool, position: int, quoted: bool) -> Node | None:
    """One bare token is a fuzzy Word; several (`gpt-4`, `state-of-the-art`) or a quoted
    text make an exact Phrase."""
    if not words:
        return None
    if len(words) == 1 and not quoted:
        return Word(words[0], field_name, typing, position)
    return Phrase(tuple(words), field_name, typing and not quoted, position)


def _settled(node: Node | _SortMark) -> Node:
    """Exclusions never match as a prefix: excluding every word starting with `t` while
    typing `-transformer` would empty the list at each keystroke."""
    if isinstance(node, (Word, Phrase)):
        return replace(node, prefix=False)
    if isinstance(node, Not):
        return Not(_settled(node.child))
    if isinstance(node, (And, Or)):
        return type(node)(tuple(_settled(child) for child in node.children))
    return node  # type: ignore[return-value]


def parse_query(text: str) -> Query | QueryError:
    """Parse `text`; a malformed query returns a `QueryError`, never raises."""
    try:
        parser = _Parser(text)
        root = parser.parse()
        mark = parser.sort
        return Query(text, root, mark.name if mark else None, bool(mark and mark.reverse))
    except _Fail as failure:
        return QueryError(failure.message, failure.position)
    except Exception as error:  # pragma: no cover - a bug, but the UI must keep working
        return QueryError(f"could not parse the query ({error})", 0)
