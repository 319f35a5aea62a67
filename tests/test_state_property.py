"""Property: two instances on one file, operations randomly interleaved with saves, reloads
and identity changes, end in the state that applying every change in time order gives."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from broadsheet.state import ReadingState

KEYS = ["arxiv:1", "arxiv:2", "title:three", "arxiv:4"]
SINGLE = ["star", "unstar", "toggle_star", "mark_read", "mark_unread", "toggle_read"]
BULK = ["star_many", "unstar_many", "mark_read_many", "mark_unread_many"]
FIELDS = ("starred", "read")
REKEYS = [("title:three", "arxiv:4"), ("arxiv:4", "title:three"), ("arxiv:2", "arxiv:1")]  # one target each

steps = st.lists(
    st.one_of(
        st.tuples(st.just("single"), st.integers(0, 1), st.sampled_from(SINGLE), st.sampled_from(KEYS)),
        st.tuples(
            st.just("bulk"), st.integers(0, 1), st.sampled_from(BULK), st.lists(st.sampled_from(KEYS), max_size=3)
        ),
        st.tuples(st.just("undo"), st.integers(0, 1)),
        st.tuples(st.just("rekey"), st.integers(0, 1), st.sampled_from(REKEYS)),
        st.tuples(st.just("flush"), st.integers(0, 1)),
        st.tuples(st.just("refresh"), st.integers(0, 1)),
    ),
    max_size=40,
)


def registers(state: ReadingState) -> dict[tuple[str, str], tuple[str, bool]]:
    out = {}
    for key in KEYS:
        entry = state._mem.get(key)
        for field in FIELDS:
            out[key, field] = (getattr(entry, f"{field}_at"), getattr(entry, field)) if entry else ("", False)
    return out


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps, st.sampled_from([0, 3, 256]))
def test_interleaved_instances_converge_to_time_order(plan: list[tuple], compact_after: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "state.toml"
        states = [ReadingState(path, background=False, compact_after=compact_after) for _ in range(2)]
        changes: list[tuple[str, tuple[str, str], bool]] = []  # (at, register, value) in call order
        try:
            for step in plan:
                kind, state = step[0], states[step[1]]
                if kind == "flush":
                    state.flush()
                    continue
                if kind == "refresh":
                    state.refresh()
                    continue
                if kind == "rekey":  # moves state, records no register change
                    state.rekey(*step[2])
                    continue
                before = registers(state)
                if kind == "single":
                    getattr(state, step[2])(step[3], f"Title {step[3]}")
                elif kind == "bulk":
                    getattr(state, step[2])([(key, f"Title {key}") for key in step[3]])
                else:
                    state.undo()
                made = [(at, slot, value) for slot, (at, value) in registers(state).items() if at != before[slot][0]]
                assert all(at > before[slot][0] for at, slot, _ in made)
                changes += sorted(made)
            for state in states:
                state.flush()
            for state in states:
                state.refresh()
            assert [at for at, _, _ in changes] == sorted(at for at, _, _ in changes)  # time order = call order
            fresh = ReadingState(path, readonly=True)
            canonical = fresh.canonical_key
            latest: dict[tuple[str, str], tuple[str, bool]] = {}
            for at, (key, field), value in changes:  # in time order: the last change of a register stays
                latest[canonical(key), field] = (at, value)
            expected = {(k, f): latest.get((canonical(k), f), ("", False)) for k in KEYS for f in FIELDS}
            for state in (*states, fresh):
                assert registers(state) == expected
                assert state._mem.aliases == fresh._mem.aliases
            assert states[0]._mem.view() == states[1]._mem.view() == fresh._mem.view()
        finally:
            for state in states:
                state.close()
