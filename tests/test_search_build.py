"""Building the index: every way of building gives the same index, and the Finder's stages."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest

from broadsheet.finder import Finder
from broadsheet.model import Paper, Published
from broadsheet.search import SearchIndex, bits
from broadsheet.search import build as build_module
from broadsheet.search import corpus as corpus_module
from broadsheet.search import helper as helper_module
from broadsheet.search import postings as postings_module
from broadsheet.search.build import Parts, build_parts
from broadsheet.search.helper import Helper
from broadsheet.search.postings import FieldPostings, TermSlots
from broadsheet.search.results import BuildCancelled
from broadsheet.search.steps import drain

COMMON = ["model", "language", "learning", "data", "the", "of", "a", "an"]
RARE = [f"word{i}" for i in range(120)] + ["naïve", "Über", "东京", "ﬁne"]


def corpus(n: int = 400, seed: int = 7) -> list[Paper]:
    """Frequent words (bitsets) and rare ones (slot lists), some only in titles or only in
    abstracts, non-ASCII text, AI summaries, undated papers, and terms that become frequent
    only late in slot order."""
    rng = random.Random(seed)
    papers = []
    for i in range(n):
        late = ["latecomer"] if i % 3 == 0 else []  # frequent only among the older papers
        title = " ".join(rng.sample(COMMON, 2) + rng.sample(RARE, 1) + [f"title{i % 37}"])
        abstract = " ".join(rng.choices(COMMON, k=6) + rng.sample(RARE, 3) + [f"body{i % 53}"])
        papers.append(
            Paper(
                title=title,
                abstract=abstract,
                ai_summary=" ".join(late + rng.sample(RARE, 2)) if i % 4 == 0 else None,
                published=Published(dt.date(2024, 1, 1) + dt.timedelta(days=i)) if i % 9 else None,
                upvotes=i % 11,
            )
        )
    return papers


def field_state(postings: FieldPostings) -> tuple[list[int], list[int], dict[int, int]]:
    return list(postings.offsets), list(postings.postings), dict(postings.dense)


def state(parts: Parts) -> tuple[object, ...]:
    grams = parts.vocab.grams
    return (
        parts.slot_to_row,
        parts.vocab.terms,
        (grams.keys, list(grams.offsets), list(grams.ids)),
        field_state(parts.title),
        field_state(parts.body),
        parts.complete,
    )


def test_a_full_build_from_the_title_stage_equals_a_fresh_one(tmp_path: Path) -> None:
    papers = corpus()
    titles = build_parts(papers, True, None, None)
    reused = build_parts(papers, False, None, None, titles=titles)
    fresh = build_parts(papers, False, None, None)
    assert state(reused) == state(fresh)
    assert fresh.body.dense and len(fresh.body.postings) and fresh.title.dense and len(fresh.title.postings)
    # the title stage's own index is unchanged, and shares its flat postings
    assert state(titles) == state(build_parts(papers, True, None, None))
    assert reused.title.postings is titles.title.postings
    SearchIndex(papers, reused).save(tmp_path / "reused.idx")
    SearchIndex(papers, fresh).save(tmp_path / "fresh.idx")
    assert (tmp_path / "reused.idx").read_bytes() == (tmp_path / "fresh.idx").read_bytes()


def test_titles_only_with_a_title_stage_returns_it() -> None:
    papers = corpus(40)
    titles = build_parts(papers, True, None, None)
    assert build_parts(papers, True, None, None, titles=titles) is titles


@pytest.mark.parametrize("every", [1, 3, 50])
def test_moving_frequent_terms_into_bitsets_while_building_changes_nothing(
    every: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    papers = corpus()
    expected = state(build_parts(papers, False, None, None))  # one settle, at the start
    monkeypatch.setattr(build_module, "_REPORT_EVERY", every)
    monkeypatch.setattr(build_module, "_SETTLE_EVERY", 2 * every)
    assert state(build_parts(papers, False, None, None)) == expected
    titles = build_parts(papers, True, None, None)
    assert state(build_parts(papers, False, None, None, titles=titles)) == expected


def use_helper(monkeypatch: pytest.MonkeyPatch, chunk: int = 16) -> list[Helper]:
    """Build with a helper process for any corpus, in small chunks; the helpers started."""
    started: list[Helper] = []
    start = Helper.start

    def recorded(*args: Any) -> Helper | None:
        helper = start(*args)
        if helper is not None:
            started.append(helper)
        return helper

    monkeypatch.setattr(build_module, "_HELPER_MIN", 0)
    monkeypatch.setattr(build_module, "_CHUNK", chunk)
    monkeypatch.setattr(Helper, "start", staticmethod(recorded))
    return started


@pytest.mark.parametrize("share", [0.0, 0.4, 0.9])
def test_a_helper_process_changes_nothing(share: float, monkeypatch: pytest.MonkeyPatch) -> None:
    papers = corpus()
    expected = state(build_parts(papers, False, None, None))
    started = use_helper(monkeypatch)
    monkeypatch.setattr(build_module, "_OWN_SHARE", share)
    assert state(build_parts(papers, False, None, None)) == expected
    titles = build_parts(papers, True, None, None)
    assert state(build_parts(papers, False, None, None, titles=titles)) == expected
    assert len(started) == 2 and all(helper.process.returncode == 0 for helper in started)


def test_a_failing_helper_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    papers = corpus()
    expected = state(build_parts(papers, False, None, None))
    started = use_helper(monkeypatch)
    monkeypatch.setattr(helper_module, "_BOOT", "import sys; sys.stdin.buffer.read(100); sys.exit(3)")
    assert state(build_parts(papers, False, None, None)) == expected
    assert [helper.process.returncode for helper in started] == [3]


def test_cancelling_ends_the_helper(monkeypatch: pytest.MonkeyPatch) -> None:
    started = use_helper(monkeypatch)
    calls = iter(range(1000))
    with pytest.raises(BuildCancelled):
        build_parts(corpus(), False, None, lambda: next(calls) > 2)
    assert len(started) == 1 and started[0].process.returncode is not None


def test_slot_lists_settled_early_go_back_to_lists() -> None:
    papers = corpus()
    titles = build_parts(papers, True, None, None)
    expected = field_state(titles.title)
    keys = [term.encode() for term in titles.vocab.terms]
    slots = TermSlots(len(papers), settle_at=1)  # every term gets a bitset
    build_module.collect_into(slots, [corpus_module.titles(papers)[row] for row in titles.slot_to_row])
    slots.settle()
    assert not any(slots.arrays.values())
    assert field_state(FieldPostings.collect(keys, slots)) == expected


def test_every_term_finds_exactly_its_papers() -> None:
    papers = corpus()
    index = SearchIndex.build(papers)
    for name, postings, text_of in (
        ("title", index.title, lambda p: p.title),
        ("body", index.body, lambda p: p.abstract + "\n" + (p.ai_summary or "")),
    ):
        tokens = [set(build_module.token_set_bytes(text_of(papers[row]))) for row in index.slot_to_row]
        for term_id, term in enumerate(index.vocab.terms):
            expected = [slot for slot, found in enumerate(tokens) if term.encode() in found]
            assert bits.to_slots(postings.term(term_id)) == expected, (name, term)


def test_empty_and_tiny_corpora() -> None:
    for papers in ([], [Paper(title="only")]):
        titles = build_parts(papers, True, None, None)
        assert state(build_parts(papers, False, None, None, titles=titles)) == state(
            build_parts(papers, False, None, None)
        )


def test_progress_rises_to_the_total_when_reusing_the_title_stage() -> None:
    papers = corpus(50)
    titles = build_parts(papers, True, None, None)
    seen: list[tuple[int, int]] = []
    build_parts(papers, False, lambda done, total: seen.append((done, total)), None, titles=titles)
    assert seen[0][0] == 0 and seen[-1][0] == seen[-1][1]
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_from_ascending_equals_from_slots() -> None:
    rng = random.Random(3)
    flags = bits.new_flags(500)
    for size in (1, 2, 17, 300):
        slots = sorted(rng.sample(range(500), size))
        assert bits.from_ascending(flags, slots) == bits.from_slots(slots, 500)
        assert not any(flags)  # left zeroed for the next call
    assert bits.from_flags(bytearray(10)) == 0


def test_pinned_unions_equal_unions_computed_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postings_module, "_RANGE_CACHE_MIN", 0)  # pin every range asked for
    index = SearchIndex.build(corpus())
    vocab = index.vocab
    prefixes = sorted({term[:size] for term in vocab.terms for size in (1, 2, 3)})
    ranges = [vocab.prefix_range(prefix) for prefix in prefixes]
    rng = random.Random(5)
    n = len(vocab)
    ranges += [tuple(sorted(rng.sample(range(n + 1), 2))) for _ in range(40)]  # overlapping ones too
    rng.shuffle(ranges)
    for postings in (index.title, index.body):
        postings.pin(ranges[:10])  # some known already when the rest come
        postings.pin(ranges)
        assert list(postings.pinned) == list(dict.fromkeys(ranges))  # in the order asked
        for (lo, hi), union in postings.pinned.items():
            assert union == drain(postings._range_steps(lo, hi)), (lo, hi)


def test_the_finder_publishes_titles_then_the_full_index_and_caches_it(tmp_path: Path) -> None:
    papers = corpus()
    finder = Finder(papers, cache_key="build-test")
    stages: list[tuple[bool, str | None]] = []
    finder.start(lambda: stages.append((finder.complete, finder.progress())))
    assert finder.wait(60)
    assert stages == [(False, "indexing abstracts…"), (True, None)]
    fresh = SearchIndex.build(papers)
    fresh.warm_up()
    fresh.save(tmp_path / "fresh.idx")
    path = finder.index_path()
    assert path is not None and path.read_bytes() == (tmp_path / "fresh.idx").read_bytes()

    again = Finder(papers, cache_key="build-test")
    loaded: list[bool] = []
    again.start(lambda: loaded.append(again.complete))
    assert again.wait(60) and loaded == [True]  # straight from the cache


def test_a_stopped_finder_ends_quietly() -> None:
    finder = Finder(corpus(), cache_key="stopped")
    finder.stop()
    finder.start()
    assert not finder.wait(60)
    path = finder.index_path()
    assert path is not None and not path.exists()


def test_no_helper_with_one_usable_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    papers = corpus()
    expected = state(build_parts(papers, False, None, None))
    monkeypatch.setattr(build_module, "_HELPER_MIN", 0)
    monkeypatch.setattr(helper_module, "_usable_cpus", lambda: 1)
    asked: list[Helper | None] = []
    start = Helper.start
    monkeypatch.setattr(Helper, "start", staticmethod(lambda *args: asked.append(start(*args)) or asked[-1]))
    assert state(build_parts(papers, False, None, None)) == expected
    assert asked == [None]  # asked for, and refused: the build went on alone
