"""The parsed-listing cache gives back what was saved, including the newest-first order."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from broadsheet import corpus_cache
from broadsheet.finder import newest_first
from broadsheet.model import Paper, Published, Source


def paper(title: str, day: int | None) -> Paper:
    published = Published(dt.date(2025, 1, day)) if day else None
    return Paper(title=title, abstract=f"About {title}.", published=published, sources=(Source("x.txt", 1),))


def test_newest_first_order_is_kept_with_ties_and_undated_papers(tmp_path: Path) -> None:
    papers = [paper("a", 3), paper("b", None), paper("c", 9), paper("d", 3), paper("e", 9), paper("f", None)]
    corpus_cache.save(papers, "k", folder=tmp_path)
    cached = corpus_cache.load("k", folder=tmp_path)
    assert cached is not None
    expected = newest_first(papers)  # computed from the dates, ties in listing order
    assert [papers[i].title for i in expected] == ["c", "e", "a", "d", "b", "f"]
    assert list(newest_first(cached)) == list(expected)
    assert [cached[i].title for i in cached.newest_first] == ["c", "e", "a", "d", "b", "f"]


def test_a_cache_with_disagreeing_columns_is_not_used(tmp_path: Path) -> None:
    corpus_cache.save([paper("a", 1), paper("b", 2)], "k", folder=tmp_path)
    columns = tmp_path / "k.columns"
    data = columns.read_bytes()
    columns.write_bytes(data[: len(data) // 2])  # truncated
    assert corpus_cache.load("k", folder=tmp_path) is None


def test_sort_and_filter_facts_come_from_columns_and_match_the_papers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from broadsheet.model import Organization, UpvoteSample
    from broadsheet.search.corpus import facts

    day = dt.date(2025, 3, 1)
    papers = [
        Paper(
            title="with everything",
            abstract="a",
            authors=("Ada", "Grace"),
            organization=Organization("deepmind", "Google DeepMind"),
            upvote_history=(UpvoteSample(day, 3), UpvoteSample(day + dt.timedelta(days=4), 11)),
            sources=(Source("x.txt", 1),),
        ),
        Paper(title="a count only", abstract="b", authors_count=12, sources=(Source("x.txt", 5),)),
        Paper(title="nothing known", abstract="c", sources=(Source("x.txt", 9),)),
        Paper(
            title="same org",
            abstract="d",
            organization=Organization("deepmind", "Google DeepMind"),
            upvote_history=(UpvoteSample(day, 5),),
            sources=(Source("x.txt", 13),),
        ),
    ]
    corpus_cache.save(papers, "f", folder=tmp_path)
    cached = corpus_cache.load("f", folder=tmp_path)
    assert cached is not None
    from_papers = facts(list(cached))

    def no_decoding(self, index):  # type: ignore[no-untyped-def]
        raise AssertionError("facts decoded a record")

    monkeypatch.setattr(corpus_cache.CachedPapers, "__getitem__", no_decoding)
    from_columns = facts(cached)
    assert from_columns == from_papers
    assert list(from_columns.authors) == [2, 12, None, None]
    assert list(from_columns.growth) == [2.0, None, None, None]
    deepmind = ("deepmind", "Google DeepMind")
    assert list(from_columns.organizations) == [deepmind, None, None, deepmind]


async def test_the_reader_writes_a_fresh_cache_once_its_first_screen_is_up(tmp_path: Path) -> None:
    import argparse
    import asyncio

    from tests.reader_fixtures import PLAIN_TITLES, settle, write_listing

    from broadsheet.commands.reader import make_app

    listing = write_listing(tmp_path, PLAIN_TITLES)
    args = argparse.Namespace(paths=[str(listing)], year=None, state=str(tmp_path / "state.toml"), theme=None)
    app = make_app(args)
    folder = corpus_cache.cache_folder()
    assert not folder.exists() or not list(folder.glob("*.columns"))  # not written while starting
    assert isinstance(app.library.papers, list)  # parsed, not from a cache
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        for _ in range(200):
            if list(folder.glob("*.columns")):
                break
            await asyncio.sleep(0.02)
        assert len(list(folder.glob("*.columns"))) == 1
    again = make_app(args)
    assert isinstance(again.library.papers, corpus_cache.CachedPapers)
    assert [p.title for p in again.library.papers] == [p.title for p in app.library.papers]
    again.library.close()


def test_texts_read_alone_match_the_whole_papers(tmp_path: Path) -> None:
    papers = [
        paper("plain", 1),
        Paper(title="summary", abstract="the abstract", ai_summary="a summary", sources=(Source("x", 2),)),
        Paper(title="empty summary", abstract="abs", ai_summary="", sources=(Source("x", 3),)),
        Paper(title="odd text", abstract="naïve \ud800 lone surrogate ✓", sources=(Source("x", 4),)),
    ]
    corpus_cache.save(papers, "t", folder=tmp_path)
    cached = corpus_cache.load("t", folder=tmp_path)
    assert cached is not None
    assert list(cached) == papers
    assert [cached.body_text(i) for i in range(4)] == [(p.abstract, p.ai_summary) for p in papers]


def test_phrase_queries_over_the_cache_match_the_plain_papers(tmp_path: Path) -> None:
    from broadsheet.search import SearchIndex

    words = ["state", "space", "model", "low", "rank", "text", "to", "image"]
    papers = [
        Paper(
            title=f"Paper {i}",
            abstract=" ".join(words[(i * k) % len(words)] for k in range(1, 12)),
            ai_summary="low-rank text-to-image" if i % 3 == 0 else None,
            sources=(Source("x.txt", i + 1),),
        )
        for i in range(40)
    ]
    corpus_cache.save(papers, "p", folder=tmp_path)
    cached = corpus_cache.load("p", folder=tmp_path)
    assert cached is not None
    plain_index, cached_index = SearchIndex.build(papers), SearchIndex.build(cached)
    for query in ['"state space"', '"low-rank"', "text-to-im", '"model low"', 'abstract:"rank text"']:
        assert cached_index.search(query).rows == plain_index.search(query).rows, query
    assert plain_index.search('"low-rank"').rows  # the phrase is there to find


def test_a_phrase_check_lets_the_ui_in_while_texts_come_slowly(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading texts from disk can be slow (a cold page cache): the check then yields every
    _READ_SLICE, not only between chunks, and still finds the same papers."""
    import time

    from broadsheet.search import SearchIndex, corpus, evaluate

    papers = [
        Paper(title=f"Paper {i}", abstract="low-rank updates" if i % 2 else "low and rank", sources=(Source("x", i),))
        for i in range(120)
    ]
    index = SearchIndex.build(papers)
    expected = index.search('"low-rank"').rows
    assert len(expected) == 60
    index = SearchIndex.build(papers)  # no verdicts kept from that search
    quick = corpus.body_reader(papers)

    reads = [0]  # texts read since the last step

    def slow(row: int) -> tuple[str, str | None]:
        time.sleep(0.001)  # at least 1 ms: at most 5 reads fill a 4 ms slice
        reads[0] += 1
        return quick(row)

    monkeypatch.setattr(corpus, "body_reader", lambda _papers: slow)
    monkeypatch.setattr(evaluate, "_READ_SLICE", 0.004)
    steps = index.search_steps('"low-rank"')
    most, yields, result = 0, 0, None
    for step in steps:
        most, reads[0] = max(most, reads[0]), 0
        yields += step is None
        if step is not None:
            result = step
    assert result is not None and result.rows == expected
    assert yields >= 120 * 0.001 / 0.004 / 2  # ~one per slice of reading
    assert most <= 6  # not the whole chunk (all 120 texts) in one step


def test_the_upvote_digest_is_the_same_from_columns_and_from_papers(tmp_path: Path) -> None:
    from broadsheet.model import UpvoteSample
    from broadsheet.search.cache import facts_fingerprint

    day = dt.date(2025, 3, 1)
    papers = [
        Paper(title="a", abstract="x", upvotes=5, sources=(Source("x", 1),)),
        Paper(title="b", abstract="y", sources=(Source("x", 2),)),
        Paper(
            title="c",
            abstract="z",
            upvotes=9,
            upvote_history=(UpvoteSample(day, 1), UpvoteSample(day + dt.timedelta(days=2), 9)),
            sources=(Source("x", 3),),
        ),
    ]
    corpus_cache.save(papers, "u", folder=tmp_path)
    cached = corpus_cache.load("u", folder=tmp_path)
    assert cached is not None
    assert facts_fingerprint(cached) == facts_fingerprint(papers)
    assert facts_fingerprint(cached) != facts_fingerprint([papers[0], papers[1], Paper(title="c", abstract="z")])


TEXTS = ["", "LoRA", "naïve 日本語 ☃", "\ud800 lone surrogate", "", "x" * 300, "a\nb"]
WITH_NUL = ["a", "b\x00c", "", "\x00", "d"]  # the column's own separator, inside strings


def test_a_text_column_gives_back_each_string_as_a_list_would() -> None:
    column = corpus_cache.TextColumn(*corpus_cache.TextColumn.pack(TEXTS))
    assert len(column) == len(TEXTS)
    assert [column[i] for i in range(len(TEXTS))] == TEXTS  # cut one by one
    assert column[-1] == TEXTS[-1] and column[-len(TEXTS)] == TEXTS[0]
    assert column[1:4] == TEXTS[1:4]
    with pytest.raises(IndexError):
        column[len(TEXTS)]
    with pytest.raises(IndexError):
        column[-len(TEXTS) - 1]  # as a list: not a row counted from the end twice
    assert list(column) == TEXTS and column.as_list() is column.as_list()  # cut all, once
    assert column[2] == TEXTS[2]  # and still answered after that
    empty = corpus_cache.TextColumn(*corpus_cache.TextColumn.pack([]))
    assert len(empty) == 0 and list(empty) == []


@pytest.mark.parametrize("strings", [WITH_NUL, [""], ["", ""], ["\x00"]])
def test_a_text_column_keeps_strings_that_hold_its_separator(strings: list[str]) -> None:
    column = corpus_cache.TextColumn(*corpus_cache.TextColumn.pack(strings))
    assert [column[i] for i in range(len(strings))] == strings
    assert column.as_list() == strings


@pytest.mark.parametrize("strings", [TEXTS, WITH_NUL, [""], []])
def test_a_text_column_cuts_any_run_of_rows_as_a_list_slice_would(strings: list[str]) -> None:
    column = corpus_cache.TextColumn(*corpus_cache.TextColumn.pack(strings))
    for start in range(len(strings) + 2):
        for stop in range(start, len(strings) + 3):
            assert column.cut(start, stop) == strings[start:stop], (start, stop)
    assert column._list is None  # noqa: SLF001 - cutting runs never cut the whole column
    with pytest.raises(ValueError):
        column.cut(-2, 1)
    column.as_list()
    assert column.cut(1, 3) == strings[1:3]  # and after it was cut whole


def test_keys_come_in_chunks_from_the_cache_and_from_papers(tmp_path: Path) -> None:
    from broadsheet.search import corpus

    papers = [Paper(title=f"t{i}", abstract="a", key=f"key:{i}") for i in range(10)]
    corpus_cache.save(papers, "k", folder=tmp_path)
    loaded = corpus_cache.load("k", tmp_path)
    assert loaded is not None
    for source in (papers, loaded):
        chunks = list(corpus.key_chunks(source, 4))
        assert [len(chunk) for chunk in chunks] == [4, 4, 2]
        assert sum(chunks, []) == [f"key:{i}" for i in range(10)]
    assert loaded.keys._list is None  # noqa: SLF001 - read a chunk at a time, not cut whole


def test_keys_and_titles_round_trip_through_the_cache(tmp_path: Path) -> None:
    papers = [Paper(title=title or "untitled", abstract="a", key=f"key:{i}:{title}") for i, title in enumerate(TEXTS)]
    corpus_cache.save(papers, "t", folder=tmp_path)
    loaded = corpus_cache.load("t", tmp_path)
    assert loaded is not None
    assert [p.key for p in papers] == list(loaded.keys) == [loaded[i].key for i in range(len(papers))]
    assert [p.title for p in papers] == loaded.titles.as_list() == [loaded[i].title for i in range(len(papers))]


def test_the_key_names_exactly_these_files_as_they_are_now(tmp_path: Path) -> None:
    import os

    def key_for(files: list[str], year: int | None) -> str | None:  # as open_listings keys them
        described = corpus_cache.describe(files, year)
        return None if described is None else corpus_cache.key_of(described)

    one, two = tmp_path / "one.txt", tmp_path / "two.txt"
    one.write_text("a listing")
    two.write_text("another")
    key = key_for([str(one), str(two)], None)
    assert key is not None and len(key) == 16 and key.isalnum()
    assert key_for([str(one), str(two)], None) == key  # stable
    assert key_for([str(tmp_path / "." / "one.txt"), str(two)], None) == key  # same file
    others = {
        key_for([str(one)], None),  # fewer files
        key_for([str(two), str(one)], None),  # another order: another first screen
        key_for([str(one), str(two)], 2024),  # the year given for yearless dates
    }
    two.write_text("another, longer")  # another size
    others.add(key_for([str(one), str(two)], None))
    stat = two.stat()
    os.utime(two, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))  # same size, touched
    others.add(key_for([str(one), str(two)], None))
    assert key not in others and len(others) == 5
    assert key_for([str(one), "-"], None) is None  # stdin cannot be keyed
    assert key_for([str(tmp_path / "gone.txt")], None) is None


def test_an_edited_listing_is_parsed_again_not_read_from_the_cache(tmp_path: Path) -> None:
    from tests.reader_fixtures import PLAIN_TITLES, write_listing

    from broadsheet.sources.loader import open_listings

    listing = write_listing(tmp_path, PLAIN_TITLES)
    first = open_listings([str(listing)])
    assert isinstance(first.papers, list)  # parsed, and the cache written
    again = open_listings([str(listing)])
    assert isinstance(again.papers, corpus_cache.CachedPapers)
    assert again.cache_key == first.cache_key
    assert [p.title for p in again.papers] == [p.title for p in first.papers]
    write_listing(tmp_path, [*PLAIN_TITLES, "A Seventh Paper on Caching"])
    edited = open_listings([str(listing)])
    assert isinstance(edited.papers, list)
    assert edited.cache_key != first.cache_key
    assert "A Seventh Paper on Caching" in [p.title for p in edited.papers]


def test_a_cache_of_other_listings_under_the_same_key_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key is two checksums; a collision must cost a parse, never show other papers."""
    from tests.reader_fixtures import PLAIN_TITLES, write_listing

    from broadsheet.sources.loader import open_listings

    monkeypatch.setattr(corpus_cache, "key_of", lambda described: "same-key-for-all")
    first = write_listing(tmp_path, PLAIN_TITLES[:3], name="first.txt")
    second = write_listing(tmp_path, PLAIN_TITLES[3:], name="second.txt")
    open_listings([str(first)])  # parsed; its cache written under the shared key
    assert isinstance(open_listings([str(first)]).papers, corpus_cache.CachedPapers)
    other = open_listings([str(second)])
    assert isinstance(other.papers, list)  # parsed, not the first file's cache
    assert [p.title for p in other.papers] == PLAIN_TITLES[3:]
