"""Metadata filters and sort orders, over slots.

Slots are the papers in the default order: newest first, undated last, ties by key. So
the default order costs nothing, and a date filter is one contiguous run of slots (a
bitset built with a shift). Everything else here is computed from the papers on first
use and kept: the index loads fast and never goes stale when upvotes change.
"""

from __future__ import annotations

import contextlib
import operator
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import compress

from ..model import Paper
from . import bits, corpus

ORDERS = ("date", "-date", "upvotes", "-upvotes", "title", "-title", "trending", "-trending")


def slot_order(papers: Sequence[Paper]) -> list[int]:
    """Rows in slot order: by published date descending, undated last, ties by key."""
    days, names = corpus.dates(papers), corpus.keys(papers)
    by_key = sorted(range(len(papers)), key=names.__getitem__)
    return sorted(by_key, key=lambda row: -days[row] if days[row] else 1)  # stable: keys stay sorted


@dataclass(frozen=True, slots=True)
class Order:
    """One sort order: slots and rows in that order, and each slot's rank in it.

    Arrays, not lists: 4 bytes an entry instead of a pointer and an int object (the eight
    orders at 100k papers: ~10 MB instead of ~60 MB), and the index cache stores them as
    they are, so a loaded index has its orders without building any."""

    slots: array[int]
    rows: array[int]
    rank: array[int]

    @classmethod
    def of(cls, slots: Sequence[int], slot_to_row: Sequence[int]) -> Order:
        """The order with these slots, first to last."""
        slots = array("I", slots)
        rank = array("I", [0]) * len(slots)
        any(map(rank.__setitem__, slots, range(len(slots))))  # rank[slot] = position, in C
        return cls(slots, array("I", map(slot_to_row.__getitem__, slots)), rank)


class Facets:
    """Filters and orders over the metadata of `papers`, whose slot order is `slot_to_row`."""

    def __init__(self, papers: Sequence[Paper], slot_to_row: list[int]) -> None:
        self.papers = papers
        self.slot_to_row = slot_to_row
        self.n = len(slot_to_row)
        self._neg_dates: list[int] | None = None
        self._numbers: dict[str, tuple[list[int], list[int]]] = {}
        self._orgs: list[tuple[str, str, list[int]]] | None = None
        self._authors: list[int | None] | None = None
        self._growth: list[float | None] | None = None
        self._growth_pairs: tuple[list[float], list[int]] | None = None
        self._orders: dict[str, Order] = {}
        self._cache: dict[tuple[object, ...], int] = {}

    @property
    def neg_dates(self) -> list[int]:
        """Minus the day ordinal of each dated slot (they come first): ascending."""
        if self._neg_dates is None:
            days = list(map(corpus.dates(self.papers).__getitem__, self.slot_to_row))
            with contextlib.suppress(ValueError):
                del days[days.index(0) :]  # undated (0) slots come last
            self._neg_dates = list(map(operator.neg, days))
        return self._neg_dates

    def date_bits(self, low: int | None, high: int | None) -> int:
        """Slots published between the day ordinals `low` and `high` (inclusive, None open)."""
        start = 0 if high is None else bisect_left(self.neg_dates, -high)
        stop = len(self.neg_dates) if low is None else bisect_right(self.neg_dates, -low)
        return bits.span(start, stop)

    def number_bits(self, field: str, low: int | None, high: int | None) -> int:
        """Slots whose `upvotes` or `authors` lie in [low, high]; unknown values never match."""
        key = (field, low, high)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        values, slots = self._sorted_numbers(field)
        start = 0 if low is None else bisect_left(values, low)
        stop = len(values) if high is None else bisect_right(values, high)
        result = bits.from_slots(slots[start:stop], self.n)
        self._remember(key, result)
        return result

    def org_bits(self, value: str) -> int:
        """Slots whose organization id or name contains `value` (already casefolded)."""
        key = ("org", value)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        matched: list[int] = []
        for org_id, name, slots in self._records()[1]:
            if value in org_id or value in name:
                matched.extend(slots)
        result = bits.from_slots(matched, self.n)
        self._remember(key, result)
        return result

    def order(self, name: str) -> Order:
        """One of ORDERS; ties always fall back to slot order (newest first, then key)."""
        order = self._orders.get(name)
        if order is None:
            order = self._orders[name] = Order.of(self._order_slots(name), self.slot_to_row)
        return order

    def computed_orders(self) -> dict[str, Order]:
        """The orders computed so far, by name (for saving with the index)."""
        return dict(self._orders)

    def preset_orders(self, orders: dict[str, Order]) -> None:
        """Orders saved with the index for these same papers: `order` uses them instead of
        sorting again (~0.1 s each at 100k papers)."""
        n = self.n
        self._orders.update(
            (name, order)
            for name, order in orders.items()
            if name in ORDERS and len(order.slots) == len(order.rows) == len(order.rank) == n
        )

    def _order_slots(self, name: str) -> list[int]:
        """The slots in order `name`, ties by slot. A descending order is a stable sort
        with `reverse=True` (which keeps ties in their given order) of slots already
        ascending: nearly sorted input, so ~10 ms at 100k papers where a sort by a
        (-value, slot) key took 60-170 ms."""
        papers, rows = self.papers, self.slot_to_row
        if name == "date":
            return list(range(self.n))
        if name == "-date":  # oldest first: the dated slots by descending minus-day
            neg = self.neg_dates
            return sorted(range(len(neg)), key=neg.__getitem__, reverse=True) + list(range(len(neg), self.n))
        if name in ("title", "-title"):
            names = corpus.titles(papers)
            titles = [names[row].casefold() for row in rows]
            ascending = self._orders.get("title")
            slots = ascending.slots if ascending is not None else sorted(range(self.n), key=titles.__getitem__)
            return slots if name == "title" else sorted(slots, key=titles.__getitem__, reverse=True)
        field = name.lstrip("-")
        values, slots = self._sorted_growth() if field == "trending" else self._sorted_numbers(field)
        present = bits.new_flags(self.n)
        bits.scatter(present, slots)
        unknown = list(compress(range(self.n), map(operator.not_, present)))
        if name.startswith("-"):
            return list(slots) + unknown  # ascending value, ties by slot
        ordered = sorted(range(len(slots)), key=values.__getitem__, reverse=True)  # ties stay by slot
        return list(map(slots.__getitem__, ordered)) + unknown

    def _sorted_numbers(self, field: str) -> tuple[list[int], list[int]]:
        """(values ascending, their slots), ties by slot; papers with no value left out."""
        found = self._numbers.get(field)
        if found is None:
            if field == "upvotes":
                votes = corpus.upvotes(self.papers)
                values = [votes[row] for row in self.slot_to_row]
            else:
                values = self._records()[0]
            ascending = self._orders.get("-" + field)
            if ascending is not None:  # the ascending sort order holds them sorted, unknowns last
                known = [slot for slot in ascending.slots if values[slot] is not None]
            else:  # a stable sort of the known slots (ascending) by value: ties stay by slot
                known = [slot for slot, value in enumerate(values) if value is not None]
                known.sort(key=values.__getitem__)
            found = (list(map(values.__getitem__, known)), known)
            self._numbers[field] = found
        return found

    def _sorted_growth(self) -> tuple[list[float], list[int]]:
        """(upvote growth per day ascending, their slots), ties by slot; papers seen once left out."""
        found = self._growth_pairs
        if found is None:
            growth = self._records()[2]
            known = [slot for slot, value in enumerate(growth) if value is not None]
            known.sort(key=growth.__getitem__)  # stable: ties stay by slot
            found = self._growth_pairs = (list(map(growth.__getitem__, known)), known)
        return found

    def _records(self) -> tuple[list[int | None], list[tuple[str, str, list[int]]], list[float | None]]:
        """Author counts and upvote growth by slot, and organizations with their slots (the
        corpus cache keeps these as columns; plain papers are read one by one)."""
        if self._orgs is None or self._authors is None or self._growth is None:
            by_row = corpus.facts(self.papers)
            order = self.slot_to_row
            authors: list[int | None] = list(map(by_row.authors.__getitem__, order))
            growth: list[float | None] = list(map(by_row.growth.__getitem__, order))
            by_org: dict[tuple[str, str], list[int]] = {}
            for slot, org in enumerate(map(by_row.organizations.__getitem__, order)):
                if org is not None:
                    by_org.setdefault(org, []).append(slot)
            groups: dict[tuple[str, str], list[int]] = {}  # casefolded once per organization
            for (org_id, name), slots in by_org.items():
                groups.setdefault((org_id.casefold(), " ".join(name.casefold().split())), []).extend(slots)
            self._authors, self._growth = authors, growth
            self._orgs = [(org_id, name, slots) for (org_id, name), slots in groups.items()]
        return self._authors, self._orgs, self._growth

    def _remember(self, key: tuple[object, ...], value: int) -> None:
        if len(self._cache) >= 128:
            self._cache.clear()
        self._cache[key] = value
