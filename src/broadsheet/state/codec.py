"""The text of state.toml: formatting it fast, and reading it strictly.

Why rows are lines of strings: tomllib is pure Python, and costs ~10 us per key/value pair
and ~3 us per array element, so a table per paper takes ~1 s for 11k papers and even one
string per paper ~40 ms. The rows are therefore the lines of multi-line literal strings
(between triple apostrophes), which tomllib scans with str.find, which read like a table,
and which need no quoting when edited by hand. There is one such block per 1000 rows because
tomllib checks each string for forbidden characters in a single C call that holds the GIL:
one 1.4 MB block would stall the UI thread for ~15 ms while the writer thread re-reads it.
A row that cannot sit in a literal string (a control character, or three apostrophes in a
row) goes to `papers_quoted`, a TOML array escaped by tomli-w; tomli-w also writes the header
and every appended `[[log]]` table. Tests check that everything written parses with tomllib
and reads back the same.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from operator import itemgetter

from .clock import normalize
from .errors import StateCorruptError, StateVersionError
from .records import AliasChange, Change, Entry, StateData, check_key

SCHEMA_VERSION = 1
TOP_KEYS = frozenset({"schema", "snapshot", "papers", "papers_quoted", "aliases", "log"})
Q3 = "'" * 3
BLOCK_ROWS = 1000

HEADER = """\
# broadsheet reading state: stars and read marks. Safe to edit by hand, even while it runs.
# papers: one line per paper, sorted by key, in blocks of 1000:  KEY | STAR | READ | TITLE
#   STAR is 'starred TIME', 'unstarred TIME' or '-'; READ is 'read TIME', 'unread TIME' or
#   '-'. TIME (UTC, RFC 3339) is when that value last changed; when copies merge, the later
#   TIME wins. Change a value and keep or delete its TIME: the change counts as made when the
#   file is saved. Delete a line to unstar and unread a paper. Lines starting with # are
#   ignored. papers_quoted holds rows that cannot be written plainly (control characters).
# aliases: OLD KEY | NEW KEY | TIME  -- state recorded under OLD KEY belongs to NEW KEY.
# [[log]]: changes appended since the lines above were written; they override them.
"""

_TS = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z"
_KEY = r"[^\s|#\x00-\x1f\x7f](?:[^|\x00-\x1f\x7f]*?[^\s|\x00-\x1f\x7f])?"
_ROWS = re.compile(rf"^({_KEY}) \| (?:(starred|unstarred) ({_TS})|-) \| (?:(read|unread) ({_TS})|-) \| (.*)$", re.M)
_SKIP = re.compile(r"^[ \t]*(?:#.*)?$", re.M)  # blank and comment lines in a block
_BLOCK_UNSAFE = re.compile(rf"[\x00-\x08\x0a-\x1f\x7f]|{Q3}")
_STATIC_LOG = re.compile(r"""\n[ \t]*["']?log["']?[ \t]*=""")  # `log = [...]`: no appending


@dataclass
class Parsed:
    """A state file read into memory, with what the reader must still do about it."""

    data: StateData
    snapshot: str = ""
    log_count: int = 0
    row_keys: frozenset[str] = frozenset()
    rewrite: bool = False  # not in canonical form (hand-edited, missing times, repeats)
    torn: bool = False  # an interrupted append was cut off the end
    appendable: bool = True  # `[[log]]` tables may be appended to this text


def format_row(entry: Entry) -> str:
    """`KEY | STAR | READ | TITLE`, the one line a paper takes in the file."""
    star = f"{'starred' if entry.starred else 'unstarred'} {entry.starred_at}" if entry.starred_at else "-"
    read = f"{'read' if entry.read else 'unread'} {entry.read_at}" if entry.read_at else "-"
    return f"{entry.key} | {star} | {read} | {entry.title}"


def _blocks(name: str, lines: list[str]) -> str:
    """`name = [ '''...''', ... ]`: the lines in literal blocks of BLOCK_ROWS."""
    parts = [f"{name} = [\n"]
    for start in range(0, len(lines), BLOCK_ROWS):
        parts += [f"{Q3}\n", *(f"{line}\n" for line in lines[start : start + BLOCK_ROWS]), f"{Q3},\n"]
    parts.append("]\n")
    return "".join(parts)


def format_state(data: StateData, snapshot: str) -> str:
    """The whole file, rows sorted by key so that diffs stay small."""
    import tomli_w  # writing only: opening the reader only reads

    plain: list[str] = []
    quoted: list[str] = []
    entries = data.entries
    for key in sorted(entries):  # sorting the keys alone is ~10x cheaper than the items
        entry = entries[key]
        if entry.is_set:
            row = format_row(entry)
            (plain if _BLOCK_UNSAFE.search(row) is None else quoted).append(row)
    parts = [HEADER, tomli_w.dumps({"schema": SCHEMA_VERSION, "snapshot": snapshot}), _blocks("papers", plain)]
    if quoted:
        parts.append(tomli_w.dumps({"papers_quoted": quoted}))
    parts.append(_blocks("aliases", [f"{old} | {a.to} | {a.at}" for old, a in sorted(data.aliases.items())]))
    return "".join(parts)


def format_changes(changes: list[Change]) -> str:
    """`[[log]]` tables to append: valid TOML both alone and after any file we wrote."""
    import tomli_w  # writing only, as in format_state

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
    if not isinstance(snapshot, str):
        raise StateCorruptError("'snapshot' must be text")
    data = StateData()
    rewrite = False
    for where, line in _lines(_blocks_of(doc, "aliases"), "aliases"):
        alias, fixed = _parse_alias(line, default_at, where)
        data.add_alias(alias)
        rewrite |= fixed
    rows: list[Entry] = []
    for number, block in enumerate(_blocks_of(doc, "papers"), 1):
        found, fixed = _rows(block, default_at, number)
        rows += found
        rewrite |= fixed
    quoted = [_parse_row(row, default_at, f"papers_quoted row {n}") for n, row in enumerate(_quoted(doc), 1)]
    rewrite |= any(_BLOCK_UNSAFE.search(format_row(e)) is None for e in quoted)
    entries, row_keys = data.entries, set()
    for entry in rows + quoted:  # the hot loop of loading
        key = entry[0]
        if key in row_keys or key in data.aliases:
            rewrite |= key in row_keys
            data.merge_entry(entry)
        elif entry[3] or entry[5]:  # is_set, without the property call
            entries[key] = entry
        row_keys.add(key)
    data.starred_count = sum(map(itemgetter(2), entries.values()))
    data.read_count = sum(map(itemgetter(4), entries.values()))
    changes, fixed = _changes(doc.get("log", []), default_at)
    for change in changes:
        data.apply(change)
    return Parsed(data, snapshot, len(changes), frozenset(row_keys), rewrite or fixed)


def _blocks_of(doc: dict[str, object], name: str) -> list[str]:
    """The blocks of lines under `name`: an array of strings (as written), or one string."""
    value = doc.get(name, [])
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(x, str) for x in value):
        return value
    raise StateCorruptError(f"'{name}' must be an array of strings")


def _quoted(doc: dict[str, object]) -> list[str]:
    value = doc.get("papers_quoted", [])
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise StateCorruptError("'papers_quoted' must be an array of strings")
    return value


def _lines(blocks: list[str], name: str, first: int = 1) -> list[tuple[str, str]]:
    """(where, line) for each line of the blocks that is neither blank nor a comment."""
    out = []
    for b, block in enumerate(blocks, first):
        out += [(f"{name} block {b} line {n}", line) for n, line in enumerate(block.split("\n"), 1)]
    return [(where, line) for where, line in out if not _SKIP.fullmatch(line)]


def _rows(block: str, default_at: str, number: int) -> tuple[list[Entry], bool]:
    """The entries of one block of `papers`: one regex pass when every line is canonical."""
    found = _find_rows(block)
    if len(found) == _count_rows(block):
        make = Entry._make  # tuple.__new__: far cheaper than the keyword constructor
        return [make((k, t, s == "starred", s_at, r == "read", r_at)) for k, s, s_at, r, r_at, t in found], False
    entries = []
    for where, line in _lines([block], "papers", number):
        match = _ROWS.fullmatch(line)
        if match is None:
            entries.append(_parse_row(line, default_at, where))
        else:
            key, s, s_at, r, r_at, title = match.groups()
            entries.append(Entry(key, title, s == "starred", s_at or "", r == "read", r_at or ""))
    return entries, True


def _find_rows(block: str, slice_chars: int = 1 << 16) -> list[tuple[str, ...]]:
    """_ROWS.findall, a slice of lines at a time: one C call holds the GIL, and a writer
    thread must not hold it for long while the UI thread waits."""
    found: list[tuple[str, ...]] = []
    start = 0
    while start < len(block):
        end = block.find("\n", start + slice_chars) + 1 or len(block)
        found += _ROWS.findall(block, start, end)
        start = end
    return found


def _count_rows(block: str) -> int:
    """How many lines of a block are neither blank nor comments (cheaply: most are rows)."""
    return sum(1 for line in block.split("\n") if line and (line[0] not in " \t#" or not _SKIP.fullmatch(line)))


def _parse_row(row: str, default_at: str, where: str) -> Entry:
    """A row not in canonical form (hand-edited): parsed leniently, rewritten later."""
    try:
        parts = row.split("|", 3)
        if len(parts) < 3:
            raise ValueError("expected 'KEY | STAR | READ | TITLE'")
        key = check_key(parts[0].strip())
        starred, starred_at = _parse_register(parts[1], "starred", "unstarred", default_at)
        read, read_at = _parse_register(parts[2], "read", "unread", default_at)
    except ValueError as exc:
        raise StateCorruptError(f"{where} ({row.strip()!r}): {exc}") from None
    return Entry(key, parts[3].strip() if len(parts) == 4 else "", starred, starred_at, read, read_at)


def _parse_alias(row: str, default_at: str, where: str) -> tuple[AliasChange, bool]:
    try:
        parts = [part.strip() for part in row.split("|")]
        if len(parts) not in (2, 3):
            raise ValueError("expected 'OLD KEY | NEW KEY | TIME'")
        when = parts[2] if len(parts) == 3 else ""
        at = normalize(when) if when else default_at
        return AliasChange(check_key(parts[0]), check_key(parts[1]), at), at != when
    except ValueError as exc:
        raise StateCorruptError(f"{where} ({row.strip()!r}): {exc}") from None


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
