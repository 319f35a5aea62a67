"""`broadsheet add`, `library`, `remove`, and opening the library with no arguments."""

from __future__ import annotations

import argparse
import hashlib
import io
from pathlib import Path

import pytest
from tests.reader_fixtures import PLAIN_TITLES, write_listing

from broadsheet import paths
from broadsheet.cli import main
from broadsheet.commands.reader import choose_listings


def test_add_reports_new_and_merged_then_dedupes_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = write_listing(tmp_path, PLAIN_TITLES[:4], "a.txt")
    second = write_listing(tmp_path, PLAIN_TITLES[2:], "b.txt")
    assert main(["add", str(first)]) == 0
    assert "added 4 papers (4 new, 0 merged), skipped 0" in capsys.readouterr().out
    assert main(["add", str(second)]) == 0
    assert "added 4 papers (2 new, 2 merged), skipped 0" in capsys.readouterr().out
    assert main(["add", str(first)]) == 0
    assert "already in the library" in capsys.readouterr().out
    assert len(list(paths.library_dir().iterdir())) == 2
    assert (
        paths.library_dir() / next(p.name for p in paths.library_dir().iterdir() if "a.txt" in p.name)
    ).read_bytes() == first.read_bytes()


def test_library_lists_and_remove_takes_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["add", str(write_listing(tmp_path, PLAIN_TITLES, "a.txt"))])
    capsys.readouterr()
    assert main(["library"]) == 0
    out = capsys.readouterr().out
    assert f"1 listings, {len(PLAIN_TITLES)} papers" in out
    name = out.split("\t")[0]
    assert main(["remove", name[:6]]) == 0
    assert not list(paths.library_dir().iterdir())
    assert main(["remove", "nothing-like-it"]) == 2


def test_bad_listing_is_not_added(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_text("hello\nworld\n")
    assert main(["add", str(junk)]) == 2
    assert "not a daily-papers listing" in capsys.readouterr().err
    assert not paths.library_dir().exists() or not list(paths.library_dir().iterdir())


def test_no_arguments_opens_the_library_else_the_sample(tmp_path: Path) -> None:
    args = argparse.Namespace(paths=[], year=None)
    listings, banner = choose_listings(args)
    assert banner is not None and "sample" in banner
    main(["add", str(write_listing(tmp_path, PLAIN_TITLES, "a.txt"))])
    listings, banner = choose_listings(args)
    assert banner is None
    assert sorted(p.title for p in listings.papers) == sorted(PLAIN_TITLES)


def test_add_from_stdin_keeps_the_bytes_and_names_them_by_digest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = write_listing(tmp_path, PLAIN_TITLES[:3]).read_bytes()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["add", "-"]) == 0
    assert capsys.readouterr().out == "-: added 3 papers (3 new, 0 merged), skipped 0\n"
    [kept] = paths.library_dir().iterdir()
    assert kept.name == f"{hashlib.sha256(data).hexdigest()[:12]}-stdin.txt"
    assert kept.read_bytes() == data


def test_add_reports_warnings_and_keeps_nothing_half_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = write_listing(tmp_path, PLAIN_TITLES[:2])
    good = listing.read_bytes()
    listing.write_bytes(good + b"\n\nCaf\xe9 Without An Abstract\n")  # a Windows-1252 line
    line = good.count(b"\n") + 3
    assert main(["add", str(listing)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{listing}: added 2 papers (2 new, 0 merged), skipped 1",
        f"  note: {listing}: 1 line not valid UTF-8 (first at line {line}), read as Windows-1252",
        f"  skipped {listing}:{line}: title without an abstract, skipped",
    ]
    binary = tmp_path / "binary.dat"
    binary.write_bytes(b"\x00\x01" * 1000)
    assert main(["add", str(binary)]) == 2
    assert "binary file, not a listing" in capsys.readouterr().err
    assert [p.name.endswith("-page.txt") for p in paths.library_dir().iterdir()] == [True]  # no temporary file left
