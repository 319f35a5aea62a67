"""BibTeX: one `@misc` entry per paper, with cite keys that are stable and unique per export.

Escaping. Text stays UTF-8 (biber, bibtex8 and modern BibTeX/LaTeX read it), so accents and
emoji pass through; only the characters TeX or BibTeX would act on are replaced:

    \\ -> {\\textbackslash}   { -> {\\textbraceleft}   } -> {\\textbraceright}
    ~ -> {\\textasciitilde}   ^ -> {\\textasciicircum}  % & _ # $ -> \\% \\& \\_ \\# \\$

Braces are spelled as commands, not `\\{`, because BibTeX counts braces without looking at
backslashes: a title with one `{` would otherwise leave the entry unclosed. Every replacement
is itself brace-balanced. TeX in titles (`$O(n)$`) is escaped literally, never interpreted:
we cannot tell math from a dollar amount, and a stray `$` breaks the whole document.
Whitespace runs collapse to one space (a blank line would be a paragraph break in TeX) and
control characters become visible stand-ins. The title is wrapped in a second pair of braces
so styles keep its capitalisation (acronyms like LLM, names like TrustZone) as printed.

Authorless entries carry BibTeX's `key` field (a short title) for author-year styles to sort
and label by; `url` is given only when a real link is known. Checked with BibTeX 0.99d and
pdflatex under plain, plainnat, abbrvnat and unsrtnat.

Cite keys: see `cite_key`; duplicates get `a`, `b`, … in input order (`cite_keys`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

from broadsheet.links import paper_links
from broadsheet.model import Paper
from broadsheet.text_safety import one_line

_SPECIALS = {
    "\\": r"{\textbackslash}",
    "{": r"{\textbraceleft}",
    "}": r"{\textbraceright}",
    "~": r"{\textasciitilde}",
    "^": r"{\textasciicircum}",
    "%": r"\%",
    "&": r"\&",
    "_": r"\_",
    "#": r"\#",
    "$": r"\$",
}
_SPECIAL_RE = re.compile("[" + re.escape("".join(_SPECIALS)) + "]")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_STOPWORDS = frozenset(
    {"a", "an", "the", "on", "of", "for", "towards", "toward", "via", "with", "in", "to", "and", "or", "at", "by"}
)
# Letters NFKD does not decompose into ASCII, folded the way a reader would spell them.
_FOLD = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss",
                       "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th",
                       "Þ": "Th", "ı": "i"})  # fmt: skip
_WORD = re.compile(r"[a-z0-9]+")
_SHORT_TITLE_WORDS = 4
_NO_BRACKETS = str.maketrans("", "", "()[]")
_AND = re.compile(r"(?<!\S)and(?!\S)", re.I)
# Old-style arXiv ids carry their archive: `hep-th/9901001`, `math.AG/0101001`.
_OLD_ARXIV = re.compile(r"^([a-z\-]+(?:\.[A-Z]{2})?)/\d{7}$")


def escape(text: str) -> str:
    """`text` as a BibTeX field value body: one line, specials spelled out, braces balanced."""
    return _SPECIAL_RE.sub(lambda m: _SPECIALS[m.group()], one_line(text))


def _ascii_words(text: str) -> list[str]:
    """Runs of lowercase ASCII letters and digits, accents folded: `Søren-Müller` -> soren, muller."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return _WORD.findall(decomposed.encode("ascii", "ignore").decode().lower())


def ascii_fold(text: str) -> str:
    """Lowercase ASCII letters and digits only: `Søren Müller` -> `sorenmuller`."""
    return "".join(_ascii_words(text))


def _surname(name: str) -> str:
    """`Last, First` gives Last; `First Last` gives the last word."""
    name = name.strip()
    if "," in name:
        return name.split(",", 1)[0]
    parts = name.split()
    return parts[-1] if parts else ""


def cite_key(paper: Paper) -> str:
    """The undeduplicated key: who + year + first significant title word, e.g. `ma2023llmpruner`.

    Who is the first author's surname, else the organization id, else `anon`; the year is
    `nd` when unknown; the word is the first whitespace-separated title word that is not a
    stopword (`LLM-Pruner:` gives `llmpruner`). All parts are ASCII-folded, lowercase,
    letters and digits only.
    """
    who = ascii_fold(_surname(paper.authors[0])) if paper.authors else ""
    if not who and paper.organization:
        who = ascii_fold(paper.organization.id)
    year = str(paper.published.date.year) if paper.published else "nd"
    folded = (ascii_fold(word) for word in paper.title.split())
    word = next((w for w in folded if w and w not in _STOPWORDS), "")
    return f"{who or 'anon'}{year}{word}"


def _suffix(n: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa: like spreadsheet columns, so keys never run out."""
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def cite_keys(papers: Iterable[Paper]) -> list[str]:
    """Unique keys in input order: the first paper keeps its key, later ones get a, b, …

    Depends only on the papers and their order, so the same export gives the same keys.
    """
    used: set[str] = set()
    keys: list[str] = []
    for paper in papers:
        base = key = cite_key(paper)
        n = 0
        while key in used:
            key = base + _suffix(n)
            n += 1
        used.add(key)
        keys.append(key)
    return keys


def _author(paper: Paper) -> str | None:
    """Names joined by ` and `; `and others` when the list is short of the count; else the
    organization as a braced corporate author; else nothing."""
    if paper.authors:
        # A bare word `and` inside one name would split it in two; braces keep it a word.
        names = [_AND.sub("{and}", escape(name)) for name in paper.authors]
        if paper.authors_count is not None and paper.authors_count > len(names):
            names.append("others")
        return " and ".join(names)
    if paper.organization and paper.organization.name.strip():
        return "{" + escape(paper.organization.name) + "}"
    return None


def _short_title(title: str) -> str:
    """What author-year styles sort and label an authorless entry by (BibTeX's `key` field):
    the title before its colon, at most four words, without `()[]`, which natbib's
    `\\bibitem[label(year)]` cannot hold. Without a key natbib labels all such entries `ano`,
    and past 26 in one year its `a`…`z` suffixes break LaTeX."""
    head = title.split(":", 1)[0].split() or title.split()
    return " ".join(" ".join(head[:_SHORT_TITLE_WORDS]).translate(_NO_BRACKETS).split())


def _url(paper: Paper) -> str | None:
    """The best real link; a title search is no way to cite a work, so it is left out.

    URLs are verbatim for `\\url`, so only braces, backslashes and spaces are percent-encoded.
    """
    links = paper_links(paper)
    if not links:
        return None
    url = links[0]
    for char, code in (("{", "%7B"), ("}", "%7D"), ("\\", "%5C"), (" ", "%20")):
        url = url.replace(char, code)
    return url


def bibtex_entry(paper: Paper, key: str, *, with_abstract: bool = False) -> str:
    """One `@misc` entry, fields in a fixed order, ending in a newline."""
    fields: list[tuple[str, str]] = []
    author = _author(paper)
    if author:
        fields.append(("author", "{" + author + "}"))
    else:
        fields.append(("key", "{" + escape(_short_title(paper.title)) + "}"))
    fields.append(("title", "{{" + escape(paper.title) + "}}"))
    if paper.published:
        fields.append(("year", "{" + str(paper.published.date.year) + "}"))
        fields.append(("month", _MONTHS[paper.published.date.month - 1]))
    if paper.arxiv_id:
        fields.append(("eprint", "{" + escape(paper.arxiv_id) + "}"))
        fields.append(("archivePrefix", "{arXiv}"))
        old = _OLD_ARXIV.match(paper.arxiv_id)
        if old:
            fields.append(("primaryClass", "{" + escape(old.group(1)) + "}"))
    url = _url(paper)
    if url:
        fields.append(("url", "{" + url + "}"))
    if with_abstract and paper.abstract.strip():
        fields.append(("abstract", "{" + escape(paper.abstract) + "}"))
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}\n"


def write_bibtex(papers: Iterable[Paper], *, with_abstract: bool = False) -> Iterator[str]:
    """Entries in input order, separated by a blank line, keys from `cite_keys`."""
    papers = list(papers)
    for index, (paper, key) in enumerate(zip(papers, cite_keys(papers), strict=True)):
        yield ("\n" if index else "") + bibtex_entry(paper, key, with_abstract=with_abstract)
