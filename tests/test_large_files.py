"""Streaming ingestion: a file read in blocks gives exactly what the whole-text parse gives.

The whole-text path (`decode_whole` + `parse_dump` + `dedupe`) is the reference; the stream
(`parse_data`, which reads the bytes as a file in blocks, decodes them incrementally, parses
a window of lines at a time and folds papers into a `PaperSet`) must agree on every paper,
their order, every warning with its file:line, the entry count and the page year, for any
block size, including blocks that cut lines and multi-byte characters.
"""

from __future__ import annotations

import functools
import io
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.test_dump_properties import LINES, papers

from broadsheet.cli import main
from broadsheet.export.formats import render
from broadsheet.model import Paper, Source, dedupe, merge
from broadsheet.sources import decoding, dump_parser, dump_stream, ingest, lines
from broadsheet.sources.decoding import decode_whole
from broadsheet.sources.dump import looks_like_dump, parse_dump, write_dump
from broadsheet.sources.dump_stream import latest_explicit_year
from broadsheet.sources.errors import WARNINGS_KEPT, ListingError
from broadsheet.sources.exported import parse_export
from broadsheet.sources.hf_api import parse_hf_json
from broadsheet.sources.ingest import MAX_WHOLE, read_listing
from broadsheet.sources.json_stream import JsonArray
from broadsheet.sources.loader import load_listings, parse_data

SEEDS = sorted((Path(__file__).resolve().parents[1].parent / "shared" / "seeds").glob("*.txt"))
FIXTURES = Path(__file__).parent / "fixtures"
HEADER = "Daily Papers\n\nbyAK and the research community\n\n"
ABSTRACT = "We study things carefully and at length. " * 10


def whole(data: bytes, source: str, year: int | None = None) -> tuple[object, ...] | str:
    """The reference: the whole text decoded, parsed and deduplicated at once."""
    try:
        text, encoding_warnings = decode_whole(data, source)
    except ListingError as error:
        return error.reason
    if not looks_like_dump(text):  # the stream sniffs its head, which here is the whole text
        return "not a daily-papers listing (no page header, metadata or abstracts found)"
    result = parse_dump(text, source, year=year)
    if not result.papers:
        return "no papers"
    outcome = (result.warnings, result.omitted, result.entries, result.page_year)
    return dedupe(result.papers), encoding_warnings, *outcome


def streamed(data: bytes, source: str, block_size: int, year: int | None = None) -> tuple[object, ...] | str:
    try:
        result = parse_data(data, source, year=year, block_size=block_size)
    except ListingError as error:
        return "no papers" if error.reason.startswith("no papers found") else error.reason
    return result.papers, result.notices, result.warnings, result.omitted, result.entries, result.page_year


def assert_same(data: bytes, block_sizes: tuple[int, ...], year: int | None = None) -> None:
    expected = whole(data, "f.txt", year)
    for size in block_sizes:
        assert streamed(data, "f.txt", size, year) == expected, f"block size {size}"


@contextmanager
def small_limits() -> Iterator[None]:
    """Limits small enough for generated inputs to reach: long lines, pieces, blank runs."""
    with (
        mock.patch.object(lines, "MAX_LINE", 40),
        mock.patch.object(decoding, "PIECE", 16),
        mock.patch.object(dump_parser, "MAX_BLANK_RUN", 3),
        mock.patch.object(dump_parser, "LOOKAHEAD", 6),
    ):
        yield


# --- the seeds and generated corpora ----------------------------------------------------


@pytest.mark.skipif(not SEEDS, reason="../shared/seeds is absent (the real pages live outside this repo)")
@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_every_seed_streams_exactly_as_the_whole_text_parses(seed: Path) -> None:
    data = seed.read_bytes()
    assert isinstance(whole(data, "f.txt"), tuple)
    assert_same(data, (1, 3, 7, 1000, 4096, 1 << 20))
    assert_same(data.replace(b"\n", b"\r\n"), (2, 999))  # CR and LF of one break in different blocks
    assert_same(data, (5, 4096), year=2021)


@pytest.mark.skipif(not SEEDS, reason="../shared/seeds is absent (the real pages live outside this repo)")
def test_all_seeds_as_one_file_and_as_a_folder() -> None:
    joined = b"\n\n".join(seed.read_bytes() for seed in SEEDS)
    assert_same(joined, (61, 8192))
    reference = dedupe([p for seed in SEEDS for p in parse_dump(seed.read_text("utf-8"), str(seed)).papers])
    for size in (97, 1 << 20):
        folder = load_listings([str(SEEDS[0].parent)], block_size=size)
        assert list(folder.papers) == reference
        assert len(folder.papers) == 270 and folder.entries == 282


# --- property-generated inputs -----------------------------------------------------------


@st.composite
def dump_bytes(draw: st.DrawFn) -> bytes:
    """A dump (written from papers, or a soup of dump-like lines), then mangled as files are."""
    if draw(st.booleans()):
        text = write_dump(draw(st.lists(papers(), min_size=1, max_size=6)))
    else:
        soup = draw(st.lists(st.one_of(st.sampled_from([*LINES, ABSTRACT]), st.text(max_size=80)), max_size=40))
        text = HEADER + "\n".join(soup)
    if draw(st.booleans()):
        text = text.replace("\n", draw(st.sampled_from(["\r\n", "\r"])))
    data = text.encode("utf-8")
    for _ in range(draw(st.integers(0, 3))):  # stray bytes: invalid UTF-8, lines read as cp1252
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\xe9", b"\x93q\x94", b"\x81", b"\xe2\x80"])) + data[at:]
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    return data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dump_bytes(), st.sampled_from([1, 2, 3, 5, 8, 64]))
def test_generated_dumps_stream_exactly_as_they_parse(data: bytes, block_size: int) -> None:
    assert_same(data, (block_size, 1 << 20))


# long lines, long bad lines (decoded in pieces), runs of blank lines
PADDING = [b"\n" * 5, b"x" * 50 + b"\xe9" * 20, "é".encode() * 30, b"\r\r\r\r", b"\xe9" * 45 + b"\n"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dump_bytes(), st.lists(st.sampled_from(PADDING), max_size=3), st.sampled_from([1, 3, 7, 32]))
def test_with_small_limits_long_lines_and_blank_runs_agree_too(
    data: bytes, padding: list[bytes], block_size: int
) -> None:
    with small_limits():
        for at, pad in enumerate(padding):  # spread over the text
            cut = len(data) * (at + 1) // (len(padding) + 1)
            data = data[:cut] + pad + data[cut:]
        assert_same(data, (block_size, 1 << 20))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dump_bytes(), st.lists(st.sampled_from(PADDING), max_size=3), st.sampled_from([1, 7, 64]), st.booleans())
def test_past_the_head_blocks_read_as_lines_agree_too(
    data: bytes, padding: list[bytes], block_size: int, small: bool
) -> None:
    # the sniffers' head is decoded as text; after it, a block of plain lines comes as lines
    with mock.patch.object(ingest, "HEAD_CHARS", 64), small_limits() if small else nullcontext():
        for at, pad in enumerate(padding):
            cut = len(data) * (at + 1) // (len(padding) + 1)
            data = data[:cut] + pad + data[cut:]
        assert_same(b"Daily Papers\n\n" + data, (block_size,))


# --- the page year: an assumption that does not hold is read again -------------------------


def test_the_year_scan_finds_the_latest_year_of_a_metadata_block() -> None:
    # it reads what follows each middle dot; a date line elsewhere (a second page's date) is
    # no paper's, and the parser's rule does not count it either
    entry = f"Paper\n\n{ABSTRACT}\n\n  • 2 authors\n·\n\n\nMay 2, 2021 5\n\n"
    text = HEADER + "Dec 16\n\n" + entry * 30 + "Jun 3, 2030\n\n" + entry.replace("2021", "2022") + entry
    for data in (text.encode(), text.replace("\n", "\r\n").encode(), text.replace("\n", "\r").encode()):
        for size in (3, 64, 1 << 20):
            with mock.patch.object(dump_stream, "BLOCK_SIZE", size), io.BytesIO(data) as handle:
                handle.seek(5)
                assert latest_explicit_year(handle) == 2022 and handle.tell() == 5
    assert latest_explicit_year(io.BytesIO(text.replace(", 2021", "").replace(", 2022", "").encode())) is None
    # letters whose UTF-8 ends in the dot's byte, everywhere: a scan of every date line takes over
    cyrillic = ("зима " * 20_000).encode()
    assert latest_explicit_year(io.BytesIO(cyrillic + (entry * 3).replace("2021", "2022").encode() + cyrillic)) == 2022


def test_the_year_scan_maps_a_file_and_finds_what_it_finds_in_memory(tmp_path: Path) -> None:
    entry = f"Paper\n\n{ABSTRACT}\n\n  • 2 authors\n·\n\n\nMay 2, 2021 5\n\n"
    text = HEADER + "Dec 16\n\n" + entry * 30 + "Jun 3, 2030\n\n" + entry.replace("2021", "2022") + entry
    cyrillic = ("зима " * 20_000).encode()
    cases = [text.encode(), text.replace("\n", "\r\n").encode(), b"", cyrillic + text.encode() + cyrillic]
    for number, data in enumerate(cases):
        path = tmp_path / f"dump{number}.txt"
        path.write_bytes(data)
        for size in (3, 64, 1 << 20):
            with mock.patch.object(dump_stream, "BLOCK_SIZE", size):
                with path.open("rb") as handle:
                    handle.seek(min(5, len(data)))
                    from_file = latest_explicit_year(handle)
                    assert handle.tell() == min(5, len(data))
                assert from_file == latest_explicit_year(io.BytesIO(data)), (number, size)
    assert latest_explicit_year(io.BytesIO(b"")) is None


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak RSS from /proc")
def test_the_year_scan_does_not_hold_the_whole_file_in_memory(tmp_path: Path) -> None:
    # the scan maps the file; its pages would all count in the process's RSS if kept. (The
    # peak is VmHWM: a child's ru_maxrss starts at its parent's, here pytest's.)
    path = tmp_path / "big.txt"
    entry = f"Paper\n\n{ABSTRACT}\n\n  • 2 authors\n·\n\nMay 2, 2021 5\n\n"
    path.write_text(HEADER + entry * (64_000_000 // len(entry)), encoding="utf-8")
    script = (
        "import re, sys\n"
        "from broadsheet.sources.dump_stream import latest_explicit_year\n"
        "def peak(): return int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1])\n"
        "before = peak()\n"
        "with open(sys.argv[1], 'rb') as handle:\n"
        "    assert latest_explicit_year(handle) == 2021\n"
        "print(peak() - before)\n"
    )
    grown_kib = int(subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, check=True).stdout)
    assert grown_kib < 16_000, grown_kib  # of a 64 MB file


def test_a_wrong_page_year_assumption_is_read_again_and_ends_up_exact() -> None:
    # an orphan metadata block shows the latest year: the byte scan takes it, the rule does not;
    # longer than the head the sniffers read, which is parsed in one piece
    entries = [f"Paper {n}\n\n{ABSTRACT}\n\n  • 2 authors\n·\nMay {n % 28 + 1}\n" for n in range(400)]
    text = HEADER + "Dec 16\n\n" + "·\nJun 3, 2030\n\n" + "\n".join(entries) + "\nOld\n\n" + ABSTRACT
    text += "\n\n  • 1 author\n·\nMay 2, 2022\n"
    data = text.encode()
    seen: list[object] = []
    with io.BytesIO(data) as handle:
        first = read_listing(handle, "f.txt", seen.append, block_size=256)
    assert first.retry_with == (2023, (12, 16))  # what the whole text says: 2022 + 1
    assert_same(data, (256, 4096))
    [paper] = [p for p in parse_data(data, "f.txt", block_size=256).papers if p.title == "Paper 0"]
    assert paper.published is not None and paper.published.date.year == 2023


def test_a_page_date_after_the_first_entries_is_read_again() -> None:
    text = f"First\n\n{ABSTRACT}\n\n  • 1 author\n·\nMay 4 3\n\n" * 400 + "Dec 16\n\nnew\n\n"
    text += f"Last\n\n{ABSTRACT}\n\n  • 1 author\n·\nMay 4, 2019 5\n"
    data = text.encode()
    with io.BytesIO(data) as handle:
        assert read_listing(handle, "f.txt", [].append, block_size=300).retry_with is not None
    assert_same(data, (300, 1 << 20))


# --- memory stays bounded: huge lines and junk ---------------------------------------------


def test_a_line_too_long_to_be_listing_text_is_skipped_with_a_warning() -> None:
    huge = "word " * (lines.MAX_LINE // 5 + 1)
    data = (HEADER + f"Kept\n\n{ABSTRACT}\n\nLost\n\n{huge}\n\nAfter\n\n{ABSTRACT}").encode()
    for size in (1 << 16, 1 << 22):  # the line's end in a later block, or in the same one
        result = parse_data(data, "f.txt", block_size=size)
        assert [p.title for p in result.papers] == ["Kept", "After"]
        assert [(w.line, w.reason) for w in result.warnings] == [
            (11, "line longer than 1,048,576 characters, skipped"),
            (9, "title without an abstract, skipped"),
        ]


def test_warnings_are_capped_per_file_and_counted() -> None:
    junk = "".join(f"{'junk ' * 100}{n}\n\n" for n in range(WARNINGS_KEPT + 50))
    data = (HEADER + f"Real\n\n{ABSTRACT}\n\n" + junk).encode()
    result = parse_data(data, "junk.txt", block_size=4096)
    assert len(result.warnings) == WARNINGS_KEPT and result.omitted == 50
    assert str(result.reported_warnings("junk.txt")[-1]) == "junk.txt: 50 more warnings not shown"
    with pytest.raises(ListingError, match=r"no papers found \(text without a title, skipped at line 5\)"):
        parse_data((HEADER + junk).encode(), "junk.txt")


def test_add_counts_the_warnings_it_does_not_show(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = "".join(f"{'junk ' * 100}{n}\n\n" for n in range(WARNINGS_KEPT + 50))
    path = tmp_path / "junk.txt"
    path.write_text(HEADER + f"Real\n\n{ABSTRACT}\n\n" + junk, encoding="utf-8")
    assert main(["add", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{path}: added 1 papers (1 new, 0 merged), skipped {WARNINGS_KEPT + 50}"
    assert len(out) == 1 + WARNINGS_KEPT + 1 and out[-1] == f"  skipped {path}: 50 more warnings not shown"


def test_one_entry_repeated_many_times_keeps_every_sighting() -> None:
    # PaperSet keeps the sources past the first 32 aside (merging them in is quadratic)
    entry = f"Same Paper\n\n{ABSTRACT}\n\n  • 3 authors\n·\nMay 4, 2023 7\n\n"
    data = (HEADER + entry * 20_000).encode()
    [paper] = parse_data(data, "same.txt").papers
    assert len(paper.sources) == 20_000 and paper.sources[-1].line == 5 + 8 * 19_999


def test_sources_set_aside_past_the_inline_limit_join_as_if_merged_one_by_one() -> None:
    sightings = [
        Paper(title="Same Title", abstract="a" * (n % 7), upvotes=n, sources=(Source("page.txt", n),))
        for n in range(100)
    ]
    assert dedupe(sightings) == [functools.reduce(merge, sightings)]


# --- JSON read element by element ----------------------------------------------------------


def _chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


@pytest.mark.parametrize("size", [1, 2, 7, 100, 1 << 20])
def test_an_hf_array_streams_exactly_as_it_parses(size: int) -> None:
    text = (FIXTURES / "fetch" / "daily-2024-10-25.json").read_text(encoding="utf-8")
    for variant in (text, json.dumps(json.loads(text), indent=2, ensure_ascii=False)):
        reference = parse_hf_json(variant, "d.json")
        got = parse_data(variant.encode(), "d.json", block_size=size)
        assert got.papers == dedupe(reference.papers)
        assert (got.warnings, got.entries) == (reference.warnings, reference.entries)


def test_a_truncated_array_keeps_the_entries_before_the_break() -> None:
    items = [{"paper": {"id": f"2401.0000{n}", "title": f"P{n}", "summary": "s"}} for n in range(5)]
    text = json.dumps(items, indent=1)
    cut = text[: text.index('"P3"')]
    result = parse_data(cut.encode(), "cut.json", block_size=16)
    assert [p.title for p in result.papers] == ["P0", "P1", "P2"]
    [warning] = result.warnings
    line = cut.count("\n") + 1
    assert warning.reason.startswith("not valid JSON: ") and f"at line {line} column " in warning.reason
    assert warning.reason.endswith("; kept the 3 entries before it")
    with pytest.raises(ListingError) as caught:  # broken before the first entry ends: nothing to keep
        parse_data(b'[{"paper": {"id": "2401.00001", "title": "x"}', "x.json", block_size=4)
    assert caught.value.reason == "not valid JSON: Expecting ',' delimiter at line 1 column 46"


@pytest.mark.parametrize("size", [1, 5, 4096])
def test_json_array_positions_and_errors_do_not_depend_on_chunks(size: int) -> None:
    for text in ("[1,\n 2,\n  x]", '[\n{"a": "\\u00e9"},\n{"b": [1, 2]}\n] trailing', "[1, 23", '["abc'):
        try:
            json.loads(text)
            reference = None
        except json.JSONDecodeError as error:
            reference = f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        array = JsonArray(_chunks(text, size))
        list(array)
        assert array.error == reference, text


def test_export_lines_and_arrays_stream_back() -> None:
    originals = [Paper(title=f"T{n}", abstract="A " * n, arxiv_id=f"2401.0000{n}") for n in range(1, 5)]
    for fmt in ("jsonl", "json"):
        text = "".join(render(originals, fmt))
        reference = parse_export(text, "e")
        got = parse_data(text.encode(), "e", block_size=3)
        assert [p.key for p in got.papers] == [p.key for p in reference.papers] == [p.key for p in originals]


def test_formats_read_whole_have_a_size_limit(tmp_path: Path) -> None:
    feed = tmp_path / "big.xml"
    with feed.open("wb") as handle:
        handle.write(b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>')
        handle.truncate(MAX_WHOLE + 36_000_000)
    with pytest.raises(ListingError) as caught:
        load_listings([str(feed)])
    assert caught.value.reason == "an RSS or Atom feed is read whole, and this one is 100 MB (over 64 MB); not read"


def test_a_named_pipe_is_read_like_stdin(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    data = (HEADER + f"Piped\n\n{ABSTRACT}\n").encode()
    writer = threading.Thread(target=fifo.write_bytes, args=(data,))
    writer.start()
    try:
        assert [p.title for p in load_listings([str(fifo)]).papers] == ["Piped"]
    finally:
        writer.join(timeout=10)
