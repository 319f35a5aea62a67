"""`export --with-state` and `merge` of such an export: stars and read marks travel with their
times and fold in by the state's latest-wins rule; the papers still re-import."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from broadsheet.cli import main
from broadsheet.export.json_lines import paper_from_dict
from broadsheet.export.with_state import read_state_records, state_fields
from broadsheet.state import UNKNOWN_TIME, PaperState, ReadingState

ABSTRACT = "We study things carefully. " * 20
LISTING = "Daily Papers\n\nDec 16\n\n" + "".join(
    f"{name}\n\n{ABSTRACT}\n\n  • 3 authors\n·\nMay 4 1\n\n" for name in ("A Paper", "B Paper", "C Paper")
)
A, B, C = "title:a paper", "title:b paper", "title:c paper"
MAY = "2024-05-01T00:00:00Z"


@pytest.fixture
def listing(tmp_path: Path) -> Path:
    path = tmp_path / "page.txt"
    path.write_text(LISTING, encoding="utf-8")
    return path


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A state file: A starred and read, B read then unread, C never touched."""
    path = tmp_path / "source.toml"
    with ReadingState(path, background=False) as state:
        state.star(A, "A Paper")
        state.mark_read(A, "A Paper")
        state.mark_read(B, "B Paper")
        state.mark_unread(B, "B Paper")
    return path


def snapshot(path: Path) -> dict[str, tuple[object, ...]]:
    """Every recorded register with its time, titles aside (they differ by design)."""
    with ReadingState(path, background=False, readonly=True) as state:
        return {e.key: (e.starred, e.starred_at, e.read, e.read_at) for e in state.entries()}


def write_lines(path: Path, *records: object) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_export_with_state_then_merge_restores_marks_and_times(
    fmt: str, listing: Path, source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / f"papers.{fmt}"
    args = ["export", "--format", fmt, "--with-state", "--state", str(source), "-o", str(out), str(listing)]
    assert main(args) == 0
    text = out.read_text(encoding="utf-8")
    records = json.loads(text) if fmt == "json" else [json.loads(line) for line in text.splitlines()]
    by_key = {r["key"]: r for r in records}
    assert by_key[C]["state"] is None  # nothing recorded: null, but the key is there
    assert by_key[A]["state"]["starred"] is True and by_key[A]["state"]["starred_at"].endswith("Z")
    assert by_key[B]["state"]["read"] is False and by_key[B]["state"]["starred_at"] is None

    fresh = tmp_path / "fresh.toml"
    capsys.readouterr()
    assert main(["merge", "--state", str(fresh), str(out)]) == 0
    assert capsys.readouterr().out == f"merged {out}: 2 papers changed (2 of 3 records carry state)\n"
    assert snapshot(fresh) == snapshot(source)
    assert main(["merge", "--state", str(fresh), str(out)]) == 0  # idempotent
    assert " 0 papers changed" in capsys.readouterr().out


def test_merge_is_latest_wins_per_register(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    local = tmp_path / "state.toml"
    local.write_text(
        "schema = 1\npapers = ['''\n"
        "arxiv:1 | unstarred 2024-06-01T00:00:00.000000Z | - | One\n"
        "arxiv:2 | starred 2024-04-01T00:00:00.000000Z | read 2024-04-01T00:00:00.000000Z | Two\n"
        "''']\n",
        encoding="utf-8",
    )
    other = ReadingState(local, background=False)  # another instance, open throughout
    export = write_lines(
        tmp_path / "in.jsonl",
        {"key": "arxiv:1", "title": "One", "state": {"starred": True, "starred_at": MAY}},
        {
            "key": "arxiv:2",
            "title": "Two",
            "state": {"starred": False, "starred_at": MAY, "read": True, "read_at": None},
        },
        {"key": "arxiv:3", "title": "Three", "state": {"starred": False, "starred_at": None, "read": True}},
        {"key": "arxiv:4", "title": "Four", "state": {"starred": True, "starred_at": "2024-05-01T12:00:00+02:00"}},
        {"key": "arxiv:5", "title": "Five", "state": {"starred": "yes"}},
        "{not json",
    )
    assert main(["merge", "--state", str(local), str(export)]) == 0
    out, err = capsys.readouterr()
    assert out == f"merged {export}: 3 papers changed (4 of 5 records carry state)\n"
    assert f"{export}:5: " in err and f"{export}:6: invalid JSON" in err and len(err.splitlines()) == 2
    expected = {
        "arxiv:1": (False, "2024-06-01T00:00:00.000000Z", False, None),  # our later unstar stays
        "arxiv:2": (False, "2024-05-01T00:00:00.000000Z", True, "2024-04-01T00:00:00.000000Z"),  # newer unstar wins
        "arxiv:3": (False, None, True, UNKNOWN_TIME),  # a timeless mark fills the gap
        "arxiv:4": (True, "2024-05-01T10:00:00.000000Z", False, None),
    }
    got = {key: tuple(state_fields(e).values()) for key, e in _entries(local).items()}  # type: ignore[union-attr]
    assert got == expected
    other.refresh()  # durable, and visible to an instance that was already running
    assert other.is_starred("arxiv:4") and other.is_read("arxiv:3") and not other.is_starred("arxiv:2")
    other.close()


def _entries(path: Path) -> dict[str, PaperState]:
    with ReadingState(path, background=False, readonly=True) as state:
        return {e.key: e for e in state.entries()}


def test_merge_values_api(tmp_path: Path) -> None:
    old = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    with ReadingState(tmp_path / "s.toml", background=False) as state:
        assert state.merge_values([("arxiv:1", "One", "read", False, None)]) == 0  # nothing to record
        assert state.entry("arxiv:1") is None
        assert state.merge_values([("arxiv:1", "One", "starred", True, None)]) == 1
        assert state.merge_values([("arxiv:1", "", "starred", False, old)]) == 1  # any real time beats none
        assert state.merge_values([("arxiv:1", "", "starred", True, None)]) == 0
        entry = state.entry("arxiv:1")
        assert entry is not None and not entry.starred and entry.starred_at == old and entry.title == "One"
        state.star("arxiv:1")
        assert state.merge_values([("arxiv:1", "One", "starred", False, old)]) == 0  # ours is later
        with pytest.raises(ValueError):
            state.merge_values([("arxiv:2", "Two", "read", True, None), ("bad|key", "", "read", True, None)])
        assert state.entry("arxiv:2") is None  # checked before anything is applied
        with pytest.raises(ValueError):
            state.merge_values([("arxiv:2", "Two", "liked", True, None)])


def test_export_without_state_merges_nothing_and_says_so(
    listing: Path, source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = tmp_path / "plain.jsonl"
    assert main(["export", "--state", str(source), "-o", str(plain), str(listing)]) == 0
    fresh = tmp_path / "fresh.toml"
    capsys.readouterr()
    assert main(["merge", "--state", str(fresh), str(plain)]) == 0
    out, err = capsys.readouterr()
    assert " 0 papers changed" in out and "exported without --with-state" in err
    assert not fresh.exists()
    empty = tmp_path / "empty.jsonl"
    assert main(["export", "--with-state", "--state", str(fresh), "-o", str(empty), str(listing)]) == 0
    assert main(["merge", "--state", str(fresh), str(empty)]) == 0
    assert "no record in it has any" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["csv", "bibtex", "markdown", "dump"])
def test_with_state_needs_a_json_format(fmt: str, listing: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--format", fmt, "--with-state", str(listing)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == f"broadsheet: --with-state works only with --format jsonl or json, not {fmt}\n"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"a": 1}\n', "no broadsheet paper records"),
        ("[1, 2]\n", "no broadsheet paper records"),
        ('[{"key": "arxiv:1",\n', "invalid JSON"),
        ("hello\n", "not valid TOML"),
    ],
)
def test_merge_refuses_what_is_neither(
    content: str, reason: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.json"
    other.write_text(content, encoding="utf-8")
    assert main(["merge", "--state", str(tmp_path / "s.toml"), str(other)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"broadsheet: {other}: neither a reading-state file nor a broadsheet export (")
    assert reason in err and len(err.splitlines()) == 1


def test_merge_still_takes_a_state_file(source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fresh = tmp_path / "fresh.toml"
    assert main(["merge", "--state", str(fresh), str(source)]) == 0
    assert capsys.readouterr().out == f"merged {source}: 2 papers changed\n"
    assert snapshot(fresh) == snapshot(source)


def test_with_state_export_reimports(
    listing: Path, source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "papers.jsonl"
    assert main(["export", "--with-state", "--state", str(source), "-o", str(out), str(listing)]) == 0
    record = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert paper_from_dict(record) == paper_from_dict({k: v for k, v in record.items() if k != "state"})
    assert main(["export", str(listing)]) == 0
    original = capsys.readouterr().out
    assert main(["export", str(out)]) == 0  # the loader ignores "state"
    assert capsys.readouterr().out == original
    assert main(["add", str(out)]) == 0
    assert "added 3 papers (3 new, 0 merged)" in capsys.readouterr().out


def test_state_fields_and_reading_back() -> None:
    at = dt.datetime(2024, 5, 1, 12, 0, 0, 5, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    entry = PaperState("arxiv:1", "One", True, at, False, None)
    fields = state_fields(entry)
    assert fields == {"starred": True, "starred_at": "2024-05-01T10:00:00.000005Z", "read": False, "read_at": None}
    assert state_fields(None) is None
    text = json.dumps({"key": "arxiv:1", "title": "One", "state": fields})
    got = read_state_records(text, "x.jsonl")
    assert got.items == [("arxiv:1", "One", "starred", True, at), ("arxiv:1", "One", "read", False, None)]
    assert (got.records, got.stated, got.marked, got.warnings) == (1, 1, True, [])
