"""JSON and JSON Lines: the model's fields under the model's names, null where unknown."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from broadsheet.model import Organization, Paper, Published, Source, UpvoteSample, merge_history


def paper_to_dict(paper: Paper) -> dict[str, Any]:
    """A plain, JSON-ready dict; the schema is documented in the README."""
    published = paper.published
    return {
        "key": paper.key,
        "title": paper.title,
        "abstract": paper.abstract,
        "ai_summary": paper.ai_summary,
        "authors": list(paper.authors),
        "authors_count": paper.authors_count,
        "organization": (
            {"id": paper.organization.id, "name": paper.organization.name} if paper.organization else None
        ),
        "published": published.date.isoformat() if published else None,
        "year_inferred": published.year_inferred if published else None,
        "upvotes": paper.upvotes,
        "arxiv_id": paper.arxiv_id,
        "urls": list(paper.urls),
        "sources": [{"file": s.file, "line": s.line} for s in paper.sources],
        "upvote_history": [{"seen": s.seen.isoformat(), "upvotes": s.upvotes} for s in paper.upvote_history],
    }


def paper_from_dict(data: dict[str, Any]) -> Paper:
    """The inverse of `paper_to_dict`; raises KeyError/ValueError/TypeError on bad records."""
    org = data.get("organization")
    published = data.get("published")
    return Paper(
        title=str(data["title"]),
        abstract=str(data.get("abstract") or ""),
        ai_summary=data.get("ai_summary"),
        authors=tuple(str(a) for a in data.get("authors") or ()),
        authors_count=data.get("authors_count"),
        organization=Organization(str(org["id"]), str(org["name"])) if org else None,
        published=(Published(dt.date.fromisoformat(published), bool(data.get("year_inferred"))) if published else None),
        upvotes=data.get("upvotes"),
        arxiv_id=data.get("arxiv_id"),
        urls=tuple(str(u) for u in data.get("urls") or ()),
        sources=tuple(Source(str(s["file"]), int(s["line"])) for s in data.get("sources") or ()),
        key=str(data.get("key") or ""),
        upvote_history=_history(data.get("upvote_history") or ()),
    )


def _history(records: Any) -> tuple[UpvoteSample, ...]:
    """Samples as exported; a hand-edited list is put back in order (one per date)."""
    samples = tuple(UpvoteSample(dt.date.fromisoformat(r["seen"]), _count(r["upvotes"])) for r in records)
    return merge_history(samples, ())


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"upvote count {value!r} is not a count")
    return value


def write_jsonl(papers: Iterable[Paper]) -> Iterable[str]:
    for paper in papers:
        yield json.dumps(paper_to_dict(paper), ensure_ascii=False) + "\n"


def write_json(papers: Iterable[Paper]) -> Iterable[str]:
    yield json.dumps([paper_to_dict(p) for p in papers], ensure_ascii=False, indent=2) + "\n"
