"""The command line: export, bad input (one line, exit 2, no traceback), help and version."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from broadsheet import __version__
from broadsheet.cli import main

ABSTRACT = "We study things carefully. " * 20
LISTING = f"Daily Papers\n\nDec 16\n\nA Paper\n\n{ABSTRACT}\n\n  • 3 authors\n·\nMay 4 1\n\nB Paper\n\n{ABSTRACT}\n\n"


def run(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "broadsheet", *args], input=stdin, capture_output=True, cwd=cwd, timeout=60
    )


@pytest.fixture
def listing(tmp_path: Path) -> Path:
    path = tmp_path / "page.txt"
    path.write_text(LISTING, encoding="utf-8")
    return path


def test_export_jsonl_schema(listing: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--year", "2024", str(listing)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["title"] for r in rows] == ["A Paper", "B Paper"]
    first = rows[0]
    assert set(first) == {
        "key",
        "title",
        "abstract",
        "ai_summary",
        "authors",
        "authors_count",
        "organization",
        "published",
        "year_inferred",
        "upvotes",
        "arxiv_id",
        "urls",
        "sources",
        "upvote_history",
    }
    assert first["published"] == "2024-05-04"
    assert first["year_inferred"] is True
    assert first["upvotes"] == 1
    assert first["authors_count"] == 3
    assert first["organization"] is None
    assert first["sources"] == [{"file": str(listing), "line": 5}]
    assert rows[1]["published"] is None


def test_export_json_and_dump_round_trip(listing: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["export", "--format", "json", str(listing)]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2
    assert main(["export", "--format", "dump", "--year", "2024", str(listing)]) == 0
    dumped = tmp_path / "again.txt"
    dumped.write_text(capsys.readouterr().out, encoding="utf-8")
    assert main(["export", str(dumped)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["title"], r["published"]) for r in rows] == [("A Paper", "2024-05-04"), ("B Paper", None)]


def test_stdin_is_read_with_a_dash() -> None:
    done = run("export", "-", stdin=LISTING.encode())
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 2
    assert json.loads(done.stdout.splitlines()[0])["sources"][0]["file"] == "-"


def _bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    empty_dir = tmp_path / "emptydir"
    empty_dir.mkdir()
    junk_dir = tmp_path / "junkdir"
    junk_dir.mkdir()
    (junk_dir / "notes.txt").write_text("hello\nworld\n")
    cases = {
        "missing": (tmp_path / "nope.txt", "no such file"),
        "empty dir": (empty_dir, "directory holds no listings"),
        "dir of junk": (junk_dir, "directory holds no listings"),
        "binary": (tmp_path / "bin.dat", "binary file"),
        "empty": (tmp_path / "empty.txt", "empty file"),
        "latin-1 prose": (tmp_path / "latin.txt", "not a daily-papers listing"),  # decoded, then sniffed
        "json": (tmp_path / "x.json", "JSON that is not"),
        "html": (tmp_path / "x.html", "HTML or XML"),
        "prose": (tmp_path / "prose.txt", "not a daily-papers listing"),
    }
    (tmp_path / "bin.dat").write_bytes(b"\x7fELF\x00\x01\x02" * 100)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "latin.txt").write_bytes("Caf\xe9 na\xefve\n".encode("latin-1"))
    (tmp_path / "x.json").write_text('{"hello": 1}')
    (tmp_path / "x.html").write_text("<!doctype html><html><body>hi</body></html>")
    (tmp_path / "prose.txt").write_text("just\nsome\nshort\nlines\n")
    return cases


def test_bad_inputs_give_one_line_and_exit_2(tmp_path: Path) -> None:
    for name, (path, reason) in _bad_inputs(tmp_path).items():
        done = run("export", str(path))
        err = done.stderr.decode()
        assert done.returncode == 2, name
        assert err.count("\n") == 1, (name, err)
        assert str(path) in err and reason in err, (name, err)
        assert "Traceback" not in err


def test_a_latin_1_listing_is_read_with_one_warning(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    # an old editor's Windows-1252: the titles, the bullet and the middle dot are not UTF-8
    path.write_bytes(LISTING.replace("A Paper", "Caf\xe9 Paper").replace("B Paper", "Na\xefve Paper").encode("cp1252"))
    done = run("export", str(path))
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["title"] for line in done.stdout.splitlines()] == ["Caf\xe9 Paper", "Na\xefve Paper"]
    assert done.stderr.decode() == (
        f"broadsheet: warning: {path}: 4 lines not valid UTF-8 (first at line 5), read as Windows-1252\n"
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file, so permission errors cannot be provoked")
def test_permission_error(listing: Path) -> None:
    listing.chmod(0)
    done = run("export", str(listing))
    assert done.returncode == 2
    assert "permission denied" in done.stderr.decode()


def test_help_has_examples_and_version_works() -> None:
    done = run("--help")
    assert done.returncode == 0
    assert b"examples:" in done.stdout
    assert b"broadsheet export" in done.stdout
    assert run("export", "--help").stdout.count(b"broadsheet export") >= 2
    version = run("--version")
    assert version.stdout.decode().strip() == f"broadsheet {__version__}"


def test_bad_option_is_a_usage_error() -> None:
    done = run("export", "--format", "pdf", "x")
    assert done.returncode == 2
    assert b"invalid choice" in done.stderr


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_export_reimports_losslessly(
    fmt: str, listing: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / f"papers.{fmt}"
    assert main(["export", "--year", "2024", "--format", fmt, "--output", str(out), str(listing)]) == 0
    assert main(["export", "--year", "2024", str(listing)]) == 0
    original = capsys.readouterr().out
    assert main(["export", str(out)]) == 0
    assert capsys.readouterr().out == original
    assert main(["add", str(out)]) == 0
    assert "added 2 papers (2 new, 0 merged)" in capsys.readouterr().out


def test_feed_and_api_json_are_recognised_by_content(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feed = tmp_path / "no-extension"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        "<item><title>A Feed Paper</title><link>https://arxiv.org/abs/2401.01234v2</link>"
        f"<description>{ABSTRACT}</description></item></channel></rss>",
        encoding="utf-8",
    )
    api = tmp_path / "api.txt"
    api.write_text(
        '[{"paper": {"id": "2410.17243", "title": "An API\\n  Paper", "summary": "Words.", "authors": [],'
        ' "publishedAt": "2024-10-22T00:00:00.000Z", "upvotes": 3}, "title": "An API Paper"}]',
        encoding="utf-8",
    )
    assert main(["export", str(feed), str(api)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["key"], r["title"]) for r in rows] == [
        ("arxiv:2401.01234", "A Feed Paper"),
        ("arxiv:2410.17243", "An API Paper"),
    ]
    assert rows[1]["published"] == "2024-10-22" and rows[1]["upvotes"] == 3
