"""Saving and loading the index: round trip, stale and corrupt files load as None."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pytest

from broadsheet.model import Organization, Paper, Published
from broadsheet.search import SearchIndex, SearchResult, StatusLookup
from broadsheet.search import cache as cache_module

QUERIES = [
    "",
    "transfromer",
    "diffusion modle",
    "llm agen",
    '"state space"',
    "graph OR mamba -diffusion",
    "title:mod",
    "org:google sort:upvotes",
    "year:2024 sort:-date",
    "upvotes:>5",
    "naïve",
    "is:unread",
]


def corpus(n: int = 60) -> list[Paper]:
    words = ["transformer", "diffusion", "model", "graph", "mamba", "state", "space", "agent", "llm", "naïve"]
    return [
        Paper(
            title=f"{words[i % 10].title()} {words[(i * 3) % 10]} paper {i}",
            abstract=" ".join(words[(i + j) % 10] for j in range(i % 9)),
            ai_summary="state space models" if i % 4 == 0 else None,
            organization=Organization("google", "Google") if i % 5 == 0 else None,
            published=Published(dt.date(2023, 6, 1) + dt.timedelta(days=7 * i)) if i % 6 else None,
            upvotes=i % 13,
        )
        for i in range(n)
    ]


def results(index: SearchIndex) -> list[list[int]]:
    status = StatusLookup(read={p.key for p in index.papers[::2]})
    out = []
    for text in QUERIES:
        result = index.search(text, status=status)
        assert isinstance(result, SearchResult)
        out.append(result.rows)
    return out


def test_round_trip(tmp_path: Path) -> None:
    papers = corpus()
    built = SearchIndex.build(papers)
    path = tmp_path / "cache" / "search.idx"
    built.save(path)
    loaded = SearchIndex.load(path, papers)
    assert loaded is not None and loaded.complete
    assert loaded.vocab.terms == built.vocab.terms
    assert results(loaded) == results(built)
    assert loaded.highlights(3, "transformer") == built.highlights(3, "transformer")


def test_title_only_round_trip(tmp_path: Path) -> None:
    papers = corpus()
    built = SearchIndex.build_titles(papers)
    built.save(tmp_path / "t.idx")
    loaded = SearchIndex.load(tmp_path / "t.idx", papers)
    assert loaded is not None and not loaded.complete
    assert results(loaded) == results(built)


def test_empty_corpus_round_trip(tmp_path: Path) -> None:
    SearchIndex.build([]).save(tmp_path / "e.idx")
    loaded = SearchIndex.load(tmp_path / "e.idx", [])
    assert loaded is not None and loaded.search("x").rows == []


@pytest.mark.parametrize(
    "change",
    [
        lambda ps: ps[:-1],
        lambda ps: ps + [Paper(title="new")],
        lambda ps: ps[1:] + ps[:1],
        lambda ps: [dataclasses.replace(ps[0], title="Changed")] + ps[1:],
        lambda ps: [dataclasses.replace(ps[1], published=Published(dt.date(2020, 1, 1)))] + ps[:1] + ps[2:],
        lambda ps: ps[:1] + [dataclasses.replace(ps[1], published=None)] + ps[2:],
        lambda ps: [dataclasses.replace(ps[0], key="arxiv:9999.99999")] + ps[1:],
    ],
)
def test_stale_cache_loads_as_none(tmp_path: Path, change) -> None:
    papers = corpus()
    SearchIndex.build(papers).save(tmp_path / "s.idx")
    assert SearchIndex.load(tmp_path / "s.idx", change(papers)) is None


def test_abstract_edits_are_not_fingerprinted(tmp_path: Path) -> None:
    # Only keys, titles and dates are read without decoding a lazy corpus: a cache file must
    # be named after the corpus version for abstract edits to count (the Finder does).
    papers = corpus()
    SearchIndex.build(papers).save(tmp_path / "a.idx")
    edited = [dataclasses.replace(papers[0], abstract="entirely new words")] + papers[1:]
    assert SearchIndex.load(tmp_path / "a.idx", edited) is not None


class Columns(Sequence[Paper]):
    """Like the corpus cache: columns for keys, titles, dates, upvotes; records decoded on access."""

    def __init__(self, papers: list[Paper]) -> None:
        self._papers = papers
        self.keys = [p.key for p in papers]
        self.titles = [p.title for p in papers]
        self.dates = [p.published.date.toordinal() if p.published else 0 for p in papers]
        self.upvotes = [-1 if p.upvotes is None else p.upvotes for p in papers]
        self.decoded = 0

    def __len__(self) -> int:
        return len(self._papers)

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        self.decoded += 1
        return self._papers[index]


def test_a_lazy_corpus_is_read_through_its_columns(tmp_path: Path) -> None:
    papers = corpus()
    SearchIndex.build(papers).save(tmp_path / "l.idx")  # saved from a plain list...
    lazy = Columns(papers)
    loaded = SearchIndex.load(tmp_path / "l.idx", lazy)  # ...loads for the lazy corpus
    assert loaded is not None and lazy.decoded == 0
    assert loaded.search("sort:upvotes").rows == SearchIndex.build(papers).search("sort:upvotes").rows
    assert loaded.search('title:"paper 1"').rows
    assert loaded.search("year:2024 sort:title").rows
    assert lazy.decoded == 0  # dates, upvotes, titles and title phrases come from columns
    SearchIndex.build_titles(lazy)
    assert lazy.decoded == 0
    assert cache_module.fingerprint(lazy) == cache_module.fingerprint(papers)
    assert results(SearchIndex.build(lazy)) == results(SearchIndex.build(papers))


def test_metadata_changes_keep_the_cache_and_are_seen(tmp_path: Path) -> None:
    papers = corpus()
    SearchIndex.build(papers).save(tmp_path / "m.idx")
    bumped = [dataclasses.replace(p, upvotes=1000) if i == 7 else p for i, p in enumerate(papers)]
    loaded = SearchIndex.load(tmp_path / "m.idx", bumped)
    assert loaded is not None
    assert loaded.search("sort:upvotes").rows[0] == 7


def corrupt_variants(data: bytes) -> list[bytes]:
    middle = len(data) // 2
    return [
        b"",
        b"garbage",
        data[:-1],
        data[: len(data) // 3],
        data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :],
        data[:40] + bytes([data[40] ^ 0x01]) + data[41:],
        b"x" + data[1:],
        data + b"\x00",
    ]


def test_corrupt_cache_loads_as_none(tmp_path: Path) -> None:
    papers = corpus()
    path = tmp_path / "c.idx"
    SearchIndex.build(papers).save(path)
    data = path.read_bytes()
    for variant in corrupt_variants(data):
        path.write_bytes(variant)
        assert SearchIndex.load(path, papers) is None
    assert SearchIndex.load(tmp_path / "missing.idx", papers) is None
    assert SearchIndex.load(tmp_path, papers) is None  # a directory


def test_other_format_version_loads_as_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    papers = corpus()
    SearchIndex.build(papers).save(tmp_path / "v.idx")
    monkeypatch.setattr(cache_module, "FORMAT", cache_module.FORMAT + 1)
    assert SearchIndex.load(tmp_path / "v.idx", papers) is None


def test_save_replaces_atomically_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    papers = corpus()
    path = tmp_path / "a.idx"
    SearchIndex.build(papers[:10]).save(path)
    SearchIndex.build(papers).save(path)
    assert SearchIndex.load(path, papers) is not None
    assert SearchIndex.load(path, papers[:10]) is None
    assert [p.name for p in tmp_path.iterdir()] == ["a.idx"]


def test_fingerprint_is_stable_and_order_sensitive() -> None:
    papers = corpus(10)
    assert cache_module.fingerprint(papers) == cache_module.fingerprint(list(papers))
    assert cache_module.fingerprint(papers) != cache_module.fingerprint(papers[::-1])


def test_a_warmed_index_keeps_its_prefix_unions_and_sort_orders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from broadsheet.search import postings

    monkeypatch.setattr(postings, "_RANGE_CACHE_MIN", 1)  # pin even this small corpus's prefixes
    papers = corpus()
    built = SearchIndex.build(papers)
    built.warm_up()
    assert built.title.pinned and built.body.pinned
    built.save(tmp_path / "w.idx")
    loaded = SearchIndex.load(tmp_path / "w.idx", papers)
    assert loaded is not None
    assert loaded.title.pinned == built.title.pinned and loaded.body.pinned == built.body.pinned

    def no_sorting(name: str) -> list[int]:
        raise AssertionError(f"order {name!r} was computed again")

    monkeypatch.setattr(loaded.facets, "_order_slots", no_sorting)
    for name in ("-date", "upvotes", "-upvotes", "title", "-title", "trending", "-trending"):
        assert loaded.facets.order(name) == built.facets.order(name)
    assert results(loaded) == results(built)


def test_saved_sort_orders_are_dropped_when_upvotes_change(tmp_path: Path) -> None:
    papers = corpus()
    built = SearchIndex.build(papers)
    built.warm_up()
    built.save(tmp_path / "w.idx")
    bumped = [dataclasses.replace(p, upvotes=1000) if i == 7 else p for i, p in enumerate(papers)]
    loaded = SearchIndex.load(tmp_path / "w.idx", bumped)
    assert loaded is not None
    assert loaded.search("sort:upvotes").rows[0] == 7
    assert loaded.search("sort:-upvotes").rows[-1] == 7


def test_upvote_filters_read_off_the_saved_order_match_a_fresh_sort(tmp_path: Path) -> None:
    # some papers with unknown upvotes (never matched) and many ties (kept in slot order)
    papers = [dataclasses.replace(p, upvotes=None if i % 7 == 3 else i % 5) for i, p in enumerate(corpus(90))]
    built = SearchIndex.build(papers)
    built.warm_up()
    built.save(tmp_path / "w.idx")
    loaded = SearchIndex.load(tmp_path / "w.idx", papers)
    assert loaded is not None
    loaded.warm_up()
    fresh = SearchIndex.build(papers)  # no orders yet: its upvote table comes from a sort
    assert loaded.facets._sorted_numbers("upvotes") == fresh.facets._sorted_numbers("upvotes")
    for text in ("upvotes:>2", "upvotes:0", "upvotes:1..3", "upvotes:<=4 sort:-upvotes"):
        assert loaded.search(text).rows == fresh.search(text).rows, text


def test_the_fingerprint_of_cached_papers_needs_no_string_per_paper(tmp_path: Path) -> None:
    from broadsheet import corpus_cache

    papers = corpus()
    corpus_cache.save(papers, "k", folder=tmp_path)
    cached = corpus_cache.load("k", tmp_path)
    assert cached is not None
    assert cache_module.fingerprint(cached) == cache_module.fingerprint(papers)
    assert cached.keys._list is None and cached.titles._list is None  # noqa: SLF001 - never cut up
    # where one title ends and the next begins is part of it
    moved = [dataclasses.replace(p, title=t) for p, t in zip(papers[:2], ["ab", "c"], strict=True)] + papers[2:]
    other = [dataclasses.replace(p, title=t) for p, t in zip(papers[:2], ["a", "bc"], strict=True)] + papers[2:]
    assert cache_module.fingerprint(moved) != cache_module.fingerprint(other)


def test_the_corpus_cache_stores_the_digest_an_index_checks(tmp_path: Path) -> None:
    from broadsheet import corpus_cache

    papers = corpus()
    corpus_cache.save(papers, "d", folder=tmp_path)
    cached = corpus_cache.load("d", tmp_path)
    assert cached is not None
    assert cached.digest == cache_module.fingerprint(papers)  # stored = worked out from plain papers
    built = SearchIndex.build(papers)
    built.save(tmp_path / "i.idx")
    assert SearchIndex.load(tmp_path / "i.idx", cached) is not None
    retitled = [dataclasses.replace(p, title="other") if i == 3 else p for i, p in enumerate(papers)]
    corpus_cache.save(retitled, "e", folder=tmp_path)
    other = corpus_cache.load("e", tmp_path)
    assert other is not None and other.digest != cached.digest
    assert SearchIndex.load(tmp_path / "i.idx", other) is None


def test_orders_rank_every_slot_by_its_position() -> None:
    index = SearchIndex.build(corpus())
    for name in ("-date", "upvotes", "title", "-trending"):
        order = index.facets.order(name)
        assert sorted(order.slots) == list(range(index.n))
        assert [order.rank[slot] for slot in order.slots] == list(range(index.n))
        assert list(order.rows) == [index.slot_to_row[slot] for slot in order.slots]


def test_searching_a_lazy_corpus_reads_titles_without_cutting_them_all(tmp_path: Path) -> None:
    from broadsheet import corpus_cache

    papers = corpus()
    corpus_cache.save(papers, "t", folder=tmp_path)
    cached = corpus_cache.load("t", tmp_path)
    assert cached is not None
    lazy, plain = SearchIndex.build(cached), SearchIndex.build(papers)
    cached.titles._list = None  # noqa: SLF001 - building cut them; searching must not need to
    for text in ('title:"state space"', '"paper 1"', "mamba"):
        found = lazy.search(text)
        assert isinstance(found, SearchResult)
        assert found.rows == plain.search(text).rows
        spans = lazy.title_highlighter(text)
        assert [spans(row) for row in found.rows] == [plain.title_highlighter(text)(row) for row in found.rows]
    assert cached.titles._list is None  # noqa: SLF001
