"""Saving the index to one binary file and loading it back in a fraction of a second.

Layout: a magic line, a JSON header (format version, corpus fingerprint, section sizes),
the raw sections (packed `array`s, UTF-8 term lists, fixed-size bitsets) and a CRC32 of
everything before it. No pickle: loading is a few `frombytes` copies, and a file that is
truncated, corrupt, from another version or for other papers loads as None.

The fingerprint covers each paper's key, title and date, in row order (see `fingerprint`).
Upvotes, authors and organizations are read from the papers at search time instead. What
`warm_up` computed is saved too: the prefix unions, and the sort orders, which count only
while the upvotes and their growth are the same (`facts_fingerprint`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import struct
import sys
import tempfile
import zlib
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..model import Paper
from . import corpus
from .build import Parts
from .facets import Order
from .postings import FieldPostings
from .vocab import GramIndex, Vocabulary

if TYPE_CHECKING:
    from .index import SearchIndex

MAGIC = b"broadsheet search index\n"
FORMAT = 3  # bump whenever tokenizing, the layout or the slot order changes
_LENGTH = struct.Struct("<I")


def fingerprint(papers: Sequence[Paper]) -> str:
    """A digest of the papers' keys, titles and dates, in order (`corpus.digest`: stored
    with cached papers, ~65 ms for 100k plain papers).

    Abstracts are not in it (they would need decoding a lazy corpus), so an abstract edited
    under the same key, title and date goes unnoticed: name the cache file after the corpus
    version (as the Finder does with the corpus cache key)."""
    return corpus.digest(papers)


def facts_fingerprint(papers: Sequence[Paper]) -> str:
    """A digest of what sort orders use beyond `fingerprint`: upvotes and their growth."""
    digest = hashlib.blake2b(digest_size=16)
    columns = getattr(papers, "upvote_columns", None)
    if columns is not None:  # the corpus cache: the same bytes, without building lists
        votes, growth = columns()
    else:
        votes = array("q", [-1 if v is None else v for v in corpus.upvotes(papers)]).tobytes()
        growth = array("d", [math.nan if g is None else g for g in corpus.facts(papers).growth]).tobytes()
    digest.update(votes)
    digest.update(growth)
    return digest.hexdigest()


def _sections(index: SearchIndex) -> list[tuple[str, bytes | array[int]]]:
    nbytes = (index.n + 7) // 8
    out: list[tuple[str, bytes | array[int]]] = [
        ("terms", "\n".join(index.vocab.terms).encode("utf-8", "surrogatepass")),
        ("slot_to_row", array("I", index.slot_to_row)),
    ]
    for name, postings in (("title", index.title), ("body", index.body)):
        dense_ids = array("I", postings.dense_ids)
        dense = b"".join(postings.dense[i].to_bytes(nbytes, "little") for i in postings.dense_ids)
        out += [
            (f"{name}.offsets", postings.offsets),
            (f"{name}.postings", postings.postings),
            (f"{name}.dense_ids", dense_ids),
            (f"{name}.dense", dense),
        ]
    for name, postings in (("title", index.title), ("body", index.body)):
        pinned = postings.pinned
        out += [
            (f"{name}.pinned", array("I", [bound for lo_hi in pinned for bound in lo_hi])),
            (f"{name}.pinned_bits", b"".join(union.to_bytes(nbytes, "little") for union in pinned.values())),
        ]
    for name, order in sorted(index.facets.computed_orders().items()):
        out += [(f"order.{name}", order.slots), (f"order_rows.{name}", order.rows), (f"order_rank.{name}", order.rank)]
    grams = index.vocab.grams
    out += [
        ("grams.keys", "\n".join(grams.keys).encode("utf-8", "surrogatepass")),
        ("grams.offsets", grams.offsets),
        ("grams.ids", grams.ids),
    ]
    return out


def save(index: SearchIndex, path: str | os.PathLike[str]) -> None:
    """Write `index` to `path` through a temporary file, so readers never see half a file."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    sections = _sections(index)
    header = json.dumps(
        {
            "format": FORMAT,
            "fingerprint": fingerprint(index.papers),
            "facts": facts_fingerprint(index.papers),
            "n": index.n,
            "complete": index.complete,
            "byteorder": sys.byteorder,
            "sections": [[name, len(memoryview(data).cast("B"))] for name, data in sections],
        }
    ).encode()
    fd, tmp = tempfile.mkstemp(prefix=".search-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            crc = 0
            for chunk in (MAGIC, _LENGTH.pack(len(header)), header, *(data for _, data in sections)):
                view = memoryview(chunk).cast("B")
                crc = zlib.crc32(view, crc)
                out.write(view)
            out.write(_LENGTH.pack(crc))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def load(path: str | os.PathLike[str], papers: Sequence[Paper]) -> Parts | None:
    """The parts saved at `path`, or None when missing, stale, corrupt or incompatible."""
    try:
        data = memoryview(Path(path).read_bytes())
    except OSError:
        return None
    try:
        return _parse(data, papers)
    except Exception:  # any malformation at all means: rebuild
        return None


def _parse(data: memoryview, papers: Sequence[Paper]) -> Parts | None:
    if len(data) < len(MAGIC) + 8 or bytes(data[: len(MAGIC)]) != MAGIC:
        return None
    (crc,) = _LENGTH.unpack(data[-4:])
    if zlib.crc32(data[:-4]) != crc:
        return None
    at = len(MAGIC)
    (header_length,) = _LENGTH.unpack(data[at : at + 4])
    at += 4
    header = json.loads(bytes(data[at : at + header_length]))
    at += header_length
    n = len(papers)
    if header.get("format") != FORMAT or header.get("n") != n or header.get("fingerprint") != fingerprint(papers):
        return None
    raw: dict[str, memoryview] = {}
    for name, size in header["sections"]:
        raw[name] = data[at : at + size]
        at += size
    if at != len(data) - 4:
        return None
    swap = header["byteorder"] != sys.byteorder

    def ints(name: str) -> array[int]:
        values = array("I")
        values.frombytes(raw[name])
        if swap:
            values.byteswap()
        return values

    terms = bytes(raw["terms"]).decode("utf-8", "surrogatepass").split("\n") if len(raw["terms"]) else []
    slot_to_row = ints("slot_to_row").tolist()
    if len(slot_to_row) != n or set(slot_to_row) != set(range(n)):
        return None
    nbytes = (n + 7) // 8
    fields = []
    for name in ("title", "body"):
        offsets, postings, dense_ids = ints(f"{name}.offsets"), ints(f"{name}.postings"), ints(f"{name}.dense_ids")
        dense_raw = raw[f"{name}.dense"]
        if len(offsets) != len(terms) + 1 or offsets[-1] != len(postings) or len(dense_raw) != nbytes * len(dense_ids):
            return None
        dense = {
            term_id: int.from_bytes(dense_raw[i * nbytes : (i + 1) * nbytes], "little")
            for i, term_id in enumerate(dense_ids)
        }
        field = FieldPostings(n, offsets, postings, dense)
        if f"{name}.pinned" in raw:  # the prefix unions warm_up computed before saving
            bounds, pinned_raw = ints(f"{name}.pinned"), raw[f"{name}.pinned_bits"]
            if len(bounds) % 2 or len(pinned_raw) != nbytes * (len(bounds) // 2):
                return None
            for i in range(len(bounds) // 2):
                union = int.from_bytes(pinned_raw[i * nbytes : (i + 1) * nbytes], "little")
                field.pinned[(bounds[2 * i], bounds[2 * i + 1])] = union
        fields.append(field)
    gram_keys = bytes(raw["grams.keys"]).decode("utf-8", "surrogatepass").split("\n") if len(raw["grams.keys"]) else []
    grams = GramIndex(gram_keys, ints("grams.offsets"), ints("grams.ids"))
    if len(grams.offsets) != len(gram_keys) + 1:
        return None
    names = [name[len("order.") :] for name in raw if name.startswith("order.")]
    orders = {}
    if names and header.get("facts") == facts_fingerprint(papers):  # else the orders are stale, not the index
        for name in names:
            orders[name] = Order(ints(f"order.{name}"), ints(f"order_rows.{name}"), ints(f"order_rank.{name}"))
    return Parts(slot_to_row, Vocabulary(terms, grams), fields[0], fields[1], bool(header["complete"]), orders)
