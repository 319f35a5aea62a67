"""Wrong and mixed encodings: BOMs are followed, bad lines are read as Windows-1252 with one
warning per file, binary is refused, and the text never depends on how the bytes were cut."""

from __future__ import annotations

import io
import json
from unittest import mock

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from broadsheet.sources import decoding, lines
from broadsheet.sources.decoding import TextDecoder, decode_whole
from broadsheet.sources.errors import ListingError
from broadsheet.sources.files import TextStream
from broadsheet.sources.lines import LineSplitter
from broadsheet.sources.loader import parse_data

ABSTRACT = "We study encodings with care, over many lines of text. " * 8
LISTING = (
    "Daily Papers\n\nDec 16\n\n"
    f"Café Society\n\n{ABSTRACT}\n\n  • 3 authors\n·\nMay 4, 2023 1\n\n"
    f"Naïve Bayes “Revisited”\n\n{ABSTRACT}\n\n"
)
TITLES = ["Café Society", "Naïve Bayes “Revisited”"]


def titles(data: bytes, block_size: int = 1 << 20) -> list[str]:
    return [paper.title for paper in parse_data(data, "f.txt", block_size=block_size).papers]


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-be"])
@pytest.mark.parametrize("block_size", [1, 3, 4096])
def test_a_bom_names_the_encoding(codec: str, block_size: int) -> None:
    data = LISTING.encode(codec)
    if codec in ("utf-16-le", "utf-16-be", "utf-32-be"):
        data = "\ufeff".encode(codec) + data  # the BOM written by hand, as some tools do
    result = parse_data(data, "f.txt", block_size=block_size)
    assert [p.title for p in result.papers] == TITLES
    assert result.warnings == result.notices == []


def test_an_api_answer_in_utf_16_is_read() -> None:
    answer = [{"paper": {"id": "2401.00001", "title": "Ünïcode", "summary": "s"}}]
    assert [p.title for p in parse_data(json.dumps(answer, ensure_ascii=False).encode("utf-16"), "a.json").papers] == [
        "Ünïcode"
    ]


def test_a_few_bad_lines_are_read_as_windows_1252_with_one_warning() -> None:
    good = LISTING.encode("utf-8")
    # two titles pasted from a Windows-1252 page into a UTF-8 file (a line is read as a whole)
    data = good
    for title in TITLES:
        data = data.replace(title.encode(), title.encode("cp1252"))
    for block_size in (1, 2, 5, 1 << 20):
        result = parse_data(data, "mixed.txt", block_size=block_size)
        assert [p.title for p in result.papers] == TITLES
        assert result.warnings == []
        assert [str(w) for w in result.notices] == [
            "mixed.txt: 2 lines not valid UTF-8 (first at line 5), read as Windows-1252"
        ]
        assert result.papers[0].abstract == ABSTRACT.strip()  # the good lines are untouched


def test_a_whole_latin_1_file_reads_with_that_warning() -> None:
    text = LISTING.replace("“Revisited”", "Revisited").replace("  • 3 authors", "google Google")
    data = text.encode("latin-1")  # the middle dot too
    result = parse_data(data, "latin.txt")
    assert [p.title for p in result.papers] == ["Café Society", "Naïve Bayes Revisited"]
    [warning] = result.notices
    assert warning.reason == "3 lines not valid UTF-8 (first at line 5), read as Windows-1252"


def test_bytes_windows_1252_leaves_undefined_are_read_as_latin_1() -> None:
    text, warnings = decode_whole(b"ok\n\x81\x8d\x8f\x90\x9d \x80\n", "f")
    assert text == "ok\n\x81\x8d\x8f\x90\x9d €\n"
    assert [w.reason for w in warnings] == ["1 line not valid UTF-8 (first at line 2), read as Windows-1252"]


def test_line_numbers_count_every_kind_of_line_break() -> None:
    _, warnings = decode_whole(b"a\r\nb\rc\n\xe9\n", "f")
    assert warnings[0].reason == "1 line not valid UTF-8 (first at line 4), read as Windows-1252"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x7fELF\x00\x01\x02" * 100, "binary file, not a listing"),
        (b"", "empty file"),
        (b"\xef\xbb\xbf \n\t\n", "empty file"),
        ("\ufeff  \n".encode("utf-16"), "empty file"),
        (b" " * 300_000 + b"Daily Papers", "no text in the first 131,072 characters, not a listing"),
    ],
    ids=["binary", "empty", "blank with a BOM", "blank UTF-16", "blank head"],
)
def test_what_cannot_be_text_is_refused(data: bytes, reason: str) -> None:
    with pytest.raises(ListingError) as caught:
        parse_data(data, "f.txt")
    assert caught.value.reason == reason


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from([b"a", b"\n", b"\r", b"\r\n", "é".encode(), "€".encode(), b"\xe9", b"\x80", b"\xe2\x82"])),
    st.integers(1, 9),
)
def test_decoding_does_not_depend_on_where_blocks_end(parts: list[bytes], block_size: int) -> None:
    data = b"".join(parts)
    with mock.patch.object(decoding, "PIECE", 4):  # long lines go out in pieces, cut at fixed places
        expected = decode_whole(data, "f")
        decoder = TextDecoder("f")
        text = "".join(decoder.decode(data[i : i + block_size]) for i in range(0, len(data), block_size))
        text += decoder.close()
        assert (text, decoder.warnings()) == expected
    if not expected[1]:  # no warning: it was UTF-8, read as it is
        assert expected[0] == data.decode("utf-8")


def lines_read(data: bytes, block_size: int, head: int, *, as_lines: bool) -> tuple[object, ...]:
    """Every line a LineSplitter makes of a file's chunks (or, `as_lines`, of its blocks of
    whole lines where it can), with the splitter's and the decoder's warnings."""
    stream = TextStream(io.BytesIO(data), "f", block_size=block_size)
    stream.head(head)
    splitter = LineSplitter("f")
    chunks = list(stream.lines_or_chunks() if as_lines else stream)
    got = [line for chunk in chunks for line in splitter.feed(chunk)] + splitter.close()
    kinds = {type(chunk) for chunk in chunks}
    return got, splitter.warnings, stream.warnings(), kinds


PARTS = [b"a", b"word " * 3, b"\n", b"\n\n", b"\r", b"\r\n", b"\t", "\xa0".encode(), b"\xa0", "\u202f".encode()]
PARTS += ["é".encode(), "•".encode(), "·".encode(), b"\xe9", b"\x80", b"\xe2\x82", b"x" * 9]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PARTS), max_size=40), st.integers(1, 12), st.sampled_from([0, 5, 1 << 17]))
@example([b"\xe9", b"\n", b"\x80", b"\n"] * 3, 12, 0)  # bad lines side by side: each one counts
@example([b"a"] * 5 + [b"\n"], 8, 0)  # over MAX_LINE, not over PIECE
def test_blocks_read_as_lines_give_the_lines_their_text_gives(parts: list[bytes], block_size: int, head: int) -> None:
    # long lines (over PIECE bytes, or over MAX_LINE characters) and lines that need
    # normalizing take the text's way; the rest come as lines, with the same numbers
    data = b"".join(parts)
    for piece, longest in ((4, 6), (6, 4), (1 << 20, 1 << 20)):
        with mock.patch.object(decoding, "PIECE", piece), mock.patch.object(lines, "MAX_LINE", longest):
            *expected, _ = lines_read(data, block_size, head, as_lines=False)
            *got, _ = lines_read(data, block_size, head, as_lines=True)
            assert got == expected


def test_plain_utf_8_blocks_come_as_lines_and_bad_ones_are_counted_by_line() -> None:
    good = LISTING.encode("utf-8")
    bad = good.replace(TITLES[0].encode(), TITLES[0].encode("cp1252"))
    for data in (good, bad * 3):
        expected = lines_read(data, 16, 0, as_lines=False)
        got = lines_read(data, 16, 0, as_lines=True)
        assert got[:3] == expected[:3] and list in got[3]  # (a block with the ï of Naïve is text)
    assert [str(w) for w in lines_read(bad * 3, 16, 0, as_lines=True)[2]] == [
        "f: 3 lines not valid UTF-8 (first at line 5), read as Windows-1252"
    ]
