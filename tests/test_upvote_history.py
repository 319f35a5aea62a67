"""Upvote history: samples from each listing, merged across listings, exported, cached,
sorted by growth (`sort:trending`) and drawn as a sparkline in the detail pane."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from rich.console import Console

from broadsheet import corpus_cache
from broadsheet.export.json_lines import paper_from_dict, paper_to_dict, write_jsonl
from broadsheet.model import Paper, Published, UpvoteSample, dedupe, merge, merge_history, upvote_growth
from broadsheet.search import SearchIndex, SearchResult, parse_query
from broadsheet.sources.dump import parse_dump
from broadsheet.sources.exported import parse_export
from broadsheet.sources.hf_api import parse_hf_json
from broadsheet.sources.loader import load_listings
from broadsheet.sparkline import sparkline
from broadsheet.tui.detail import paper_renderable

ABSTRACT = "We study how attention heads grow over time. " * 8
NOV = dt.date(2026, 11, 1)


def day(n: int) -> dt.date:
    return NOV.replace(day=n)


def dump(page_date: str | None, upvotes: int) -> str:
    header = f"Daily Papers\n\n{page_date}\n\n" if page_date else "Daily Papers\n\n"
    return f"{header}Growing Heads\n\n{ABSTRACT}\n\n  • 3 authors\n·\nNov 18 {upvotes}\n"


def with_history(title: str, *samples: tuple[int, int], published: int = 1) -> Paper:
    history = tuple(UpvoteSample(day(d), votes) for d, votes in samples)
    return Paper(
        title=title,
        abstract="a",
        published=Published(day(published)),
        upvotes=max((votes for _, votes in samples), default=None),
        upvote_history=history,
    )


# -- the model ---------------------------------------------------------------------------


def test_merge_unites_histories_one_sample_per_date_oldest_first() -> None:
    a = (UpvoteSample(day(28), 96), UpvoteSample(day(20), 12))
    b = (UpvoteSample(day(20), 15), UpvoteSample(day(24), 40), UpvoteSample(day(28), 96))
    assert merge_history(a, b) == (UpvoteSample(day(20), 15), UpvoteSample(day(24), 40), UpvoteSample(day(28), 96))
    assert merge_history((), b[:1]) == b[:1] and merge_history(a[:1], ()) == a[:1]


def test_merge_keeps_the_largest_count_and_every_sample() -> None:
    later_but_lower = merge(with_history("T", (20, 50)), with_history("T", (28, 40)))
    assert later_but_lower.upvotes == 50  # counts only grow: the max, not the latest sample
    assert later_but_lower.upvote_history == (UpvoteSample(day(20), 50), UpvoteSample(day(28), 40))
    assert later_but_lower.metadata_richness == with_history("T", (20, 50)).metadata_richness


def test_growth_is_upvotes_per_day_between_first_and_last_sample() -> None:
    assert upvote_growth(with_history("T", (20, 12), (24, 50), (28, 96))) == 84 / 8
    assert upvote_growth(with_history("T", (20, 12))) is None
    assert upvote_growth(Paper(title="T", upvotes=5)) is None
    same_day = Paper(title="T", upvote_history=(UpvoteSample(day(20), 1), UpvoteSample(day(20), 2)))
    assert upvote_growth(same_day) is None  # not normalized, but never a division by zero


# -- sources -----------------------------------------------------------------------------


def test_two_dumps_of_different_page_dates_give_two_samples(tmp_path: Path) -> None:
    first, second = tmp_path / "nov20.txt", tmp_path / "nov28.txt"
    first.write_text(dump("Nov 20, 2026", 12))
    second.write_text(dump("Nov 28, 2026", 96))
    for order in ([first, second], [second, first]):
        (paper,) = load_listings([str(path) for path in order]).papers
        assert paper.upvotes == 96
        assert paper.upvote_history == (UpvoteSample(day(20), 12), UpvoteSample(day(28), 96))
        assert paper.published == Published(day(18), year_inferred=True)


def test_dump_page_date_takes_the_resolved_page_year() -> None:
    (paper,) = parse_dump(dump("Nov 20", 7), "x", year=2026).papers
    assert paper.upvote_history == (UpvoteSample(day(20), 7),)


def test_dump_without_page_date_or_upvotes_gives_no_sample() -> None:
    (undated,) = parse_dump(dump(None, 7), "x", year=2026).papers
    assert undated.upvotes == 7 and undated.upvote_history == ()
    no_votes = dump("Nov 20, 2026", 7).replace("Nov 18 7", "Nov 18")
    (paper,) = parse_dump(no_votes, "x").papers
    assert paper.upvotes is None and paper.upvote_history == ()


def test_same_dump_read_twice_keeps_one_sample() -> None:
    papers = parse_dump(dump("Nov 20, 2026", 12), "a").papers + parse_dump(dump("Nov 20, 2026", 12), "b").papers
    (paper,) = dedupe(papers)
    assert paper.upvote_history == (UpvoteSample(day(20), 12),)


def test_hf_daily_item_gives_a_sample_on_its_featured_date() -> None:
    items = [
        {
            "paper": {"id": "2611.00001", "title": "A", "upvotes": 41, "publishedAt": "2026-11-17T10:00:00.000Z"},
            "title": "A",
            "publishedAt": "2026-11-20T08:00:00.000Z",
        },
        {
            "paper": {"id": "2611.00002", "title": "B", "upvotes": None},
            "title": "B",
            "publishedAt": "2026-11-20T08:00:00.000Z",
        },
        {"paper": {"id": "2611.00003", "title": "C", "upvotes": 3}, "title": "C"},
    ]
    a, b, c = parse_hf_json(json.dumps(items), "d.json").papers
    assert a.upvote_history == (UpvoteSample(day(20), 41),)
    assert a.published == Published(day(17))  # still the arXiv date
    assert b.upvote_history == () and c.upvote_history == ()


def test_bare_hf_paper_object_gives_no_sample() -> None:
    bare = {"id": "2611.00001", "title": "A", "upvotes": 41, "publishedAt": "2026-11-17T10:00:00.000Z"}
    (paper,) = parse_hf_json(json.dumps(bare), "p.json").papers
    assert paper.upvotes == 41 and paper.upvote_history == ()


# -- export and cache --------------------------------------------------------------------


def test_json_export_round_trips_the_history() -> None:
    paper = with_history("T", (20, 12), (28, 96))
    record = paper_to_dict(paper)
    assert record["upvote_history"] == [{"seen": "2026-11-20", "upvotes": 12}, {"seen": "2026-11-28", "upvotes": 96}]
    assert paper_from_dict(json.loads(json.dumps(record))) == paper
    assert parse_export("".join(write_jsonl([paper])), "e.jsonl").papers == [paper]
    del record["upvote_history"]
    assert paper_from_dict(record).upvote_history == ()  # older exports


def test_json_import_orders_a_hand_edited_history_and_refuses_junk() -> None:
    record = paper_to_dict(with_history("T"))
    record["upvote_history"] = [{"seen": "2026-11-28", "upvotes": 9}, {"seen": "2026-11-20", "upvotes": 3}]
    assert paper_from_dict(record).upvote_history == (UpvoteSample(day(20), 3), UpvoteSample(day(28), 9))
    record["upvote_history"] = [{"seen": "2026-11-28", "upvotes": "9"}]
    result = parse_export(json.dumps(record) + "\n", "e.jsonl")
    assert result.papers == [] and "bad paper record" in result.warnings[0].reason


def test_corpus_cache_round_trips_the_history(tmp_path: Path) -> None:
    papers = [with_history("T", (20, 12), (24, 50), (28, 96)), with_history("U", (20, 3)), Paper(title="V")]
    corpus_cache.save(papers, "k", folder=tmp_path)
    cached = corpus_cache.load("k", folder=tmp_path)
    assert cached is not None and list(cached) == papers


# -- sort:trending -----------------------------------------------------------------------


TRENDING = [
    with_history("steady", (20, 10), (28, 18), published=5),  # +1/day
    with_history("rocket", (20, 10), (22, 50), published=3),  # +20/day
    with_history("once", (20, 500), published=9),  # no growth: last, newest first
    with_history("tie newer", (20, 0), (21, 1), published=8),  # +1/day, newer than steady
    with_history("sinking", (20, 30), (25, 20), published=7),  # -2/day
    Paper(title="never", abstract="a", published=Published(day(10))),
]


def titles(papers: list[Paper], text: str) -> list[str]:
    result = SearchIndex.build(papers).search(text)
    assert isinstance(result, SearchResult)
    return [papers[row].title for row in result.rows]


def test_sort_trending_orders_by_growth_then_newest_then_key() -> None:
    assert titles(TRENDING, "sort:trending") == ["rocket", "tie newer", "steady", "sinking", "never", "once"]


def test_sort_minus_trending_reverses_but_keeps_unknown_last() -> None:
    assert titles(TRENDING, "sort:-trending") == ["sinking", "tie newer", "steady", "rocket", "never", "once"]


def test_sort_trending_parses_and_combines_with_filters() -> None:
    query = parse_query("sort:-Trending a")
    assert not hasattr(query, "message") and query.effective_sort == "-trending"  # type: ignore[union-attr]
    assert titles(TRENDING, "upvotes:>=18 sort:trending") == ["rocket", "steady", "sinking", "once"]


def test_sort_trending_over_a_lazy_cached_corpus(tmp_path: Path) -> None:
    corpus_cache.save(TRENDING, "t", folder=tmp_path)
    cached = corpus_cache.load("t", folder=tmp_path)
    assert cached is not None
    index = SearchIndex.build(cached)
    index.warm_up()
    result = index.search("sort:trending")
    assert isinstance(result, SearchResult) and result.sort == "trending"
    assert [cached.titles[row] for row in result.rows] == titles(TRENDING, "sort:trending")


# -- the sparkline and the detail pane ---------------------------------------------------


def test_sparkline_scales_lowest_to_highest() -> None:
    assert sparkline([12, 24, 40, 66, 96]) == "▁▂▃▅█"
    assert sparkline([5, 5, 5]) == "▁▁▁"
    assert sparkline([]) == "" and sparkline([3]) == "▁"
    assert sparkline([0, 7]) == "▁█"


def test_sparkline_groups_values_beyond_the_width() -> None:
    line = sparkline(list(range(100)), width=10)
    assert len(line) == 10 and line[0] == "▁" and line[-1] == "█"
    assert list(line) == sorted(line)


def rendered(paper: Paper) -> str:
    console = Console(record=True, width=100)
    console.print(paper_renderable(paper, starred=False, read=False))
    return console.export_text()


def test_detail_pane_shows_the_trend_line() -> None:
    paper = with_history("Growing [bold]Heads[/]", (20, 12), (24, 40), (28, 96))
    text = rendered(paper)
    assert "upvotes ▁▃█ 12 → 96 (2026-11-20 … 2026-11-28)" in text
    assert "[bold]Heads[/]" in text  # never markup


def test_detail_pane_has_no_trend_for_one_sample() -> None:
    assert "→" not in rendered(with_history("Once", (20, 12)))
