"""The paper record, its identity key, and how two sightings of one paper merge."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields, replace

_ARXIV_ID = re.compile(r"^(?:arxiv:)?(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$", re.I)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalize_arxiv_id(raw: str) -> str | None:
    """Return the arXiv id without its version suffix, or None when `raw` is not one."""
    match = _ARXIV_ID.match(raw.strip())
    return match.group(1) if match else None


# For ASCII titles (nearly all), one byte table does what NFKC, casefold and \W do for others:
# letters to lower case, every other byte but digits to a space (4x faster than a regex sub,
# which matters as every parsed paper gets a key).
_ASCII_FOLD = bytes(c + 32 if 65 <= c <= 90 else c if 97 <= c <= 122 or 48 <= c <= 57 else 32 for c in range(256))


def normalize_title(title: str) -> str:
    """Casefold and collapse punctuation and whitespace, so trivially different titles agree."""
    if title.isascii():
        return b" ".join(title.encode("ascii").translate(_ASCII_FOLD).split()).decode("ascii")
    folded = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(_NON_WORD.sub(" ", folded).split())


def make_key(title: str, arxiv_id: str | None = None) -> str:
    """`arxiv:<id>` when the arXiv id is known, else `title:<normalized title>`."""
    if arxiv_id:
        return f"arxiv:{arxiv_id}"
    return f"title:{normalize_title(title)}"


@dataclass(frozen=True, slots=True)
class Organization:
    """An organization as Hugging Face shows it: a slug id and a display name."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Published:
    """A publication date; `year_inferred` is True when the listing omitted the year."""

    date: dt.date
    year_inferred: bool = False


@dataclass(frozen=True, slots=True)
class Source:
    """Where a sighting of a paper came from: a file (or `-` for stdin) and a 1-based line."""

    file: str
    line: int


@dataclass(frozen=True, slots=True)
class UpvoteSample:
    """A paper's upvote count as one listing showed it, and the listing's own date.

    `seen` is the date the listing is *about* (the daily page's date, the day the API
    featured the paper), not when it was read, so re-reading a listing adds nothing new.
    """

    seen: dt.date
    upvotes: int


@dataclass(frozen=True, slots=True)
class Paper:
    """One paper. Immutable: merging and edits produce new records."""

    title: str
    abstract: str = ""
    ai_summary: str | None = None
    authors: tuple[str, ...] = ()
    authors_count: int | None = None
    organization: Organization | None = None
    published: Published | None = None
    upvotes: int | None = None
    arxiv_id: str | None = None
    urls: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    key: str = field(default="")
    # one sample per `seen` date, oldest first (see `merge_history`); empty when no listing
    # gave both a date of its own and a count
    upvote_history: tuple[UpvoteSample, ...] = ()

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", make_key(self.title, self.arxiv_id))

    @property
    def title_key(self) -> str:
        """The title-based key, under which state may have been recorded before the id was known."""
        return self.key if self.arxiv_id is None and self.key.startswith("title:") else make_key(self.title)

    @property
    def author_count(self) -> int | None:
        """`authors_count` when given, else the number of listed authors, else unknown."""
        if self.authors_count is not None:
            return self.authors_count
        return len(self.authors) if self.authors else None

    @property
    def display_authors(self) -> str:
        """Authors as a person reads them: names when known, else a count, else nothing."""
        if self.authors:
            return ", ".join(self.authors)
        if self.authors_count is not None:
            noun = "author" if self.authors_count == 1 else "authors"
            return f"{self.authors_count} {noun}"
        return ""

    @property
    def metadata_richness(self) -> int:
        """How many optional fields are known; the richer sighting wins a merge."""
        return sum(
            value is not None and value != () and value != ""
            for value in (
                self.ai_summary,
                self.authors,
                self.authors_count,
                self.organization,
                self.published,
                self.upvotes,
                self.arxiv_id,
                self.urls,
            )
        )


def _slot_constructor(cls: type) -> Callable[..., object]:
    """A function that takes every field of the slotted dataclass `cls` positionally, in field
    order, and sets each straight through its slot. A frozen dataclass's `__init__` sets each
    field through `object.__setattr__`; for a Paper that is 4.3 µs against 1.7 µs here, and a
    listing's parse makes 100k of them. No `__post_init__` runs: the caller passes the key."""
    names = [f.name for f in fields(cls)]
    setters = {f"_set_{name}": cls.__dict__[name].__set__ for name in names}
    lines = [f"def make({', '.join(names)}):", "    made = _new(_cls)"]
    lines += [f"    _set_{name}(made, {name})" for name in names]
    lines.append("    return made")
    namespace = {"_new": object.__new__, "_cls": cls, **setters}
    exec("\n".join(lines), namespace)  # noqa: S102 - source made above from field names only
    return namespace["make"]  # type: ignore[no-any-return]


# paper_from_fields(title, abstract, ai_summary, authors, authors_count, organization, published,
# upvotes, arxiv_id, urls, sources, key, upvote_history): a Paper, its key given (see make_key)
paper_from_fields: Callable[..., Paper] = _slot_constructor(Paper)  # type: ignore[assignment]
source_from_fields: Callable[[str, int], Source] = _slot_constructor(Source)  # type: ignore[assignment]


def _better_published(a: Published | None, b: Published | None) -> Published | None:
    """An explicit year beats an inferred one; otherwise keep the first seen."""
    if a is None:
        return b
    if b is None:
        return a
    if a.year_inferred and not b.year_inferred:
        return b
    return a


def _longer(a: str, b: str) -> str:
    return b if len(b) > len(a) else a


def _union(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(a + b))


def merge_history(a: tuple[UpvoteSample, ...], b: tuple[UpvoteSample, ...]) -> tuple[UpvoteSample, ...]:
    """The union of two histories: one sample per date, the largest count for a date seen
    twice (counts only grow during a day), oldest first. Also normalizes one history."""
    if not b and len(a) < 2:
        return a  # the common case: one listing, or a paper seen once
    if not a and len(b) < 2:
        return b
    best: dict[dt.date, int] = {}
    for sample in a + b:
        if sample.upvotes > best.get(sample.seen, -1):
            best[sample.seen] = sample.upvotes
    return tuple(UpvoteSample(seen, best[seen]) for seen in sorted(best))


def upvote_growth(paper: Paper) -> float | None:
    """Upvotes gained per day between the first and the last sample; None with fewer than
    two samples (or none a day apart), so a paper seen once is never "trending"."""
    history = paper.upvote_history
    if len(history) < 2:
        return None
    first, last = history[0], history[-1]
    days = (last.seen - first.seen).days
    return (last.upvotes - first.upvotes) / days if days else None


def merge(a: Paper, b: Paper) -> Paper:
    """Merge two sightings of one paper: the richer field wins, sources are united.

    Upvotes keep the larger count (counts only grow on the site), not the latest sample's,
    so listings may be read in any order; the upvote histories are united (`merge_history`).
    Authors keep the longer list; the arXiv id, once known, is kept and the key follows it.
    """
    arxiv_id = a.arxiv_id or b.arxiv_id
    authors = a.authors if len(a.authors) >= len(b.authors) else b.authors
    counts = [c for c in (a.authors_count, b.authors_count, len(authors) or None) if c is not None]
    upvotes = [u for u in (a.upvotes, b.upvotes) if u is not None]
    ai_summary = a.ai_summary if a.ai_summary is not None else b.ai_summary
    if a.ai_summary and b.ai_summary:
        ai_summary = _longer(a.ai_summary, b.ai_summary)
    return replace(
        a,
        title=_longer(a.title, b.title) if a.arxiv_id == b.arxiv_id else (a if a.arxiv_id else b).title,
        abstract=_longer(a.abstract, b.abstract),
        ai_summary=ai_summary,
        authors=authors,
        authors_count=max(counts) if counts else None,
        organization=a.organization or b.organization,
        published=_better_published(a.published, b.published),
        upvotes=max(upvotes) if upvotes else None,
        arxiv_id=arxiv_id,
        urls=_union(a.urls, b.urls),
        sources=tuple(dict.fromkeys(a.sources + b.sources)),
        key=make_key(a.title, arxiv_id) if arxiv_id else a.key,
        upvote_history=merge_history(a.upvote_history, b.upvote_history),
    )


_INLINE_SOURCES = 32  # sources merged into a paper as it is seen; later ones join at the end


class PaperSet:
    """Sightings folded into one record per paper as they arrive, in first-seen order.

    A paper is found again by its arXiv key or by its normalized title, so a title-keyed
    sighting and an id-keyed one of the same paper become one record keyed by the id. The
    loader adds papers while it reads, so memory follows the number of distinct papers, not
    the size of the listings. A paper seen thousands of times (a file repeating one entry)
    would have `merge` copy its ever longer tuple of sources each time, which is quadratic:
    past `_INLINE_SOURCES` further sources wait in a list and join the paper once, in
    `papers()`; `merge` reads no other field of the sources, so the result is the same.
    """

    def __init__(self) -> None:
        self._slots: dict[str, int] = {}  # every key and title key a paper was found under
        self._papers: list[Paper] = []
        self._more_sources: dict[int, list[Source]] = {}

    def __len__(self) -> int:
        return len(self._papers)

    def add(self, paper: Paper) -> None:
        """A sighting: a new paper, or merged into the one it is found again as."""
        slots, papers = self._slots, self._papers
        key = paper.key
        slot = slots.get(key)
        if slot is None:
            title_key = paper.title_key  # for most papers without an arXiv id, the key itself
            if title_key != key:
                slot = slots.get(title_key)
                if (
                    slot is not None
                    and papers[slot].arxiv_id
                    and paper.arxiv_id
                    and papers[slot].arxiv_id != paper.arxiv_id
                ):
                    slot = None  # same title, different papers
            if slot is None:
                slots[key] = len(papers)
                slots.setdefault(title_key, len(papers))
                papers.append(paper)
                return
        known = papers[slot]
        if len(known.sources) >= _INLINE_SOURCES:
            self._more_sources.setdefault(slot, []).extend(paper.sources)
            paper = replace(paper, sources=())
        combined = merge(known, paper)
        papers[slot] = combined
        slots[combined.key] = slot
        slots.setdefault(combined.title_key, slot)

    def papers(self) -> list[Paper]:
        """Every paper, in first-seen order."""
        for slot, more in self._more_sources.items():
            paper = self._papers[slot]
            self._papers[slot] = replace(paper, sources=tuple(dict.fromkeys(paper.sources + tuple(more))))
        self._more_sources.clear()
        return self._papers


def dedupe(papers: Iterable[Paper]) -> list[Paper]:
    """Fold sightings into one record per paper, in first-seen order (see `PaperSet`)."""
    folded = PaperSet()
    for paper in papers:
        folded.add(paper)
    return folded.papers()
