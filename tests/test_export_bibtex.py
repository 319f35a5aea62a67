"""BibTeX export: every entry parses back with a real parser, fields survive, keys are stable."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from broadsheet.export.bibtex import ascii_fold, cite_key, cite_keys, write_bibtex
from broadsheet.model import Organization, Paper, Published
from broadsheet.text_safety import one_line

bibtexparser = pytest.importorskip("bibtexparser", minversion="2.0", reason="needs bibtexparser>=2 (test extra)")

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"

HOSTILE_TITLES = [
    "Balanced {braces} stay {literal}",
    "Unbalanced { brace",
    "Closing } first { then",
    "}}}",
    "100% sure & certain",
    "snake_case and #hashtags",
    "Complexity $O(n)$ and $x^2$",
    "Tilde ~ and caret ^ and back\\slash \\textbf{bold} \\",
    "Accents: é, ü, ø, Ærø, Łódź, naïve",
    "Emoji 🚀🤗 in titles",
    "[Re] Reproducing E^2-LLM",
    "E^2-LLM: Efficient and Extreme Length Extension",
    "Quotes \"double\" and 'single'",
    "At @misc{evil, title={x}} signs",
    "}, author = {Injected",
    "Trailing backslash \\",
    "Line\nbreaks\tand  tabs\r\n",
    "Control \x1b[31m chars",
]

_UNESCAPE = re.compile(r"\{\\text(backslash|braceleft|braceright|asciitilde|asciicircum)\}|\\([%&_#$])")
_UNESCAPED = {"backslash": "\\", "braceleft": "{", "braceright": "}", "asciitilde": "~", "asciicircum": "^"}
# Inside a value, a backslash may only start one of our escapes; anything else would be TeX.
_ALLOWED_BACKSLASH = re.compile(r"\\(?:text(?:backslash|braceleft|braceright|asciitilde|asciicircum)\b|[%&_#$])")


def unescape(value: str) -> str:
    """The test's own inverse of the documented escaping."""
    return _UNESCAPE.sub(lambda m: _UNESCAPED[m.group(1)] if m.group(1) else m.group(2), value)


def unwrap(value: str) -> str:
    """Strip the capitalisation-protecting brace pair around a title."""
    assert value.startswith("{") and value.endswith("}"), value
    return value[1:-1]


def bibtex_balanced(text: str) -> bool:
    """Brace balance as classic BibTeX counts it: backslashes do NOT escape braces."""
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def parse(papers: list[Paper], **options: bool) -> tuple[str, dict[str, dict[str, str]]]:
    text = "".join(write_bibtex(papers, **options))
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    assert len(library.entries) == len(papers)
    entries = {e.key: {f.key: f.value for f in e.fields} for e in library.entries}
    assert list(entries) == cite_keys(papers)  # same order, keys unique
    return text, entries


def check_value_is_safe(name: str, value: str) -> None:
    assert bibtex_balanced(value), (name, value)
    if name == "url":
        return
    stripped = _ALLOWED_BACKSLASH.sub("", value)
    assert "\\" not in stripped, (name, value)
    assert not set("%&_#$~^") & set(stripped), (name, value)


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_hostile_title_round_trips(title: str) -> None:
    paper = Paper(title=title, authors=("Jörg Sørensen",), published=Published(dt.date(2024, 5, 19)))
    text, entries = parse([paper])
    assert bibtex_balanced(text)
    [fields] = entries.values()
    for name, value in fields.items():
        check_value_is_safe(name, value)
    assert unescape(unwrap(fields["title"])) == one_line(title)
    assert unescape(fields["author"]) == "Jörg Sørensen"


def test_fields_and_their_order() -> None:
    paper = Paper(
        title="LLM-Pruner: On the Structural Pruning",
        abstract="Large models.\n\nSecond paragraph with 50% & more.",
        authors=("Xinyin Ma", "Gongfan Fang", "Xinchao Wang"),
        authors_count=3,
        published=Published(dt.date(2023, 5, 19)),
        arxiv_id="2305.11627",
    )
    text, entries = parse([paper], with_abstract=True)
    assert text.startswith("@misc{ma2023llmpruner,\n  author = {Xinyin Ma and Gongfan Fang and Xinchao Wang},\n")
    fields = entries["ma2023llmpruner"]
    assert list(fields) == ["author", "title", "year", "month", "eprint", "archivePrefix", "url", "abstract"]
    assert fields["year"] == "2023"
    assert fields["month"] == "may" and "month = may," in text  # a macro, not a string
    assert fields["eprint"] == "2305.11627"
    assert fields["archivePrefix"] == "arXiv"
    assert fields["url"] == "https://huggingface.co/papers/2305.11627"
    assert unescape(fields["abstract"]) == "Large models. Second paragraph with 50% & more."


def test_optional_fields_are_left_out() -> None:
    _, entries = parse([Paper(title="Bare", abstract="Some abstract")])
    assert entries == {"anonndbare": {"key": "Bare", "title": "{Bare}"}}  # no author, year, url, abstract


def test_authorless_entries_get_a_short_sort_key() -> None:
    papers = [
        Paper(title="LLM-Pruner: On the Structural Pruning", authors_count=3),
        Paper(title="Privacy-Preserving LLM Interaction with Socratic Reasoning"),
        Paper(title="100% {odd}: key"),
        Paper(title="[Re] Do (Not) Look: Now"),
        Paper(title="With author", authors=("Ada Lovelace",)),
    ]
    _, entries = parse(papers)
    keys = [fields.get("key") for fields in entries.values()]
    assert keys == [
        "LLM-Pruner",
        "Privacy-Preserving LLM Interaction with",
        r"100\% {\textbraceleft}odd{\textbraceright}",
        "Re Do Not Look",
        None,
    ]
    assert [list(fields)[0] for fields in entries.values()] == ["key", "key", "key", "key", "author"]


def test_old_style_arxiv_id_gives_primary_class() -> None:
    _, entries = parse([Paper(title="Strings", arxiv_id="hep-th/9901001")])
    fields = entries["anonndstrings"]
    assert fields["eprint"] == "hep-th/9901001"
    assert fields["primaryClass"] == "hep-th"


def test_author_fallbacks() -> None:
    papers = [
        Paper(title="Counted", authors=("Ada Lovelace",), authors_count=4),
        Paper(
            title="Corporate", authors_count=7, organization=Organization("naver-ai", "NAVER AI Lab & Research and Dev")
        ),
        Paper(title="Only a count", authors_count=7),
        Paper(title="And in a name", authors=("Anders and Sons", "B. Cole")),
    ]
    _, entries = parse(papers)
    authors = [fields.get("author") for fields in entries.values()]
    assert authors[0] == "Ada Lovelace and others"
    assert authors[1] == r"{NAVER AI Lab \& Research and Dev}"  # one corporate author
    assert authors[2] is None
    assert authors[3] == "Anders {and} Sons and B. Cole"
    separated = bibtexparser.parse_string(
        "".join(write_bibtex(papers)), append_middleware=[bibtexparser.middlewares.SeparateCoAuthors()]
    )
    assert [len(e["author"]) for e in separated.entries if "author" in e] == [2, 1, 2]


def test_cite_key_rule() -> None:
    assert cite_key(
        Paper(title="The LLM-Pruner: On", authors=("Xinyin Ma",), published=Published(dt.date(2023, 5, 1)))
    ) == ("ma2023llmpruner")
    assert cite_key(Paper(title="On the Towards of a Thing", authors=("Müller, Jörg",))) == "mullerndthing"
    assert cite_key(Paper(title="E^2-LLM", organization=Organization("naver-ai", "NAVER"))) == "naverainde2llm"
    assert cite_key(Paper(title="Ørsted über alles", authors=("Søren Kierkegaard",))) == "kierkegaardndorsted"
    assert cite_key(Paper(title="模型", authors=("张三",))) == "anonnd"  # nothing ASCII survives
    assert cite_key(Paper(title="of the and")) == "anonnd"
    assert ascii_fold("Łódź Straße") == "lodzstrasse"


def test_cite_keys_are_unique_and_stable() -> None:
    same = [
        Paper(title=f"Scaling Laws {i}", authors=("Jane Doe",), published=Published(dt.date(2024, 1, 1)))
        for i in range(30)
    ]
    keys = cite_keys(same)
    assert keys[:4] == ["doe2024scaling", "doe2024scalinga", "doe2024scalingb", "doe2024scalingc"]
    assert keys[26:] == ["doe2024scalingz", "doe2024scalingaa", "doe2024scalingab", "doe2024scalingac"]
    assert len(set(keys)) == 30
    assert cite_keys(same) == keys
    # A paper whose natural key equals another's suffixed key still gets its own.
    clash = [*same[:2], Paper(title="Scalinga", authors=("Jane Doe",), published=Published(dt.date(2024, 1, 1)))]
    assert cite_keys(clash) == ["doe2024scaling", "doe2024scalinga", "doe2024scalingaa"]


def test_entries_are_separated_by_one_blank_line() -> None:
    chunks = list(write_bibtex([Paper(title="One"), Paper(title="Two")]))
    assert chunks[0].startswith("@misc{") and chunks[0].endswith("}\n")
    assert chunks[1].startswith("\n@misc{")
    assert "".join(write_bibtex([])) == ""


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1))
def test_any_title_round_trips(title: str) -> None:
    _, entries = parse([Paper(title=title, abstract=title)], with_abstract=True)
    [fields] = entries.values()
    for name, value in fields.items():
        check_value_is_safe(name, value)
    assert unescape(unwrap(fields["title"])) == one_line(title)


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"real listings not found at {SEEDS} (../shared is absent)")
def test_every_real_paper_round_trips() -> None:
    from broadsheet.sources.loader import load_listings

    papers = load_listings([str(SEEDS)]).papers
    assert papers
    text, entries = parse(papers, with_abstract=True)
    assert bibtex_balanced(text)
    for paper, fields in zip(papers, entries.values(), strict=True):
        for name, value in fields.items():
            check_value_is_safe(name, value)
        assert unescape(unwrap(fields["title"])) == one_line(paper.title)
        if paper.abstract.strip():
            assert unescape(fields["abstract"]) == one_line(paper.abstract)
        if paper.published:
            assert fields["year"] == str(paper.published.date.year)
