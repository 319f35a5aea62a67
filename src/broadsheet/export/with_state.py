"""`--with-state` JSON and JSON Lines, and reading them back for `broadsheet merge`.

An export then carries stars and read marks with their times as well as the papers, so it is
a complete backup that another machine can fold in by the state's own latest-wins rule. Each
record gets `"state": {"starred", "starred_at", "read", "read_at"}` (times RFC 3339 UTC with
microseconds, null for a register never set) or `"state": null` when nothing is recorded:
every record of such an export has the key, so a merge can tell "nothing recorded" from
"exported without --with-state". Readers of the plain schema (`broadsheet add`) ignore it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from broadsheet.export.json_lines import paper_to_dict
from broadsheet.model import Paper
from broadsheet.state import PaperState, TimedValue, check_key

FORMATS = ("jsonl", "json")
StateLookup = Callable[[str], PaperState | None]
_FIELDS = ("starred", "read")
_JSON_START = re.compile(r"\s*(?:\{|\[\s*[{\]])")  # a TOML `[` opens a table name instead


def rfc3339(at: dt.datetime | None) -> str | None:
    """UTC with microseconds, as the state file writes it, so times survive the round trip."""
    if at is None:
        return None
    u = at.astimezone(dt.UTC)
    return f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}.{u.microsecond:06d}Z"


def state_fields(entry: PaperState | None) -> dict[str, Any] | None:
    """The `state` object of one record; None (JSON null) when nothing is recorded."""
    if entry is None:
        return None
    return {
        "starred": entry.starred,
        "starred_at": rfc3339(entry.starred_at),
        "read": entry.read,
        "read_at": rfc3339(entry.read_at),
    }


def paper_with_state(paper: Paper, lookup: StateLookup) -> dict[str, Any]:
    """The plain export record plus `state`, last."""
    record = paper_to_dict(paper)
    record["state"] = state_fields(lookup(paper.key))
    return record


def write_with_state(papers: Iterable[Paper], fmt: str, lookup: StateLookup) -> Iterator[str]:
    """Text chunks laid out like json_lines' writers; ValueError at once for other formats."""
    if fmt not in FORMATS:
        raise ValueError(f"--with-state needs --format jsonl or json, not {fmt}")
    if fmt == "json":
        return iter([json.dumps([paper_with_state(p, lookup) for p in papers], ensure_ascii=False, indent=2) + "\n"])
    return (json.dumps(paper_with_state(p, lookup), ensure_ascii=False) + "\n" for p in papers)


# -- reading back ------------------------------------------------------------------------


@dataclass
class StateRecords:
    """What an export holds for `broadsheet merge`."""

    items: list[TimedValue] = field(default_factory=list)
    records: int = 0  # paper records read
    stated: int = 0  # ...of which carry a state object
    marked: bool = False  # some record has a "state" key at all: it was exported --with-state
    warnings: list[str] = field(default_factory=list)


def looks_like_json(text: str) -> bool:
    """JSON rather than a TOML state file (which opens with comments, `schema =` or a
    `[table]`; no TOML document is valid JSON)."""
    text = text.removeprefix("\ufeff")
    if _JSON_START.match(text):
        return True
    try:
        return text.lstrip().startswith("[") and json.loads(text) is not None
    except (ValueError, RecursionError):
        return False


def read_state_records(text: str, source: str) -> StateRecords:
    """The timed values in a JSON or JSON Lines export. Bad records become warnings naming
    `source:N`; ValueError when no record is a broadsheet paper record at all."""
    got = StateRecords()
    records = _records(text.removeprefix("\ufeff"), source, got.warnings)
    for number, record in records:
        if not isinstance(record, dict) or not isinstance(record.get("key"), str):
            got.warnings.append(f"{source}:{number}: not a broadsheet paper record, skipped")
            continue
        got.records += 1
        got.marked |= "state" in record
        try:
            items = _timed_values(record)
        except ValueError as error:
            got.warnings.append(f"{source}:{number}: {error}, skipped")
            continue
        got.stated += record.get("state") is not None
        got.items += items
    if records and not got.records:
        raise ValueError("no broadsheet paper records in it")
    return got


def _records(text: str, source: str, warnings: list[str]) -> list[tuple[int, Any]]:
    """(N, record) from a JSON array, one JSON object, or JSON Lines (bad lines warned)."""
    try:
        whole = json.loads(text)
    except (ValueError, RecursionError) as error:
        if text.lstrip().startswith("["):
            raise ValueError(f"invalid JSON ({error})") from None
    else:
        return list(enumerate(whole, start=1)) if isinstance(whole, list) else [(1, whole)]
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                records.append((number, json.loads(line)))
            except (ValueError, RecursionError) as error:
                warnings.append(f"{source}:{number}: invalid JSON ({error}), skipped")
    return records


def _timed_values(record: dict[str, Any]) -> list[TimedValue]:
    """The record's registers, checked as the state API would (ValueError with the reason)."""
    key = record["key"]
    check_key(key)
    key.encode("utf-8")  # lone surrogates cannot be stored
    state = record.get("state")
    if state is None:
        return []
    if not isinstance(state, dict):
        raise ValueError('"state" is not an object')
    title = record.get("title") if isinstance(record.get("title"), str) else ""
    items: list[TimedValue] = []
    for name in _FIELDS:
        value, at = state.get(name), state.get(f"{name}_at")
        if value is None and at is None:
            continue
        if not isinstance(value, bool):
            raise ValueError(f'"state.{name}" is not true or false')
        items.append((key, str(title), name, value, _parse_time(at, f"state.{name}_at")))
    return items


def _parse_time(at: object, name: str) -> dt.datetime | None:
    """RFC 3339 (any offset; none means UTC) as an aware UTC datetime; null is None."""
    if at is None:
        return None
    try:
        if not isinstance(at, str):
            raise ValueError
        parsed = dt.datetime.fromisoformat(at.strip())
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
    except (ValueError, OverflowError):
        raise ValueError(f'"{name}" is not an RFC 3339 time: {at!r}') from None
