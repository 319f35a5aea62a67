"""The text of state.toml: formatting it fast, and reading it strictly.

Why rows are strings: tomllib is pure Python and costs ~10 us per key/value pair, so one
table per paper takes ~1 s for 11k papers. A single array holding one string per paper
parses ~10x faster (literal strings are scanned with str.find), and stays one readable line
per paper. Rows are formatted here as literal strings when they can be (no `'`, no control
characters); any other row, the header, and every appended `[[log]]` table go through
tomli-w, which does the escaping. Tests check that everything written parses with tomllib.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field

import tomli_w

from .clock import normalize
from .errors import StateCorruptError, StateVersionError
from .records import AliasChange, Change, Entry, StateData, check_key

SCHEMA_VERSION = 1
TOP_KEYS = frozenset({"schema", "snapshot", "papers", "aliases", "log"})

HEADER = """\
# broadsheet reading state: stars and read marks. Safe to edit by hand, even while it runs.
# papers:  one row per paper, 'KEY | STAR | READ | TITLE', sorted by key.
#          STAR is 'starred TIME', 'unstarred TIME' or '-'; READ is 'read TIME', 'unread TIME'
#          or '-'. TIME (UTC, RFC 3339) is when that value last changed; the later TIME wins
#          when copies merge. Change a value but keep its TIME, or drop the TIME, and the
#          change counts as made when you saved the file. Deleting a row unstars and unreads.
# aliases: 'OLD KEY | NEW KEY | TIME': state recorded under OLD KEY belongs to NEW KEY.
# [[log]]: changes appended since the rows were written; they override the rows above.
"""

_TS = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z"
_ROW = re.compile(rf"([^|]*?) \| (?:(starred|unstarred) ({_TS})|-) \| (?:(read|unread) ({_TS})|-) \| (.*)", re.S)
_LITERAL_UNSAFE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f']")
_STATIC_LOG = re.compile(r"""\n[ \t]*["']?log["']?[ \t]*=""")  # `log = [...]`: no appending


@dataclass
class Parsed:
    """A state file read into memory, with what the reader must still do about it."""

    data: StateData
    snapshot: str = ""
    log_count: int = 0
    row_keys: frozenset[str] = frozenset()
    rewrite: bool = False  # some value lacked a canonical time, or rows repeat: rewrite soon
    torn: bool = False  # an interrupted append was cut off the end
    appendable: bool = True  # `[[log]]` tables may be appended to this text
    notes: list[str] = field(default_factory=list)


def toml_string(text: str) -> str:
    """A TOML string: literal when safe (fast to parse), else tomli-w's escaped basic string."""
    if _LITERAL_UNSAFE.search(text) is None:
        return f"'{text}'"
    return tomli_w.dumps({"v": text})[4:-1]


def _register(value: bool, at: str, yes: str, no: str) -> str:
    return f"{yes if value else no} {at}" if at else "-"


def format_row(entry: Entry) -> str:
    star = _register(entry.starred, entry.starred_at, "starred", "unstarred")
    read = _register(entry.read, entry.read_at, "read", "unread")
    return f"{entry.key} | {star} | {read} | {entry.title}"


def format_state(data: StateData, snapshot: str) -> str:
    """The whole file, rows sorted by key so that diffs stay small."""
    parts = [HEADER, tomli_w.dumps({"schema": SCHEMA_VERSION, "snapshot": snapshot}), "papers = [\n"]
    parts.extend(
        f"  {toml_string(format_row(entry))},\n" for _, entry in sorted(data.entries.items()) if entry.is_set
    )
    parts.append("]\naliases = [\n")
    parts.extend(f"  {toml_string(f'{old} | {a.to} | {a.at}')},\n" for old, a in sorted(data.aliases.items()))
    parts.append("]\n")
    return "".join(parts)


def format_changes(changes: list[Change]) -> str:
    """`[[log]]` tables to append: valid TOML both alone and after any file we wrote."""
    tables: list[dict[str, object]] = []
    for change in changes:
        if isinstance(change, AliasChange):
            tables.append({"key": change.old, "alias": change.to, "at": change.at})
            continue
        table: dict[str, object] = {"key": change.key, "title": change.title}
        if change.starred_at:
            table |= {"starred": change.starred, "starred_at": change.starred_at}
        if change.read_at:
            table |= {"read": change.read, "read_at": change.read_at}
        tables.append(table)
    # Headers written here: tomli-w would fold short tables into an inline array.
    return "".join(f"\n[[log]]\n{tomli_w.dumps(table)}" for table in tables)


def parse_state(text: str, default_at: str) -> Parsed:
    """Read a whole file. `default_at` stands in for missing times (the file's mtime).

    Raises StateVersionError for a newer schema and StateCorruptError for anything unreadable.
    A file whose only fault is at its very end -- an incomplete last `[[log]]` table, or zero
    bytes, as an append cut short by a crash leaves -- is read without it and flagged `torn`.
    """
    text = text.removeprefix("\ufeff")
    try:
        return _parse(text, default_at)
    except StateCorruptError as damage:
        for head in _heads_before_damage(text):
            try:
                parsed = _parse(head, default_at)
            except StateCorruptError:
                continue
            parsed.torn, parsed.appendable = True, False
            return parsed
        raise damage from None


def _parse(text: str, default_at: str) -> Parsed:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StateCorruptError(f"not valid TOML ({exc})") from None
    parsed = _build(doc, default_at)
    parsed.appendable = _STATIC_LOG.search("\n" + text) is None
    return parsed


def _heads_before_damage(text: str) -> list[str]:
    """Candidate texts without a damaged end: zero bytes stripped, then the last (partial)
    `[[log]]` table cut off -- never anything before the log."""
    heads = []
    stripped = text.rstrip("\0")
    if stripped != text:
        heads.append(stripped)
    cut = stripped.rfind("\n[")
    tail = stripped[cut + 1 :]
    if cut >= 0 and (tail.startswith("[[log]]") or "[[log]]".startswith(tail.split("\n", 1)[0])):
        heads.append(stripped[: cut + 1])
    return heads


def parse_log_tail(text: str, default_at: str) -> tuple[list[Change], bool] | None:
    """Changes appended after text we already know, or None when the addition is anything
    other than complete `[[log]]` tables (then the caller re-reads the whole file)."""
    stripped = text.lstrip(" \t\r\n")
    if not stripped:
        return [], False
    if not stripped.startswith("[[log]]"):
        return None
    try:
        doc = tomllib.loads(text)
        if set(doc) != {"log"}:
            return None
        return _changes(doc["log"], default_at)
    except (tomllib.TOMLDecodeError, StateCorruptError):
        return None


def _build(doc: dict[str, object], default_at: str) -> Parsed:
    schema = doc.get("schema")
    if type(schema) is not int:
        raise StateCorruptError("missing or invalid 'schema' (expected an integer)")
    if schema > SCHEMA_VERSION:
        raise StateVersionError("the state file", schema, SCHEMA_VERSION)
    if schema < 1:
        raise StateCorruptError(f"unknown schema {schema}")
    unknown = set(doc) - TOP_KEYS
    if unknown:
        raise StateCorruptError(f"unknown keys {sorted(unknown)}")
    snapshot = doc.get("snapshot", "")
    papers, aliases, log = doc.get("papers", []), doc.get("aliases", []), doc.get("log", [])
    if not isinstance(snapshot, str) or not all(isinstance(x, list) for x in (papers, aliases, log)):
        raise StateCorruptError("'snapshot' must be text; 'papers', 'aliases' and 'log' arrays")
    data = StateData()
    rewrite = False
    for number, row in enumerate(aliases, 1):
        alias, fixed = _parse_alias(row, default_at, number)
        data.add_alias(alias)
        rewrite |= fixed
    entries, row_keys = data.entries, set()
    fast = _ROW.fullmatch
    for number, row in enumerate(papers, 1):  # the hot loop of loading: keep it inline
        match = fast(row) if isinstance(row, str) else None
        if match is not None and (key := match[1]) and key.strip() == key:
            _, star, star_at, read, read_at, title = match.groups()
            entry = Entry(key, title, star == "starred", star_at or "", read == "read", read_at or "")
        else:
            entry = _parse_row(row, default_at, number)
            key = entry.key
            rewrite = True
        if key in row_keys or key in data.aliases:
            rewrite |= key in row_keys
            data.merge_entry(entry)
        elif entry.is_set:
            entries[key] = entry
        row_keys.add(key)
    data.starred_count = sum(e.starred for e in entries.values())
    data.read_count = sum(e.read for e in entries.values())
    changes, fixed = _changes(log, default_at)
    for change in changes:
        data.apply(change)
    return Parsed(data, snapshot, len(changes), frozenset(row_keys), rewrite or fixed)


def _parse_row(row: object, default_at: str, number: int) -> Entry:
    """A row not in canonical form (hand-edited): parsed leniently, rewritten later."""
    try:
        if not isinstance(row, str):
            raise ValueError("not text")
        parts = row.split("|", 3)
        if len(parts) < 3:
            raise ValueError("expected 'KEY | STAR | READ | TITLE'")
        key = check_key(parts[0].strip())
        starred, starred_at = _parse_register(parts[1], "starred", "unstarred", default_at)
        read, read_at = _parse_register(parts[2], "read", "unread", default_at)
    except ValueError as exc:
        raise StateCorruptError(f"papers row {number} ({row!r}): {exc}") from None
    return Entry(key, parts[3].strip() if len(parts) == 4 else "", starred, starred_at, read, read_at)


def _parse_register(text: str, yes: str, no: str, default_at: str) -> tuple[bool, str]:
    """`starred TIME`, `Unstarred`, `-`, ... -> (value, canonical time)."""
    token = text.strip()
    if token in ("-", ""):
        return False, ""
    word, _, when = token.partition(" ")
    word = word.lower()
    if word not in (yes, no):
        raise ValueError(f"expected '{yes} TIME', '{no} TIME' or '-', got {token!r}")
    when = when.strip()
    return word == yes, normalize(when) if when else default_at


def _parse_alias(row: object, default_at: str, number: int) -> tuple[AliasChange, bool]:
    try:
        if not isinstance(row, str):
            raise ValueError("not text")
        parts = [part.strip() for part in row.split("|")]
        if len(parts) not in (2, 3):
            raise ValueError("expected 'OLD KEY | NEW KEY | TIME'")
        when = parts[2] if len(parts) == 3 else ""
        at = normalize(when) if when else default_at
        return AliasChange(check_key(parts[0]), check_key(parts[1]), at), at != when
    except ValueError as exc:
        raise StateCorruptError(f"aliases row {number} ({row!r}): {exc}") from None


def _changes(log: object, default_at: str) -> tuple[list[Change], bool]:
    if not isinstance(log, list):
        raise StateCorruptError("'log' must be an array of tables")
    changes: list[Change] = []
    fixed = False
    for number, table in enumerate(log, 1):
        try:
            change, needed = _change(table, default_at)
        except (ValueError, TypeError) as exc:
            raise StateCorruptError(f"log entry {number}: {exc}") from None
        changes.append(change)
        fixed |= needed
    return changes, fixed


def _time(table: dict[str, object], name: str, default_at: str) -> tuple[str, bool]:
    value = table.get(name)
    if value is None:
        return default_at, True
    stamp = normalize(value)
    return stamp, not (isinstance(value, str) and value == stamp)


def _change(table: object, default_at: str) -> tuple[Change, bool]:
    if not isinstance(table, dict):
        raise TypeError("not a table")
    key = check_key(table.get("key"))
    if "alias" in table:
        if set(table) - {"key", "alias", "at"}:
            raise ValueError(f"unexpected fields {sorted(set(table) - {'key', 'alias', 'at'})}")
        at, fixed = _time(table, "at", default_at)
        return AliasChange(key, check_key(table["alias"]), at), fixed
    extra = set(table) - {"key", "title", "starred", "starred_at", "read", "read_at"}
    if extra:
        raise ValueError(f"unexpected fields {sorted(extra)}")
    title = table.get("title", "")
    if not isinstance(title, str):
        raise TypeError("'title' must be text")
    values: dict[str, tuple[bool, str]] = {}
    fixed = False
    for name in ("starred", "read"):
        if name in table:
            value = table[name]
            if type(value) is not bool:
                raise TypeError(f"'{name}' must be true or false")
            at, needed = _time(table, f"{name}_at", default_at)
            values[name] = (value, at)
            fixed |= needed
        elif f"{name}_at" in table:
            raise ValueError(f"'{name}_at' without '{name}'")
    if not values:
        raise ValueError("a change needs 'starred', 'read' or 'alias'")
    starred, starred_at = values.get("starred", (False, ""))
    read, read_at = values.get("read", (False, ""))
    return Entry(key, title, starred, starred_at, read, read_at), fixed
