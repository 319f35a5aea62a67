"""The merge rules: per-register latest-wins, and the lattice laws that make copies converge."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from broadsheet.state.clock import Clock, edit_stamp, format_us, normalize, parse_us, to_datetime
from broadsheet.state.records import AliasChange, Entry, StateData, check_key, merge_entries

T1, T2, T3 = "2024-05-01T10:00:00.000000Z", "2024-05-01T11:00:00.000000Z", "2024-05-01T12:00:00.000000Z"

stamps = st.sampled_from(["", T1, T2, T3])
entries = st.builds(
    lambda title, s, sa, r, ra: Entry("k", title, s and bool(sa), sa, r and bool(ra), ra),
    st.sampled_from(["", "A", "B"]),
    st.booleans(),
    stamps,
    st.booleans(),
    stamps,
)


@given(entries, entries)
def test_merge_is_commutative(a: Entry, b: Entry) -> None:
    assert merge_entries(a, b) == merge_entries(b, a)


@given(entries, entries, entries)
def test_merge_is_associative(a: Entry, b: Entry, c: Entry) -> None:
    assert merge_entries(merge_entries(a, b), c) == merge_entries(a, merge_entries(b, c))


@given(entries)
def test_merge_is_idempotent(a: Entry) -> None:
    assert merge_entries(a, a) == a


def test_later_time_wins_per_register() -> None:
    a = Entry("k", "A", True, T1, False, T3)
    b = Entry("k", "B", False, T2, True, T2)
    merged = merge_entries(a, b)
    assert (merged.starred, merged.starred_at) == (False, T2)  # the later unstar beats the star
    assert (merged.read, merged.read_at) == (False, T3)  # the later unread beats the read
    assert merged.title == "A"  # title of the side with the latest change


def test_tie_goes_to_true() -> None:
    assert merge_entries(Entry("k", "", False, T1), Entry("k", "", True, T1)).starred


def test_counts_follow_changes() -> None:
    data = StateData()
    data.merge_entry(Entry("a", "", True, T1, True, T1))
    data.merge_entry(Entry("b", "", False, "", True, T1))
    data.merge_entry(Entry("a", "", False, T2))
    assert (data.starred_count, data.read_count) == (0, 2)


def test_alias_moves_state_and_merges_per_register() -> None:
    data = StateData()
    data.merge_entry(Entry("title:x", "X", True, T2))
    data.merge_entry(Entry("arxiv:1", "X v2", False, T1, True, T3))
    moved = data.add_alias(AliasChange("title:x", "arxiv:1", T3))
    assert set(moved) == {"title:x", "arxiv:1"}
    assert list(data.entries) == ["arxiv:1"]
    assert data.entries["arxiv:1"][1:] == ("X v2", True, T2, True, T3)
    # a late change under the old key lands on the new one: no resurrection
    data.merge_entry(Entry("title:x", "X", False, T3))
    assert list(data.entries) == ["arxiv:1"] and not data.get("title:x").starred
    assert (data.starred_count, data.read_count) == (0, 1)


def test_alias_cycle_resolves_to_the_same_key_everywhere() -> None:
    data = StateData()
    data.add_alias(AliasChange("a", "b", T1))
    data.add_alias(AliasChange("b", "a", T2))
    assert data.canonical("a") == data.canonical("b") == "b"
    data.add_alias(AliasChange("c", "a", T1))
    assert data.canonical("c") == "b"


def test_alias_latest_target_wins() -> None:
    data = StateData()
    data.add_alias(AliasChange("t", "arxiv:2", T2))
    data.add_alias(AliasChange("t", "arxiv:1", T1))
    assert data.canonical("t") == "arxiv:2"


@pytest.mark.parametrize("key", ["", " a", "a ", "a|b", "a\nb", 3])
def test_bad_keys_are_refused(key: object) -> None:
    with pytest.raises(ValueError):
        check_key(key)


def test_clock_is_strictly_increasing_and_beats_what_it_replaces() -> None:
    clock = Clock(now_us=lambda: 1_000_000)
    first, second = clock.stamp(), clock.stamp()
    assert first < second
    future = "2999-01-01T00:00:00.000000Z"
    assert clock.stamp(after=future) > future


@given(st.integers(min_value=0, max_value=253402300799999998))
def test_canonical_stamps_round_trip_and_sort_like_instants(us: int) -> None:
    text = format_us(us)
    assert parse_us(text) == us
    assert format_us(us + 1) > text
    assert to_datetime(text) == dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=us)


def test_stamps_in_a_row_across_seconds_match_their_instants() -> None:
    """format_us keeps the text of the last second: runs within one, the step to the next,
    and a jump away and back must all give each instant's own text."""

    def by_datetime(us: int) -> str:
        d = dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=us)
        return d.strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    start = parse_us("2026-12-31T23:59:59.999990Z")
    far = parse_us("2001-02-03T04:05:06.000007Z")
    for us in [*range(start, start + 25), far, start + 3, far + 1_000_000, start + 24]:
        assert format_us(us) == by_datetime(us)
    assert format_us(start + 10) == "2027-01-01T00:00:00.000000Z"


def test_normalize_accepts_rfc3339_variants() -> None:
    assert normalize("2024-05-01T12:00:00+02:00") == "2024-05-01T10:00:00.000000Z"
    assert normalize("2024-05-01 10:00:00Z") == "2024-05-01T10:00:00.000000Z"
    assert normalize("2024-05-01T10:00:00") == "2024-05-01T10:00:00.000000Z"
    assert normalize(dt.date(2024, 5, 1)) == "2024-05-01T00:00:00.000000Z"
    with pytest.raises(ValueError):
        normalize("yesterday")


def test_edit_stamp_is_mtime_but_never_before_the_old_value_nor_in_the_future() -> None:
    mtime_ns = parse_us(T2) * 1000
    assert edit_stamp(mtime_ns, T1) == T2
    assert edit_stamp(mtime_ns, T3) == "2024-05-01T12:00:00.000001Z"
    assert edit_stamp(mtime_ns, now_us=lambda: parse_us(T1)) == T1
