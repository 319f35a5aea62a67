"""A large dump read on two cores (`dump_split`) gives exactly what one reading gives.

The reference is the stream read in one process (`parse_data`, proven equal to the whole-text
parse in test_large_files). Here the same bytes are a file on disk, read with a helper
process taking the text after a cut: every paper and its order, every warning and its line,
the encoding notice, the entry count and the page year must agree, and whatever goes wrong
with the helper, the result must still agree.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.test_large_files import ABSTRACT, HEADER, SEEDS, dump_bytes

from broadsheet.sources import dump_split, ingest
from broadsheet.sources.dump_parser import DumpParser
from broadsheet.sources.dump_split import DumpSplit, find_cut
from broadsheet.sources.errors import WARNINGS_KEPT, ListingError
from broadsheet.sources.loader import parse_data, read_one


def entry(n: int, *, date: str = "May 4, 2024 3") -> str:
    return f"Paper number {n}\n\n{ABSTRACT}{n}\n\n  • {n % 5 + 1} authors\n·\n{date}\n\n"


class Outcomes:
    """What the split did in each reading: 'no split', 'merged', 'refused' (the cut, by this
    process), or 'helper failed after N' (papers it gave before)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.seen: list[str] = []
        self.helpers: list[DumpSplit] = []
        start, run_to_cut, hand_on = DumpSplit.start, DumpParser.run_to_cut, DumpSplit.hand_on

        def record_start(text):  # type: ignore[no-untyped-def]
            helper = start(text)
            if isinstance(text.handle, io.BytesIO):
                assert helper is None  # the reference reading, in one process
            elif helper is None:
                self.seen.append("no split")
            else:
                self.helpers.append(helper)
            return helper

        def record_run_to_cut(parser, *args):  # type: ignore[no-untyped-def]
            ok = run_to_cut(parser, *args)
            if not ok:
                self.seen.append("refused")
            return ok

        def record_hand_on(helper, *args):  # type: ignore[no-untyped-def]
            handed = hand_on(helper, *args)
            self.seen.append("merged" if handed is None else f"helper failed after {handed}")
            return handed

        monkeypatch.setattr(DumpSplit, "start", staticmethod(record_start))
        monkeypatch.setattr(DumpParser, "run_to_cut", record_run_to_cut)
        monkeypatch.setattr(DumpSplit, "hand_on", record_hand_on)


@pytest.fixture
def outcomes(monkeypatch: pytest.MonkeyPatch) -> Iterator[Outcomes]:
    """Split files of any size (a second core assumed, a small head read before the cut, so
    a test's text must show it is a dump in its first 64 characters)."""
    monkeypatch.setattr(dump_split, "SPLIT_FROM", 0)
    monkeypatch.setattr(dump_split, "usable_cpus", lambda: 2)
    monkeypatch.setattr(ingest, "HEAD_CHARS", 64)
    recorder = Outcomes(monkeypatch)
    yield recorder
    for helper in recorder.helpers:  # none is left running, whatever happened
        assert helper.process.returncode is not None


def reference(data: bytes, year: int | None = None) -> tuple[object, ...] | str:
    try:
        result = parse_data(data, "f.txt", year=year)
    except ListingError as error:
        return error.reason
    return result.papers, result.notices, result.warnings, result.omitted, result.entries, result.page_year


def from_file(
    path: Path, data: bytes, *, share: float = 0.5, block_size: int = 64, year: int | None = None
) -> tuple[object, ...] | str:
    path.write_bytes(data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dump_split, "OWN_SHARE", share)
        try:
            with path.open("rb") as handle:
                result = read_one(handle, "f.txt", year=year, block_size=block_size)
        except ListingError as error:
            return error.reason
    return result.papers, result.notices, result.warnings, result.omitted, result.entries, result.page_year


def test_a_cut_follows_a_metadata_blocks_date_line() -> None:
    text = b"Title\n\nAbstract\n\n  \xe2\x80\xa2 3 authors\n\xc2\xb7\n\nMay 4, 2024 12\nNext\n"
    assert text[find_cut(text, 0) :] == b"Next\n"
    assert find_cut(text.replace(b"May 4", b"Foo 4"), 0) is None  # no month: no date line
    assert find_cut(text.replace(b"\n", b"\r\n"), 0) is None  # other line breaks: no cut
    assert find_cut(text, text.index(b"\xc2\xb7")) is None  # none after the start given


@pytest.mark.parametrize("share", [0.05, 0.3, 0.5, 0.9])
def test_many_entries_read_on_two_cores_exactly(outcomes: Outcomes, tmp_path: Path, share: float) -> None:
    data = (HEADER + "".join(entry(n) for n in range(300))).encode()
    expected = reference(data)
    assert from_file(tmp_path / "f.txt", data, share=share) == expected
    assert outcomes.seen == ["merged"]
    assert len(expected[0]) == 300  # type: ignore[arg-type]


@pytest.mark.skipif(not SEEDS, reason="../shared/seeds is absent (the real pages live outside this repo)")
@pytest.mark.parametrize("share", [0.1, 0.2, 0.5])  # the last seed has no metadata: no cut there
def test_the_seeds_as_one_file_read_on_two_cores_exactly(outcomes: Outcomes, tmp_path: Path, share: float) -> None:
    data = b"\n\n".join(seed.read_bytes() for seed in SEEDS)
    assert from_file(tmp_path / "f.txt", data, share=share, block_size=4096) == reference(data)
    assert from_file(tmp_path / "g.txt", data, share=share, block_size=4096, year=2021) == reference(data, 2021)
    assert outcomes.seen == ["merged", "merged"]


def test_warnings_encoding_and_page_date_found_by_the_helper_are_reported_as_if_read_here(
    outcomes: Outcomes, tmp_path: Path
) -> None:
    first = HEADER + "".join(entry(n) for n in range(20))  # the header gives no date
    second = (
        "Lost title\n\n"  # a title without an abstract
        + entry(20)
        + "Nov 22\n\nDaily Papers\n\n"  # a page's date: the first one read
        + "·\nMay 5\n\n"  # metadata with no paper before it
        + "caf\udce9 title\n\n"  # not UTF-8
        + ABSTRACT
        + "\n\n·\nFeb 30, 2024\n\n"  # an impossible date
        + "".join(entry(n) for n in range(21, 40))
    )
    data = (first + second).encode("utf-8", "surrogateescape")
    assert find_cut(data, 0) < len(first)  # type: ignore[operator]
    expected = reference(data)
    assert from_file(tmp_path / "f.txt", data, share=0.3) == expected
    # the page date, read after papers were made, makes the text read again (as in one process)
    assert outcomes.seen == ["merged", "merged"]
    _papers, notices, warnings, _omitted, _entries, page_year = expected  # type: ignore[misc]
    bad_line = data[: data.index(b"caf\xe9")].count(b"\n") + 1
    assert [w.reason for w in notices] == [f"1 line not valid UTF-8 (first at line {bad_line}), read as Windows-1252"]
    assert [w.reason for w in warnings] == [
        "title without an abstract, skipped",
        "metadata with no paper before it, skipped",
        "impossible date, left out",
    ]
    # the helper's page date dates the upvote counts of every paper, those read here too
    dated = [p.upvote_history[0].seen for p in _papers if p.upvotes is not None]  # type: ignore[attr-defined]
    assert len(dated) == 40 and set(dated) == {dt.date(page_year, 11, 22)}


def test_a_warning_cap_reached_across_the_cut_counts_the_same(outcomes: Outcomes, tmp_path: Path) -> None:
    junk = "·\nMay 5\n\n" * (WARNINGS_KEPT // 2 + 50)  # metadata with no paper, each a warning
    data = (HEADER + entry(0) + junk + junk + entry(1)).encode()
    expected = reference(data)
    assert from_file(tmp_path / "f.txt", data, share=0.3) == expected
    assert outcomes.seen == ["merged"] and expected[3] > 0  # type: ignore[operator]


def test_a_cut_before_any_entry_is_refused_and_the_rest_read_here(outcomes: Outcomes, tmp_path: Path) -> None:
    # the page furniture is read as such only before the first entry, and the helper reads
    # as if entries came before its part: with none, its reading is not taken
    data = (HEADER + "·\nMay 5\n\n" * 40 + "Daily Papers\n\n" + "".join(entry(n) for n in range(5))).encode()
    expected = reference(data)
    assert from_file(tmp_path / "f.txt", data, share=0.05) == expected
    assert outcomes.seen == ["refused"]


@pytest.mark.parametrize(
    "boot",
    [
        "import sys; sys.exit(3)",  # dies at once
        "import os; os.write(1, b'\\x05' + bytes(7))",  # a notice with no frame behind it
        "import os, sys; os.write(int(sys.argv[4]), b'junk'); os.write(1, b'\\x04' + bytes(7))",  # no marshal
        "import os; os.write(1, b'hello wo')",  # something else on its output
        "import time; time.sleep(30)",  # says nothing
    ],
    ids=["dies", "no-frame", "garbage", "chatter", "silent"],
)
def test_whatever_the_helper_does_the_rest_is_read_here(
    outcomes: Outcomes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, boot: str
) -> None:
    monkeypatch.setattr(dump_split, "_BOOT", boot)
    monkeypatch.setattr(dump_split, "_QUIET", 0.5)
    data = (HEADER + "".join(entry(n) for n in range(60))).encode()
    assert from_file(tmp_path / "f.txt", data, share=0.3) == reference(data)
    assert outcomes.seen == ["helper failed after 0"]


def test_a_helper_failing_midway_leaves_the_rest_read_here_past_what_it_gave(
    outcomes: Outcomes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the real helper, made to die after its first frame of entries (it sends one a MB)
    boot = (
        "import os, sys; sys.path.insert(0, sys.argv[1]); from broadsheet.sources import dump_split as d\n"
        "send = d._FrameWriter.send\n"
        "def dying(self, message, sent=[]):\n"
        "    if sent: os._exit(1)\n"
        "    sent.append(1); send(self, message)\n"
        "d._FrameWriter.send = dying; d.serve()"
    )
    monkeypatch.setattr(dump_split, "_BOOT", boot)
    data = (HEADER + "".join(entry(n) for n in range(8000))).encode()  # ~4 MB
    expected = reference(data)
    assert from_file(tmp_path / "f.txt", data, share=0.3, block_size=1 << 16) == expected
    [seen] = outcomes.seen
    handed = int(seen.removeprefix("helper failed after "))
    assert 0 < handed < 5000  # some papers came from the helper, the rest were read here


def test_a_helper_ahead_by_its_credit_waits_for_this_process(
    outcomes: Outcomes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dump_split, "CREDIT", 1)  # every frame waits for the one before to be read
    data = (HEADER + "".join(entry(n) for n in range(300))).encode()
    assert from_file(tmp_path / "f.txt", data, share=0.3) == reference(data)
    assert outcomes.seen == ["merged"]


@pytest.mark.skipif(dump_split._fallocate is None, reason="frames are freed only on Linux")
def test_a_read_frame_gives_its_memory_back() -> None:
    frames = dump_split._anonymous_file()
    with frames:
        frames.write(b"x" * (4 << 20))
        frames.flush()
        before = os.fstat(frames.fileno()).st_blocks
        dump_split._free(frames.fileno(), 0, 3 << 20)
        assert os.fstat(frames.fileno()).st_blocks <= before // 4 + 8


def test_an_interrupt_while_the_helper_runs_leaves_no_process(
    outcomes: Outcomes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*_args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(DumpParser, "papers_from_records", fail)
    path = tmp_path / "f.txt"
    path.write_bytes((HEADER + "".join(entry(n) for n in range(60))).encode())
    with path.open("rb") as handle, pytest.raises(KeyboardInterrupt):
        read_one(handle, "f.txt", block_size=64)
    assert len(outcomes.helpers) == 1  # and the fixture checks it was reaped


def test_a_file_cut_short_while_it_is_read_reads_as_the_shorter_file(
    outcomes: Outcomes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = (HEADER + "".join(entry(n) for n in range(200))).encode()
    path = tmp_path / "f.txt"
    path.write_bytes(data)
    start = DumpSplit.start

    def start_then_truncate(text):  # type: ignore[no-untyped-def]
        helper = start(text)
        os.truncate(path, len(data) // 2)  # before the cut, after papers were handed on
        return helper

    monkeypatch.setattr(DumpSplit, "start", staticmethod(start_then_truncate))
    monkeypatch.setattr(dump_split, "OWN_SHARE", 0.9)
    with path.open("rb") as handle:
        result = read_one(handle, "f.txt", block_size=64)
    shorter = reference(data[: len(data) // 2])
    assert (result.papers, result.warnings, result.entries) == (shorter[0], shorter[2], shorter[4])  # type: ignore[index]
    assert outcomes.seen == []  # the text ended before the cut: the helper was not asked


def test_small_files_and_one_core_are_read_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = Outcomes(monkeypatch)
    data = (HEADER + "".join(entry(n) for n in range(60))).encode()
    assert from_file(tmp_path / "f.txt", data) == reference(data)  # under SPLIT_FROM
    monkeypatch.setattr(dump_split, "SPLIT_FROM", 0)
    monkeypatch.setattr(dump_split, "usable_cpus", lambda: 1)
    assert from_file(tmp_path / "f.txt", data) == reference(data)
    assert recorder.seen == ["no split", "no split"]


SLOW_OK = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]  # a helper process per example


@settings(max_examples=60, deadline=None, suppress_health_check=SLOW_OK)
@given(dump_bytes(), st.floats(0.0, 0.6), st.sampled_from([7, 64, 4096]))
def test_generated_dumps_read_on_two_cores_exactly(
    outcomes: Outcomes, tmp_path: Path, data: bytes, share: float, block_size: int
) -> None:
    data = b"Daily Papers\n\n" + data  # the sniff sees only the small head
    assert from_file(tmp_path / "g.txt", data, share=share, block_size=block_size) == reference(data)
