"""broadsheet's own JSON and JSON Lines exports, read back losslessly (`broadsheet add`)."""

from __future__ import annotations

import json
from typing import Any

from broadsheet.export.json_lines import paper_from_dict
from broadsheet.model import Paper
from broadsheet.sources.dump import ParseResult
from broadsheet.sources.errors import ListingError, ParseWarning

_REQUIRED = {"key", "title", "abstract", "sources"}


def _is_record(value: Any) -> bool:
    return isinstance(value, dict) and value.keys() >= _REQUIRED


def looks_like_export(text: str) -> bool:
    """The first record carries the export's field names."""
    stripped = text.lstrip()
    if stripped.startswith("{"):
        first = stripped.split("\n", 1)[0]
        try:
            return _is_record(json.loads(first))
        except (ValueError, RecursionError):
            return False
    if stripped.startswith("["):
        try:
            data = json.loads(stripped)
        except (ValueError, RecursionError):
            return False
        return isinstance(data, list) and bool(data) and _is_record(data[0])
    return False


def _paper(record: Any, source: str, line: int, warnings: list[ParseWarning]) -> Paper | None:
    if not _is_record(record):
        warnings.append(ParseWarning(source, line, "not a broadsheet paper record, skipped"))
        return None
    try:
        return paper_from_dict(record)
    except (KeyError, ValueError, TypeError) as error:
        warnings.append(ParseWarning(source, line, f"bad paper record ({error}), skipped"))
        return None


def parse_export(text: str, source: str) -> ParseResult:
    """JSON Lines (one paper per line) or one JSON array; bad records are skipped with a warning."""
    result = ParseResult()
    stripped = text.lstrip()
    records: list[tuple[int, Any]] = []
    if stripped.startswith("["):
        try:
            data = json.loads(stripped)
        except (ValueError, RecursionError) as error:
            raise ListingError(source, f"invalid JSON ({error})") from None
        records = [(index + 1, item) for index, item in enumerate(data)]
    else:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append((number, json.loads(line)))
            except (ValueError, RecursionError) as error:
                result.warnings.append(ParseWarning(source, number, f"invalid JSON ({error}), skipped"))
    for line, record in records:
        paper = _paper(record, source, line, result.warnings)
        if paper is not None:
            result.papers.append(paper)
    result.entries = len(result.papers)
    return result
