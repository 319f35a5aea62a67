"""Search: a query language and an index that filters 100k papers as you type.

Query language
==============

Words
    ``diffusion transformer`` finds papers containing every word, in the title, the AI
    summary or the abstract. Case and punctuation don't matter. An empty query lists
    everything, newest first.
Typos
    Words tolerate typos: none up to 3 letters, 1 for 4-7 letters, 2 from 8 letters on. A
    typo is a missing, extra or wrong letter, or two neighbouring letters swapped
    (``transfromer`` and ``modle`` find transformer and model).
The word being typed
    While the query doesn't end with a space, its last word also matches as a prefix, with
    the same typo allowance (``llm agen`` finds agent, agents, agentic).
Phrases
    ``"exact phrase"`` matches those words consecutively and exactly (no typos); a quoted
    single word matches only itself. A word with inner punctuation is a phrase too:
    ``gpt-4``, ``state-of-the-art``.
Excluding
    ``-word``, ``-"a phrase"``, ``-title:word``, ``-(a b)`` leave matching papers out.
    Excluded words never match as a prefix; a lone ``-`` is ignored.
OR and parentheses
    ``transformer OR mamba``. ``OR`` (in capitals) binds tighter than the implicit AND:
    ``diffusion transformer OR mamba`` means diffusion AND (transformer OR mamba).
    Parentheses group: ``(llm OR "language model") pruning``. ``AND`` is accepted, and
    changes nothing.
Fields
    ``title:word``, ``title:"a phrase"``    in the title only
    ``abstract:word``                       in the abstract or the AI summary only
    ``org:name``, ``org:"two words"``       organization id or name contains it
    ``is:starred``, ``is:read``, ``is:unread``
    ``year:2024``, ``year:2022..2024``, ``year:>=2023``
    ``date:2024-05-03``, ``date:2024-05``, ``date:2024-05..2024-06``, ``date:2024-05..``,
    ``date:..2024-06``, ``date:>2024-05``  (a month or a year means all of its days)
    ``upvotes:>10``  (also ``>=``, ``<``, ``<=``, ``=``, ``10``, ``10..20``, ``10..``, ``..20``)
    ``authors:>5``                          the author count (or the number listed)
    Papers lacking the value (no date, unknown upvotes...) never match these filters.
Sorting
    ``sort:relevance`` (the default when there are words), ``sort:date`` (newest first; the
    default otherwise), ``sort:upvotes`` (most first), ``sort:title`` (A to Z),
    ``sort:trending`` (fastest-growing upvotes first: upvotes gained per day between the
    first and last listing that showed the paper). A minus reverses: ``sort:-date`` is
    oldest first. Papers lacking the value (a paper seen in one listing has no growth) sort
    last either way. Ties go newest first, then by paper key, so the order is stable.
Relevance
    A title match outranks an abstract-only one; an exact word outranks a prefix, which
    outranks a typo. Each word (or phrase) adds its best title match and its best
    abstract/summary match.
Errors
    A malformed query (unclosed quote or parenthesis, unknown field, bad date...) gives a
    ``QueryError(message, position)`` instead of results.

Engine
======

::

    index = SearchIndex.build(papers)   # in a worker; build_titles(papers) first: <1 s, titles only
    index.warm_up()                     # in the worker too: first keystrokes fast
    result = index.search("llm pruning is:unread", status=StatusLookup(read=read_keys, version=v))
    result.rows                         # indices into `papers`, in display order
    index.highlights(result.rows[0], result.query)   # Highlights(title=[(0, 3)], ...)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .cache import fingerprint
    from .index import SearchIndex
    from .query import Query, QueryError, parse_query
    from .results import BuildCancelled, Highlights, SearchResult, Span, StatusLookup

# Imported on first use: the engine (rapidfuzz, the index, the vocabulary) costs ~0.1 s of
# start-up, and the reader paints its first screen before it needs any of it.
_HOMES = {
    "fingerprint": ".cache",
    "SearchIndex": ".index",
    "Query": ".query",
    "QueryError": ".query",
    "parse_query": ".query",
    "BuildCancelled": ".results",
    "Highlights": ".results",
    "SearchResult": ".results",
    "Span": ".results",
    "StatusLookup": ".results",
}
__all__ = [
    "BuildCancelled",
    "Highlights",
    "Query",
    "QueryError",
    "SearchIndex",
    "SearchResult",
    "Span",
    "StatusLookup",
    "fingerprint",
    "parse_query",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value
