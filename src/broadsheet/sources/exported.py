"""broadsheet's own JSON and JSON Lines exports, read back losslessly (`broadsheet add`).

Both are read record by record, so a large export streams: JSON Lines line by line, a JSON
array element by element (`json_stream`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from broadsheet.export.json_lines import paper_from_dict
from broadsheet.model import Paper
from broadsheet.sources.errors import ListingError, ParseWarning
from broadsheet.sources.json_stream import MAX_ELEMENT, JsonArray, json_lines
from broadsheet.sources.results import ParseResult

_REQUIRED = {"key", "title", "abstract", "sources"}
_DECODER = json.JSONDecoder()


def _is_record(value: Any) -> bool:
    return isinstance(value, dict) and value.keys() >= _REQUIRED


def looks_like_export(head: str) -> bool:
    """The first record carries the export's field names (`head` is the start of the text)."""
    stripped = head.lstrip()
    if stripped.startswith("{"):
        first = stripped.split("\n", 1)[0]
        try:
            return _is_record(json.loads(first))
        except (ValueError, RecursionError):
            return False
    if stripped.startswith("["):
        try:
            first, _end = _DECODER.raw_decode(stripped[1:].lstrip())
        except (ValueError, RecursionError):
            return False
        return _is_record(first)
    return False


def _paper(record: Any, source: str, line: int, result: ParseResult) -> Paper | None:
    if not _is_record(record):
        result.warn(ParseWarning(source, line, "not a broadsheet paper record, skipped"))
        return None
    try:
        return paper_from_dict(record)
    except (KeyError, ValueError, TypeError) as error:
        result.warn(ParseWarning(source, line, f"bad paper record ({error}), skipped"))
        return None


def read_export(chunks: Iterable[str], source: str, on_paper: Callable[[Paper], None], *, array: bool) -> ParseResult:
    """JSON Lines (one paper per line) or one JSON array; bad records are skipped with a
    warning, and a broken array keeps the records before the break."""
    result = ParseResult()
    if array:
        records = JsonArray(chunks)
        for index, record in enumerate(records):
            if (paper := _paper(record, source, index + 1, result)) is not None:
                on_paper(paper)
                result.entries += 1
        if records.error is not None:
            if not result.entries:
                raise ListingError(source, records.error)
            result.warn(ParseWarning(source, 0, f"{records.error}; kept the {records.count:,} records before it"))
        return result
    for number, line in json_lines(chunks):
        if line is None:
            result.warn(ParseWarning(source, number, f"line longer than {MAX_ELEMENT >> 20} MB, skipped"))
            continue
        try:
            record = json.loads(line)
        except (ValueError, RecursionError) as error:
            result.warn(ParseWarning(source, number, f"invalid JSON ({error}), skipped"))
            continue
        if (paper := _paper(record, source, number, result)) is not None:
            on_paper(paper)
            result.entries += 1
    return result


def parse_export(text: str, source: str) -> ParseResult:
    """A whole export's text (see `read_export`)."""
    result = ParseResult()
    streamed = read_export([text], source, result.papers.append, array=text.lstrip().startswith("["))
    streamed.papers = result.papers
    return streamed
