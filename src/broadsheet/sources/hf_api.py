"""The Hugging Face papers API as JSON: `/api/daily_papers`, `/api/papers` and `/api/papers/{id}`.

`/api/daily_papers` (and `/api/papers/search`) answer an array of items
`{paper: {...}, title, publishedAt, organization?, ...}`; `/api/papers` an array of bare
paper objects; `/api/papers/{id}` one bare paper object. All three are read here.

Choices, because the API is undocumented and drifts:

* The inner `paper.title`/`paper.summary` keep arXiv's hard line wraps (`\\n  `); the outer
  `title` does not. Whitespace is collapsed everywhere and the outer title is preferred.
* `published` is `paper.publishedAt`, the arXiv date (an explicit year, never inferred).
  The outer `publishedAt` is when the paper was featured: it dates the one upvote sample
  (`upvote_history`) a wrapped item with a count gives. A bare paper object has no such
  date (its own `publishedAt` is arXiv's), so it gives no sample.
* `upvotes: null` is kept as None (unknown): the API sends null on some items that have
  no votes, but a null carries no count we can trust.
* Organization is `Organization(id=name slug, name=fullname)`, from the paper or the item.
* `githubRepo` and `projectPage` become `urls`; the HF and arXiv pages follow from the id.
* Each entry's `Source.line` is its 1-based position in the array (a JSON file has no
  useful line per entry); a single object is entry 1.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from broadsheet.model import Organization, Paper, Published, Source, UpvoteSample, normalize_arxiv_id
from broadsheet.sources.errors import ListingError, ParseWarning
from broadsheet.sources.json_stream import JsonArray, json_error
from broadsheet.sources.results import ParseResult
from broadsheet.text_safety import is_openable_url

_SNIFF_BYTES = 65536
# Keys only these responses have: the item wrapper, HF author records, the discussion id.
# (Not `upvotes` alone: broadsheet's own JSON export has that key too.)
_HF_KEYS = re.compile(r'"paper"\s*:\s*\{|"authors"\s*:\s*\[\s*\{\s*"_id"|"discussionId"\s*:')
_HF_DATED = re.compile(r'"publishedAt"\s*:')
_HF_VOTED = re.compile(r'"upvotes"\s*:')
_EMPTY_ARRAY = re.compile(r"^\[\s*\]\s*$")


def looks_like_hf_json(text: str) -> bool:
    """A cheap sniff: JSON whose first 64 KB holds keys only the HF papers API uses.

    An empty array is accepted too: it is what `/api/daily_papers` answers on a weekend, and
    "no papers" says more than "not a listing".
    """
    head = text[:_SNIFF_BYTES].lstrip("\ufeff \t\r\n")
    if not head.startswith(("[", "{")) or "jsonfeed.org/version" in head:
        return False
    if _HF_KEYS.search(head) or _EMPTY_ARRAY.match(head):
        return True
    return bool(_HF_DATED.search(head) and _HF_VOTED.search(head))


def _clean(value: object) -> str:
    """A string field with whitespace runs (arXiv's hard wraps included) collapsed; '' if absent."""
    return " ".join(value.split()) if isinstance(value, str) else ""


def _date(value: object) -> dt.date | None:
    """`2024-10-22T17:59:30.000Z` as a date (in its own offset, which the API sends as UTC)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return dt.datetime.fromisoformat(value.strip()).date()
    except ValueError:
        return None


def _count(value: object) -> int | None:
    """A non-negative integer count; null, booleans, strings and junk are unknown."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value if isinstance(value, int) and value >= 0 else None


def _organization(*candidates: object) -> Organization | None:
    for org in candidates:
        if isinstance(org, dict) and (slug := _clean(org.get("name"))):
            return Organization(slug, _clean(org.get("fullname")) or slug)
    return None


def _authors(value: object) -> tuple[str, ...]:
    """Author names, in order, as `huggingface_hub` reads them (hidden flags are not applied)."""
    if not isinstance(value, list):
        return ()
    names = (_clean(a.get("name")) if isinstance(a, dict) else _clean(a) for a in value)
    return tuple(name for name in names if name)


def _urls(*values: object) -> tuple[str, ...]:
    urls = (value.strip() for value in values if isinstance(value, str))
    return tuple(dict.fromkeys(url for url in urls if is_openable_url(url)))


def load_json(text: str, source: str) -> object:
    """`json.loads`, with every way JSON can be unreadable turned into a one-line ListingError."""
    try:
        return json.loads(text.lstrip("\ufeff"))
    except (ValueError, RecursionError) as error:  # ValueError: e.g. an integer past Python's digit limit
        raise ListingError(source, json_error(error)) from None


class _Reader:
    def __init__(self, source: str, on_paper: Callable[[Paper], None] | None = None) -> None:
        self.source = source
        self.result = ParseResult()
        self.on_paper = on_paper or self.result.papers.append
        self.count = 0

    def warn(self, line: int, reason: str) -> None:
        self.result.warn(ParseWarning(self.source, line, reason))

    def entry(self, item: object, line: int) -> None:
        if not isinstance(item, dict):
            self.warn(line, f"entry is a JSON {type(item).__name__}, not an object; skipped")
            return
        inner = item.get("paper")
        paper: dict[str, Any] = inner if isinstance(inner, dict) else item
        title = _clean(item.get("title")) or _clean(paper.get("title"))
        if not title:
            self.warn(line, "entry without a title, skipped")
            return
        published = None
        raw_date = paper.get("publishedAt")
        if (date := _date(raw_date)) is not None:
            published = Published(date)
        elif raw_date is not None:
            self.warn(line, f"unreadable publishedAt {str(raw_date)[:40]!r}, date left out")
        authors = _authors(paper.get("authors"))
        raw_id = paper.get("id")
        upvotes = _count(paper.get("upvotes"))
        featured = _date(item.get("publishedAt")) if paper is not item else None
        history = (UpvoteSample(featured, upvotes),) if featured is not None and upvotes is not None else ()
        self.count += 1
        self.on_paper(
            Paper(
                title=title,
                abstract=_clean(paper.get("summary")) or _clean(item.get("summary")),
                ai_summary=_clean(paper.get("ai_summary")) or None,
                authors=authors,
                authors_count=len(authors) or None,
                organization=_organization(paper.get("organization"), item.get("organization")),
                published=published,
                upvotes=upvotes,
                arxiv_id=normalize_arxiv_id(raw_id) if isinstance(raw_id, str) else None,
                urls=_urls(paper.get("githubRepo"), paper.get("projectPage")),
                sources=(Source(self.source, line),),
                upvote_history=history,
            )
        )

    def finish(self) -> ParseResult:
        if not self.count:
            first = self.result.warnings[0]
            raise ListingError(self.source, f"no papers found ({first.reason} at entry {first.line})")
        self.result.entries = self.count
        return self.result


def parse_hf_json(text: str, source: str) -> ParseResult:
    """Parse an HF papers API response. Junk entries become warnings; ListingError only when
    the JSON is unreadable, is not a papers response, or yields no paper at all."""
    data = load_json(text, source)
    if isinstance(data, dict):
        if not any(key in data for key in ("paper", "title", "id")):
            message = data.get("error") or data.get("message")
            reason = f"API error: {_clean(message)[:200]}" if isinstance(message, str) else "not a papers API response"
            raise ListingError(source, reason)
        items: list[object] = [data]
    elif isinstance(data, list):
        items = data
    else:
        raise ListingError(source, f"JSON {type(data).__name__}, not a papers API response")
    if not items:
        raise ListingError(source, "no papers (empty list)")
    reader = _Reader(source)
    for index, item in enumerate(items):
        reader.entry(item, index + 1)
    return reader.finish()


def read_hf_array(chunks: Iterable[str], source: str, on_paper: Callable[[Paper], None]) -> ParseResult:
    """A response that is an array, read element by element (a 500 MB dump stays small in
    memory); `on_paper` takes each paper. A syntax error keeps the entries before it."""
    reader = _Reader(source, on_paper)
    array = JsonArray(chunks)
    for index, item in enumerate(array):
        reader.entry(item, index + 1)
    if array.error is not None:
        if not reader.count:
            raise ListingError(source, array.error)
        reader.warn(0, f"{array.error}; kept the {array.count:,} entries before it")
    elif not array.count:
        raise ListingError(source, "no papers (empty list)")
    return reader.finish()
