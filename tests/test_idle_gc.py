"""Full collections run only once input has paused, and only when there is something to collect."""

from __future__ import annotations

import gc

from broadsheet.tui.idle_gc import IDLE_SECONDS, IdleCollector


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def full_collections() -> int:
    return int(gc.get_stats()[2]["collections"])


def test_no_collection_while_input_is_recent() -> None:
    clock = Clock()
    collector = IdleCollector(clock)
    gc.collect(1)  # something was promoted
    clock.now += IDLE_SECONDS / 2
    collector.saw_input()
    clock.now += IDLE_SECONDS / 2
    before = full_collections()
    assert collector.collect_if_idle() is False
    assert full_collections() == before


def test_collects_once_idle_and_then_waits_for_new_promotions() -> None:
    clock = Clock()
    collector = IdleCollector(clock)
    gc.collect(1)
    clock.now += IDLE_SECONDS + 0.1
    before = full_collections()
    assert collector.collect_if_idle() is True
    assert full_collections() > before
    assert collector.collect_if_idle() is False  # nothing promoted since
    gc.collect(1)
    assert collector.collect_if_idle() is True
