"""RSS 2.0 / RSS 1.0 / Atom feeds (through feedparser) and JSON Feed 1.x (through json).

Covers the arXiv API's Atom, arXiv's RSS (`arXiv:<id> Announce Type: new Abstract: ...`)
and feeds scraped from Hugging Face pages (`Abstract <AI summary> <marker> <abstract>`).

Safety: XML is untrusted. Before feedparser sees a document it is decoded exactly as
feedparser would decode it (so UTF-7 or UTF-16 cannot hide markup), and a DTD internal
subset or an `<!ENTITY` declaration in the prolog is refused: a paper feed never needs one,
and it is what entity-expansion bombs and external-entity reads are made of. feedparser
itself also turns off external entities and strips DOCTYPEs; expat >= 2.4 caps
amplification, but only after seconds of work, hence the explicit refusal.

feedparser's HTML sanitizer is off: it drops `<y$ ...` from `$x<y$` as if it were a tag.
Markup is turned into plain text here, linearly (the stdlib HTMLParser is quadratic on
crafted input), and only when the text contains real tags.

Each entry's `Source.line` is its 1-based position in the feed (feedparser reports no lines).
Feeds carry no upvote counts, so their papers have no upvote history.
"""

from __future__ import annotations

import codecs
import datetime as dt
import email.utils
import html
import io
import re
import xml.sax
from typing import Any

import feedparser  # type: ignore[import-untyped]
from feedparser.encodings import convert_to_utf8  # type: ignore[import-untyped]

from broadsheet.model import Paper, Published, Source, normalize_arxiv_id
from broadsheet.sources.ai_summary import split_ai_summary
from broadsheet.sources.errors import ListingError, ParseWarning
from broadsheet.sources.hf_api import load_json
from broadsheet.sources.results import ParseResult
from broadsheet.text_safety import is_openable_url

_SNIFF_BYTES = 65536
_FEED_ROOTS = {
    "rss": (b"",),
    "feed": (b"http://www.w3.org/2005/Atom", b"purl.org/atom/ns"),
    "RDF": (b"/rss/", b"rdf/simple"),
}
_WS = re.compile(rb"\s*")
_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_DTD_TOKEN = re.compile(rb"""["'\[\]>]|<!--""")
_DECLARED = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
_MARKUP = re.compile(r"<!--|<(/?)([A-Za-z][A-Za-z0-9:-]*)(?:[\s/][^<>]*)?>|<[!?][^<>]*>")
_TAG_HINT = re.compile(r"</[A-Za-z][A-Za-z0-9]*\s*>|<(?:br|p|div|li|hr|img)\b[^<>]*>", re.I)
_BLOCK = frozenset(
    {"p", "br", "div", "li", "ul", "ol", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6"}
    | {"tr", "td", "th", "table", "blockquote", "pre", "hr", "section", "article"}
)
_INVISIBLE = frozenset({"script", "style", "template", "head", "title"})
_ARXIV_LINK = re.compile(
    r"(?<![\w-])(?:arxiv\.org/(?:abs|pdf|html)/|huggingface\.co/papers/|oai:arxiv\.org:)"
    r"([a-z][a-z.-]*/\d{7}|\d{4}\.\d{4,5})",
    re.I,
)
_ARXIV_RSS = re.compile(r"^arXiv:(\S+)\s+Announce Type:\s*[\w-]+\s*(?:Abstract:\s*)?")
# arXiv's RSS before 2024 ended titles with "(arXiv:2312.01234v1 [cs.CL] UPDATED)".
_OLD_ARXIV_TITLE = re.compile(r"\.?\s*\(arXiv:(\S+) \[[^\]]*\](?: UPDATED)?\)$")
_JSON_FEED = re.compile(r'"version"\s*:\s*"https?://jsonfeed\.org/version/1')
_JSON_FEED_VERSIONS = ("https://jsonfeed.org/version/1", "http://jsonfeed.org/version/1")


def _ascii_view(data: bytes) -> bytes:
    """UTF-16/32 with the NULs dropped, so ASCII markup is visible to a byte scan."""
    return data.replace(b"\x00", b"") if b"\x00" in data[:4] or data[:2] in (b"\xff\xfe", b"\xfe\xff") else data


def _prolog(data: bytes) -> tuple[bytes, bytes, bool]:
    """(root prefix, root local name, whether a DTD subset or ENTITY declaration came first)."""
    pos, risky = 0, False
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        pos = len(bom) if data.startswith(bom) else pos
    while True:
        pos = _WS.match(data, pos).end()  # type: ignore[union-attr]  # \s* always matches
        head = data[pos : pos + 9].upper()
        if head.startswith(b"<?") or head.startswith(b"<!--"):
            end = data.find(b"?>" if head.startswith(b"<?") else b"-->", pos + 2)
            if end < 0:
                return b"", b"", risky
            pos = end + 2 + head.startswith(b"<!--")
        elif head == b"<!DOCTYPE":
            pos, subset = _skip_doctype(data, pos + 9)
            risky |= subset
            if pos < 0:
                return b"", b"", risky
        elif head.startswith(b"<!ENTITY"):
            return b"", b"", True
        else:
            root = _ROOT.match(data, pos)
            return (root.group(1) or b"", root.group(2), risky) if root else (b"", b"", risky)


def _skip_doctype(data: bytes, pos: int) -> tuple[int, bool]:
    """The position after a DOCTYPE (or -1 if it never ends) and whether it had `[...]`."""
    subset = inside = False
    while (token := _DTD_TOKEN.search(data, pos)) is not None:
        mark, pos = token.group(), token.end()
        if mark in (b'"', b"'", b"<!--"):
            end = data.find(b"-->" if mark == b"<!--" else mark, pos)
            if end < 0:
                return -1, subset
            pos = end + len(mark) - (mark == b"<!--")
        elif mark == b"[":
            subset = inside = True
        elif mark == b"]":
            inside = False
        elif not inside:
            return pos, subset
    return -1, subset


def looks_like_feed(head: bytes | str) -> bool:
    """A cheap sniff: the first element is `<rss>`, an Atom `<feed>` or an RSS 1.0 `<rdf:RDF>`."""
    raw = head.encode("utf-8", "replace") if isinstance(head, str) else head
    view = _ascii_view(raw[:_SNIFF_BYTES])
    _, root, _ = _prolog(view)
    needles = _FEED_ROOTS.get(root.decode("ascii", "replace"))
    return needles is not None and any(needle in view for needle in needles)


def looks_like_json_feed(text: str) -> bool:
    """A cheap sniff: a JSON object naming a jsonfeed.org version near its start."""
    head = text[:_SNIFF_BYTES].lstrip("\ufeff \t\r\n")
    return head.startswith("{") and _JSON_FEED.search(head) is not None


def _one_line(text: str) -> str:
    return " ".join(text.split())


def html_to_text(value: str) -> str:
    """Plain text from HTML, whitespace kept (callers collapse it after splitting off a summary).

    Text with no real tags is only unescaped, so `a<b` survives.
    """
    if _TAG_HINT.search(value) is None:
        return html.unescape(value)
    out: list[str] = []
    pos, hidden = 0, ""
    while (tag := _MARKUP.search(value, pos)) is not None:
        if not hidden:
            out.append(value[pos : tag.start()])
        pos = tag.end()
        if tag.group() == "<!--":
            end = value.find("-->", pos)
            pos = len(value) if end < 0 else end + 3
            continue
        name, closing = (tag.group(2) or "").lower(), bool(tag.group(1))
        if hidden:
            hidden = "" if closing and name == hidden else hidden
        elif name in _INVISIBLE and not closing and not tag.group().endswith("/>"):
            hidden = name
        elif name in _BLOCK:
            out.append(" ")
    if not hidden:
        out.append(value[pos:])
    return html.unescape("".join(out))


def _text(detail: Any) -> str:
    """A feedparser text construct as plain text, by its declared type."""
    if not detail:
        return ""
    value, kind = detail.get("value") or "", detail.get("type") or "text/html"
    return html_to_text(value) if "html" in kind else str(value)


def _date(raw: object) -> dt.date | None:
    """RFC 822 or ISO 8601, as the date the feed wrote (in its own offset, not moved to UTC)."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    try:
        return email.utils.parsedate_to_datetime(raw).date()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return dt.datetime.fromisoformat(raw.strip()).date()
    except ValueError:
        return None


def _names(authors: list[str], arxiv: bool) -> tuple[str, ...]:
    """Author names; arXiv joins all authors into one `dc:creator` (once as HTML links), split here."""
    authors = [html_to_text(name) if "<" in name else name for name in authors]
    if arxiv and len(authors) == 1 and "," in authors[0]:
        authors = re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+", authors[0])
    return tuple(name for name in map(_one_line, authors) if name)


def _paper(
    source: str, line: int, title: str, body: str, links: list[object], names: list[str], date: dt.date | None
) -> Paper:
    """The Paper for one entry: arXiv id from links or the arXiv RSS prefix, summary split off."""
    arxiv_id, urls, body = None, [], body.strip()
    if suffix := _OLD_ARXIV_TITLE.search(title):
        arxiv_id, title = normalize_arxiv_id(suffix.group(1)), title[: suffix.start()]
    if prefix := _ARXIV_RSS.match(body):
        arxiv_id, body = arxiv_id or normalize_arxiv_id(prefix.group(1)), body[prefix.end() :]
    for link in (link.strip() for link in links if isinstance(link, str)):
        if found := _ARXIV_LINK.search(link):
            arxiv_id = arxiv_id or normalize_arxiv_id(found.group(1))
        elif is_openable_url(link):
            urls.append(link)
    ai_summary, abstract = split_ai_summary(body, require_label=True)
    on_arxiv = any(isinstance(link, str) and "arxiv.org/" in link.lower() for link in links)
    authors = _names(names, on_arxiv)
    return Paper(
        title=title,
        abstract=_one_line(abstract),
        ai_summary=_one_line(ai_summary) if ai_summary else None,
        authors=authors,
        authors_count=len(authors) or None,
        published=Published(date) if date else None,
        arxiv_id=arxiv_id,
        urls=tuple(dict.fromkeys(urls)),
        sources=(Source(source, line),),
    )


def _finish(result: ParseResult, source: str, empty: str) -> ParseResult:
    if not result.papers:
        skipped = [warning for warning in result.warnings if warning.line]
        if skipped:
            empty = f"no papers found ({skipped[0].reason} at entry {skipped[0].line})"
        raise ListingError(source, empty)
    result.entries = len(result.papers)
    return result


def _decode(data: bytes, source: str, result: ParseResult) -> tuple[bytes, int]:
    """UTF-8 bytes as feedparser would make them, plus a fix and a warning for mislabelled UTF-8.

    Also the number of lines feedparser adds in front (a declaration, when there was none),
    so that error positions name the file's own lines.
    """
    headers: dict[str, str] = {}
    declared = _DECLARED.match(data.lstrip(b"\xef\xbb\xbf \t\r\n"))
    if declared and not data.isascii():
        try:
            name = codecs.lookup(declared.group(1).decode("ascii")).name
            data.decode("utf-8")
        except (LookupError, UnicodeDecodeError):
            name = ""
        if name in ("iso8859-1", "cp1252"):  # valid UTF-8 with non-ASCII is almost never Latin-1
            headers["content-type"] = "application/xml; charset=utf-8"
            result.warnings.append(ParseWarning(source, 0, f"declared as {name} but is UTF-8; read as UTF-8"))
    probe: dict[str, Any] = {}
    utf8: bytes = convert_to_utf8(headers, data, probe)
    if probe.get("bozo"):
        result.warnings.append(ParseWarning(source, 0, f"encoding: {probe.get('bozo_exception')}"))
    declared_first = _ascii_view(data).lstrip(b"\xef\xbb\xbf\xff\xfe").startswith(b"<?xml")
    return utf8, 0 if declared_first or not utf8.startswith(b"<?xml") else 1


def parse_feed(data: bytes, source: str) -> ParseResult:
    """Parse an RSS or Atom feed. Broken XML keeps what feedparser recovered, with a warning;
    ListingError for a refused DTD or when no entry can be read."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not data.strip():
        raise ListingError(source, "empty file")
    result = ParseResult()
    utf8, added_lines = _decode(data, source, result)
    if _prolog(utf8)[2]:
        raise ListingError(source, "XML with a DTD internal subset or entity declarations refused (unsafe)")
    try:
        parsed = feedparser.parse(io.BytesIO(utf8), sanitize_html=False, resolve_relative_uris=False)
    except Exception as error:  # a parser crash on hostile input still means "unreadable"
        raise ListingError(source, f"not a readable feed ({type(error).__name__})") from None
    broken = ""
    if parsed.get("bozo") and isinstance(fault := parsed.get("bozo_exception"), xml.sax.SAXParseException):
        where = f"line {(fault.getLineNumber() or added_lines) - added_lines} column {fault.getColumnNumber()}"
        broken = f"malformed XML: {fault.getMessage()} at {where}"
        result.warnings.append(ParseWarning(source, 0, f"{broken}; kept what could be recovered"))
    for index, entry in enumerate(parsed.entries):
        line = index + 1
        if "arxiv.org/api/errors" in str(entry.get("id", "")):
            raise ListingError(source, f"arXiv API error: {_one_line(_text(entry.get('summary_detail'))) or '?'}")
        title = _one_line(_text(entry.get("title_detail")) or str(entry.get("title", "")))
        if not title:
            result.warnings.append(ParseWarning(source, line, "entry without a title, skipped"))
            continue
        detail = entry.get("summary_detail") or next(iter(entry.get("content") or []), None)
        links = [entry.get("id"), entry.get("link"), *(link.get("href") for link in entry.get("links") or [])]
        names = [str(author.get("name") or "") for author in entry.get("authors") or []]
        date = _date(entry.get("published")) or _date(entry.get("updated"))
        result.papers.append(_paper(source, line, title, _text(detail), links, names, date))
    if not parsed.entries and not parsed.get("version"):
        raise ListingError(source, f"not an RSS or Atom feed ({broken})" if broken else "not an RSS or Atom feed")
    return _finish(result, source, broken or "feed has no entries")


def parse_json_feed(text: str, source: str) -> ParseResult:
    """Parse a JSON Feed 1.0/1.1 (jsonfeed.org); items without a title are skipped with a warning."""
    data = load_json(text, source)
    version = data.get("version") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not str(version).startswith(_JSON_FEED_VERSIONS):
        raise ListingError(source, "not a JSON Feed (no jsonfeed.org version)")
    items = data.get("items")
    if not isinstance(items, list):
        raise ListingError(source, "JSON Feed without an items list")
    result = ParseResult()
    for index, item in enumerate(items):
        line = index + 1
        if not isinstance(item, dict) or not isinstance(item.get("title"), str) or not item["title"].strip():
            result.warnings.append(ParseWarning(source, line, "item without a title, skipped"))
            continue
        if isinstance(item.get("content_text"), str) and item["content_text"].strip():
            body = item["content_text"]
        elif isinstance(item.get("content_html"), str):
            body = html_to_text(item["content_html"])
        else:
            body = str(item.get("summary") or "")
        people = item.get("authors")
        people = people if isinstance(people, list) else [item.get("author")]
        names = [str(p.get("name") or "") for p in people if isinstance(p, dict)]
        links = [item.get("url"), item.get("external_url"), item.get("id")]
        date = _date(item.get("date_published")) or _date(item.get("date_modified"))
        result.papers.append(_paper(source, line, _one_line(item["title"]), body, links, names, date))
    return _finish(result, source, "JSON Feed has no items")
